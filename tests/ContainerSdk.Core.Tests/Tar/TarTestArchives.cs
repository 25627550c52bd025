using System.Text;
using ContainerSdk.Core.Tar;

using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Tar;

/// <summary>Small helpers to build archives in memory and read them back.</summary>
internal static class TarTestArchives
{
    public static byte[] Write(params (TarHeader Header, byte[]? Content)[] entries)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output))
        {
            foreach (var (header, content) in entries)
                writer.WriteEntry(header, content is null ? null : new MemoryStream(content));
        }
        return output.ToArray();
    }

    public static List<(TarHeader Header, byte[] Content)> ReadAll(byte[] archive, string name = "test.tar") =>
        ReadAll(new MemoryStream(archive), name);

    public static List<(TarHeader Header, byte[] Content)> ReadAll(Stream archive, string name = "test.tar")
    {
        var result = new List<(TarHeader, byte[])>();
        using var reader = new TarReader(archive, name);
        while (reader.Next() is { } header)
        {
            using var content = new MemoryStream();
            reader.Content.CopyTo(content);
            result.Add((header, content.ToArray()));
        }
        return result;
    }

    public static TarHeader Regular(string name, int size = 0, int mode = 0x1A4) =>
        new() { Name = name, Type = TarEntryType.Regular, Size = size, Mode = mode };

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Ascii(byte[] data, int offset, int length) => Encoding.Latin1.GetString(data, offset, length);

    /// <summary>The PAX records data of the 'x' header at <paramref name="offset"/> (size from its octal field).</summary>
    public static string PaxData(byte[] archive, int offset = 0)
    {
        Assert.Equal((byte)'x', archive[offset + 156]);
        int size = Convert.ToInt32(Ascii(archive, offset + 124, 11), 8);
        return Encoding.UTF8.GetString(archive, offset + 512, size);
    }
}
