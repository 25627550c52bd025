using ContainerSdk.Core.Cache;
using ContainerSdk.Core.Layers;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// Where each of the bundle's segments comes from, counted for the bundle's line: the segment folder (reused), a layer
/// blob that holds it compressed (copied straight out of it), the far store (fetched into the segment folder), or this
/// build's compressor (<see cref="ToCompress"/>).
/// </summary>
internal sealed class SegmentSources
{
    private readonly Dictionary<string, LayerSegmentCopy.Source> _inLayers;
    private readonly BlobStamps _stamps;

    private SegmentSources(Dictionary<string, LayerSegmentCopy.Source> inLayers, BlobStamps stamps, int reused, int fetched, IReadOnlyList<BundleSegment> toCompress)
    {
        _inLayers = inLayers;
        _stamps = stamps;
        Reused = reused;
        Fetched = fetched;
        ToCompress = toCompress;
    }

    public int Reused { get; private set; }
    public int Fetched { get; }

    /// <summary>How many segments are copied out of layer blobs (fewer once a damaged one is compressed instead).</summary>
    public int InLayers => _inLayers.Count;

    /// <summary>The segments no cache holds.</summary>
    public IReadOnlyList<BundleSegment> ToCompress { get; }

    /// <param name="layerBlobs">The layers' blobs: a segment that one of them holds (<see cref="LayerSegments"/>) is copied out of it, not compressed.</param>
    public static SegmentSources Find(IReadOnlyList<BundleSegment> segments, BuildContext context, IReadOnlyList<string> layerBlobs)
    {
        var missing = segments.Where(s => !SegmentSum.IsRecorded(s.Path)).ToList();
        int reused = segments.Count - missing.Count;
        // A layer written with the bundle's segment boundaries holds most of them already compressed: they are appended
        // straight from its blob.
        var inLayers = LayerSegmentCopy.Find(missing.Select(s => s.Name), context.Paths, layerBlobs);
        var stamps = new BlobStamps(context.Paths.BlobStamps);
        missing = missing.Where(s => !inLayers.ContainsKey(s.Name)).ToList();
        // The rest hold entries of several layers (their folders interleave in the flattened tree): another machine may
        // have compressed them already.
        int fetched = 0;
        if (context.SegmentStore is { } far && missing.Count > 0)
        {
            var got = new FarSegments(far).Fetch(missing);
            missing = missing.Where((_, i) => !got[i]).ToList();
            fetched = got.Count(g => g);
        }
        return new SegmentSources(inLayers, stamps, reused, fetched, missing);
    }

    /// <summary>Appends the segment: out of its layer blob, else from the segment folder; false when its bytes were not whole.</summary>
    public bool CopyTo(BundleSegment segment, FileStream bundle) =>
        _inLayers.TryGetValue(segment.Name, out var source)
            ? LayerSegmentCopy.CopyTo(source, _stamps, bundle)
            : SegmentSum.CopyVerified(segment.Path, bundle);

    /// <summary>A segment the first pass found damaged: compressed into the segment folder on the next, and counted as compressed.</summary>
    public void Damaged(BundleSegment segment)
    {
        if (!_inLayers.Remove(segment.Name)) Reused--;
    }
}
