using System.Xml;

namespace ContainerSdk.Tasks;

/// <summary>
/// Finds where an item is declared, for errors about it: MSBuild gives tasks no item positions, yet an IDE should jump
/// to the <c>&lt;Module Include="..."&gt;</c> at fault. The file is the one MSBuild says defines the item (its
/// DefiningProjectFullPath: the project, or the import the item comes from); its XML is read only on the error path.
/// A line is given only when it is certain: the one element of that type whose Include names the item literally, or
/// else the one element of that type whose Include is computed (a property, a wildcard, another item). Otherwise the
/// error keeps the file without a line, never a wrong one.
/// </summary>
public static class ItemLocator
{
    public static (int Line, int Column) Find(string file, string? itemType, string itemSpec)
    {
        var literal = new List<(int, int)>();
        var computed = new List<(int, int)>();
        try
        {
            using var reader = XmlReader.Create(file, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, IgnoreComments = true });
            var lineInfo = (IXmlLineInfo)reader;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || (itemType is not null && reader.LocalName != itemType)) continue;
                var include = reader.GetAttribute("Include");
                if (include is null) continue;
                var at = (lineInfo.LineNumber, lineInfo.LinePosition - 1);
                var parts = include.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (parts.Any(part => SamePath(part, itemSpec))) literal.Add(at);
                else if (parts.Any(IsComputed)) computed.Add(at);
            }
        }
        catch (Exception e) when (e is IOException or XmlException or UnauthorizedAccessException)
        {
            return (0, 0);
        }
        return literal.Count == 1 ? literal[0] : literal.Count == 0 && computed.Count == 1 ? computed[0] : (0, 0);
    }

    private static bool IsComputed(string include) => include.IndexOfAny(new[] { '$', '@', '%', '*', '?' }) >= 0;

    private static bool SamePath(string a, string b) =>
        string.Equals(a.Replace('\\', '/').TrimEnd('/'), b.Replace('\\', '/').TrimEnd('/'), StringComparison.Ordinal);
}
