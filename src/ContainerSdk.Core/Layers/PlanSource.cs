namespace ContainerSdk.Core.Layers;

/// <summary>
/// What one folder or tarball planner is asked to plan: the source on disk, the item it came from (named in every
/// error), where its root lands in the image, what it leaves out, the owner and group that replace the source's own
/// (null keeps them) and the one timestamp every entry gets.
/// </summary>
/// <param name="Path">The folder or tarball (a base image's layer blob for <see cref="BaseImagePlanner"/>).</param>
/// <param name="RootKey">Image path (key form) where the source's root lands; "" for "/".</param>
/// <param name="ItemType">The item's type (BaseLayer, Module) where the source is the item's own file, for warnings at its line; null for a base image's layer blob.</param>
internal sealed record PlanSource(string Path, string ItemSpec, string RootKey, PathGlob Exclude, long? Uid, long? Gid, long Epoch, string? ItemType = null);
