using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// Layers are written concurrently but reported in layer order: a line is held until every layer below
/// it has reported, so the log reads bottom to top however the work was scheduled.
/// </summary>
internal sealed class InOrderLog(IBuildLog log, int count)
{
    private readonly string?[] _pending = new string?[count];
    private int _next;

    public void Info(int index, string message)
    {
        lock (_pending)
        {
            _pending[index] = message;
            while (_next < count && _pending[_next] is { } line)
            {
                log.Info(line);
                _pending[_next++] = null;
            }
        }
    }
}
