namespace ContainerSdk.Core.Modules;

/// <summary>A statement the SDK passes over while the file stays usable (it is still installed as written).</summary>
internal sealed record ModuleFileWarning(string Code, string Message, int Line);
