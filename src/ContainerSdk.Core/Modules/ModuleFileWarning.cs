namespace ContainerSdk.Core.Modules;

/// <summary>
/// A statement the SDK passes over while the file stays usable (it is still installed as written). <see cref="File"/>
/// is null for the modulefile itself, else the site package whose code made it.
/// </summary>
internal sealed record ModuleFileWarning(string Code, string Message, int Line, string? File = null);

/// <summary>What a modulefile prints on <c>module load</c> (io.stderr:write, LmodMessage, puts stderr): shown as a build message.</summary>
internal sealed record ModuleFileMessage(string Text, int Line, string? File = null);
