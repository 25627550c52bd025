namespace ContainerSdk.Core.IO;

/// <summary>
/// A write stream whose own buffer a writer can fill in place: the tar writer reads file content straight into the
/// compressor's chunk instead of into a buffer of its own and copying it over, one copy of every byte fewer.
/// </summary>
internal interface IInPlaceSink
{
    /// <summary>Free space at the end of the sink's current buffer; never empty.</summary>
    Memory<byte> GetMemory();

    /// <summary>The first <paramref name="count"/> bytes of the last <see cref="GetMemory"/> were filled: they are written.</summary>
    void Advance(int count);
}
