namespace ContainerSdk.Core.Acl;

/// <summary>
/// Turns user and group names into ids. The engine's resolver reads the image's own /etc/passwd and
/// /etc/group: never the build machine's, whose ids mean nothing inside the image.
/// </summary>
internal interface INameResolver
{
    bool TryResolveUser(string name, out uint uid);
    bool TryResolveGroup(string name, out uint gid);

    /// <summary>Where names were looked up, for error messages, e.g. "the image's /etc/passwd (from layers ...)".</summary>
    string DescribeSources();
}
