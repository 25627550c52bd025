using ContainerSdk.Core.Cache;

namespace ContainerSdk.Core.Bundle;

/// <summary>
/// The bundle's requests to the far segment store (<see cref="IBundleSegmentStore"/>), a few at a time: one thread
/// waits for them all, none is blocked per request.
/// </summary>
internal sealed class FarSegments(IBundleSegmentStore store)
{
    // Requests at once: segments are small, so round trips, not bytes, are what overlapping saves.
    private const int Requests = 4;

    /// <summary>Takes each segment the store has into the segment folder; for each, whether it did.</summary>
    public bool[] Fetch(IReadOnlyList<BundleSegment> segments) => Bounded(segments, s => s.FetchAsync(store));

    /// <summary>Stores each segment this build compressed (a failure is the store's warning, once).</summary>
    public void Put(IReadOnlyList<BundleSegment> compressed) =>
        Bounded(compressed, async s => { await store.PutAsync(s.Name, s.Path, s.Written!.Value); return true; });

    private static bool[] Bounded(IReadOnlyList<BundleSegment> segments, Func<BundleSegment, Task<bool>> request)
    {
        using var slots = new SemaphoreSlim(Requests);
        return Task.WhenAll(segments.Select(async s =>
        {
            await slots.WaitAsync();
            try { return await request(s); }
            finally { slots.Release(); }
        })).GetAwaiter().GetResult();
    }
}
