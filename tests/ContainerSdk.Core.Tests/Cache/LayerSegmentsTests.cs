using System.Text;
using ContainerSdk.Core.Blobs;
using ContainerSdk.Core.Cache;

namespace ContainerSdk.Core.Tests.Cache;

/// <summary>The segment index as it travels through the registry cache: what another machine sent is taken only when it is well-formed and inside the blob.</summary>
public sealed class LayerSegmentsTests
{
    private static readonly string A = new('a', 64), B = new('b', 64), C = new('c', 64);

    [Fact]
    public void A_portable_index_round_trips_without_the_machine_stamp()
    {
        var segments = new[] { new BlobSegment(A, 0, 100, B), new BlobSegment(C, 100, 50, A) };
        var bytes = LayerSegments.ToPortable(segments);
        Assert.DoesNotContain(":", Encoding.UTF8.GetString(bytes)); // no device:inode:size:mtime:ctime of this machine
        Assert.Equal(segments, LayerSegments.FromPortable(bytes, 150));
    }

    [Theory]
    [InlineData("csdk-layer-segments-1\n")]                                   // the local format (with a stamp), not the portable one
    [InlineData("csdk-layer-segments-portable-1\n{A} 0 100 {B}")]            // no final newline: cut short
    [InlineData("csdk-layer-segments-portable-1\n{A} 0 151 {B}\n")]          // past the blob's end
    [InlineData("csdk-layer-segments-portable-1\n{A} 50 50 {B}\n{C} 0 10 {B}\n")] // out of order, overlapping
    [InlineData("csdk-layer-segments-portable-1\n{A} 0 0 {B}\n")]            // empty
    [InlineData("csdk-layer-segments-portable-1\n../x 0 10 {B}\n")]          // a name that is no digest
    [InlineData("csdk-layer-segments-portable-1\n{A} -1 10 {B}\n")]
    [InlineData("csdk-layer-segments-portable-1\n{A} 0 9223372036854775807 {B}\n")]
    public void A_malformed_or_out_of_range_index_is_not_taken(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text.Replace("{A}", A).Replace("{B}", B).Replace("{C}", C));
        Assert.Null(LayerSegments.FromPortable(bytes, 150));
    }
}
