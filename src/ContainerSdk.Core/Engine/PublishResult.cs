namespace ContainerSdk.Core.Engine;

/// <summary>
/// What <see cref="ContainerEngine.PublishImage"/> did: the pushed manifest's digest (the local one) and what the push
/// cost, as the publish line says it (<c>3 blobs sent (60.1 MiB), 0 mounted (0 B), 2 already there (1.2 KiB)</c>), so that
/// a push of 60 MiB and a push of nothing read differently at the default verbosity.
/// </summary>
internal sealed record PublishResult(Oci.Digest Digest, string Summary);
