namespace ContainerSdk.Core.Cache;

/// <summary>
/// What the layer caches know a layer by: its fingerprint (<see cref="LayerFingerprint"/>: every header and content hash,
/// the compression and the tool version) and, for a cache that records it too, its shape (<see cref="LayerFingerprint.Shape"/>:
/// the headers alone). Each is worked out once, the first time a cache asks for it: the fingerprint may need the layer's
/// files read and hashed first (<see cref="ReadsFiles"/>), time that a far cache can put to use (<see cref="PrefetchingLayerCache"/>).
/// </summary>
internal sealed class LayerKey
{
    private readonly Lazy<byte[]> _fingerprint;
    private readonly Lazy<byte[]?> _shape;
    private readonly bool _readsFiles;

    /// <param name="fingerprint">Works the fingerprint out, reading and hashing first the files whose content hash is not known.</param>
    /// <param name="shape">Works the shape out; null: the layer is known by its fingerprint alone.</param>
    /// <param name="readsFiles">Whether <paramref name="fingerprint"/> has files to read.</param>
    public LayerKey(Func<byte[]> fingerprint, Func<byte[]?> shape, bool readsFiles)
    {
        _fingerprint = new Lazy<byte[]>(fingerprint);
        _shape = new Lazy<byte[]?>(shape);
        _readsFiles = readsFiles;
    }

    /// <summary>A key whose fingerprint is known already.</summary>
    public static LayerKey Of(byte[] fingerprint, byte[]? shape = null) => new(() => fingerprint, () => shape, readsFiles: false);

    public byte[] Fingerprint => _fingerprint.Value;

    public byte[]? Shape => _shape.Value;

    /// <summary>Whether asking for <see cref="Fingerprint"/> still reads the layer's files (a fresh machine's first build of it).</summary>
    public bool ReadsFiles => _readsFiles && !_fingerprint.IsValueCreated;
}
