using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// Layers are written concurrently but reported in layer order: a line is held until every layer below
/// it has reported, so the log reads bottom to top however the work was scheduled.
/// </summary>
internal sealed class InOrderLog(IBuildLog log, int count)
{
    private readonly (string Text, bool Worked)?[] _pending = new (string, bool)?[count];
    private int _next;

    /// <param name="worked">The layer was written: its line shows at the default verbosity (<see cref="IBuildLog.Progress"/>); else it is <see cref="IBuildLog.Info"/>.</param>
    public void Info(int index, string message, bool worked = false)
    {
        lock (_pending)
        {
            _pending[index] = (message, worked);
            while (_next < count && _pending[_next] is { } line)
            {
                if (line.Worked) log.Progress(line.Text);
                else log.Info(line.Text);
                _pending[_next++] = null;
            }
        }
    }
}
