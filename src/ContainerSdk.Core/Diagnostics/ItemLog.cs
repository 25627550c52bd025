namespace ContainerSdk.Core.Diagnostics;

/// <summary>
/// The log of work done for one item (a BaseLayer's pull): a warning that names no file of its own is about that item,
/// so it goes to <see cref="IBuildLog.WarningAbout"/> and is reported at the item's line, not at the project.
/// </summary>
internal sealed class ItemLog(IBuildLog inner, string itemType, string itemSpec) : IBuildLog
{
    public void Info(string message) => inner.Info(message);

    public void Detail(string message) => inner.Detail(message);

    public void Progress(string message) => inner.Progress(message);

    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0)
    {
        if (file is null && line == 0) inner.WarningAbout(itemType, itemSpec, code, message);
        else inner.Warning(code, message, file, line, column);
    }

    public void WarningAbout(string type, string spec, string code, string message) => inner.WarningAbout(type, spec, code, message);
}
