using System.Collections.Concurrent;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Layers;
using ContainerSdk.Core.Registry;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// The layers a build left in a registry (<see cref="BuiltLayer.Remote"/>), read as a push to another registry needs
/// them: streamed from the one to the other (<see cref="RemoteBlobStream"/>), never stored. One client per registry.
/// </summary>
internal sealed class RemoteLayers(RegistryOptions options, IBuildLog log) : IDisposable
{
    private readonly ConcurrentDictionary<string, RegistryClient> _clients = new(StringComparer.OrdinalIgnoreCase);

    public Stream Open(BuiltLayer layer)
    {
        var (registry, repository) = LayerCacheRepository.ParseLocation(layer.Remote ?? throw new ArgumentException("The layer is a local file.", nameof(layer)));
        var client = _clients.GetOrAdd(registry, r => new RegistryClient(r, options, log));
        return new RemoteBlobStream(client, repository, layer.Descriptor);
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values) client.Dispose();
    }
}
