using System.Collections.Concurrent;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// The scheme each registry answered on, as far as this build has learnt it: an insecure registry that speaks only plain
/// http is tried over https once per build (as podman does, https first), not once per pull, push and cache lookup.
/// </summary>
internal sealed class RegistrySchemes
{
    private readonly ConcurrentDictionary<string, Uri> _known = new(StringComparer.OrdinalIgnoreCase);

    internal Uri? Known(string registry) => _known.TryGetValue(registry, out var baseUri) ? baseUri : null;

    internal void Remember(string registry, Uri baseUri) => _known[registry] = baseUri;
}
