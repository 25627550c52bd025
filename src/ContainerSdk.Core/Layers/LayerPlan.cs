using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Tar;
using ContainerSdk.Core.Inputs;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// Everything one layer will contain, sorted in <see cref="TarPath.Comparer"/> order, before any byte is
/// compressed. Plans for all layers exist at once so that owner names, parent directories and ACL
/// placement can be decided from the composed image; only headers are held, never file contents.
/// </summary>
internal sealed class LayerPlan
{
    private readonly List<PlannedEntry> _entries;
    private List<string> _keys;

    public LayerPlan(LayerRequest input, int index, IEnumerable<PlannedEntry> entries)
    {
        Input = input;
        Index = index;
        _entries = entries.ToList();
        _keys = KeysOf(_entries);
        // A folder's walk and a tarball's index come in this order already: checking costs n comparisons, sorting n log n.
        if (!TarPath.IsStrictlyOrdered(_keys))
        {
            _entries.Sort((a, b) => TarPath.Comparer.Compare(a.Key, b.Key));
            _keys = KeysOf(_entries);
        }
    }

    private static List<string> KeysOf(List<PlannedEntry> entries)
    {
        var keys = new List<string>(entries.Count);
        foreach (var entry in entries) keys.Add(entry.Key);
        return keys;
    }

    public LayerRequest Input { get; }

    /// <summary>
    /// A layer that already exists as a blob (a layer of a base image): it is reused byte for byte, never
    /// rewritten; the plan still lists its entries for the layers above it and for the bundle.
    /// </summary>
    public LayerBlob? Prebuilt { get; init; }

    /// <summary>Set for a layer of an image used as a base (its config, name, and the sorted copy the bundle reads).</summary>
    public ImageOrigin? FromImage { get; init; }

    /// <summary>
    /// The layer's cache key once it is known (for a prebuilt layer, its digest): everything its bytes depend on,
    /// so the bundle can tell from these alone that nothing it flattens changed.
    /// </summary>
    public byte[]? Fingerprint { get; set; }

    /// <summary>The modulefile this layer installs (a Module item with ModuleFile), or null.</summary>
    public Modules.InstalledModuleFile? ModuleFile { get; set; }

    /// <summary>History text for a prebuilt layer (the base image's own history entry), else null.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>Position in the stack, 0 for the bottom layer (set again when a module is split into parts).</summary>
    public int Index { get; set; }

    /// <summary>Which part of its module this layer is (1-based) when the module was split (<see cref="LayerSplit"/>); 0 when it was not.</summary>
    /// <summary>SHA-256 of the item's tarball file (hex), as the planner hashed it to key its index; null for a folder or an image.</summary>
    public string? SourceSha256 { get; init; }

    public int Part { get; init; }

    /// <summary>How many parts its module was split into; 0 when it was not.</summary>
    public int Parts { get; init; }

    /// <summary>
    /// How many entries at the start of a part are parent folders that an earlier part holds too: the layer ends a bundle
    /// segment after them, so that its next segment begins where the bundle's does (after a large file, always) and
    /// the bundle can copy it out of the part's blob.
    /// </summary>
    public int LeadingParents { get; init; }

    public IReadOnlyList<PlannedEntry> Entries => _entries;

    /// <summary>The entry at an image path (key form), or null.</summary>
    public PlannedEntry? Find(string key)
    {
        int i = _keys.BinarySearch(key, TarPath.Comparer);
        return i >= 0 ? _entries[i] : null;
    }

    /// <summary>
    /// Whether this layer deletes <paramref name="key"/> from the layers below: a whiteout of the path or of
    /// one of its ancestors, or an opaque marker in one of its ancestors.
    /// </summary>
    public bool Hides(string key)
    {
        for (string? k = key; k is { Length: > 0 }; k = TarPath.Parent(k))
        {
            string parent = TarPath.Parent(k)!;
            if (Find(TarPath.Join(parent, TarPath.WhiteoutPrefix + TarPath.BaseName(k))) is not null) return true;
            if (Find(TarPath.Join(parent, TarPath.OpaqueWhiteout)) is not null) return true;
        }
        return false;
    }

    /// <summary>Adds entries (parent directories, whiteouts) after planning, keeping the order.</summary>
    public void Add(PlannedEntry entry)
    {
        int i = _keys.BinarySearch(entry.Key, TarPath.Comparer);
        if (i >= 0) { _entries[i] = entry; return; }
        _entries.Insert(~i, entry);
        _keys.Insert(~i, entry.Key);
    }
}
