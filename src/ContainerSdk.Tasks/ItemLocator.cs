using System.Xml;

namespace ContainerSdk.Tasks;

/// <summary>
/// Finds where a project declares an item, for errors about that item: MSBuild gives tasks no item positions,
/// yet an IDE should jump to the <c>&lt;Module Include="..."&gt;</c> at fault. Reads the project file's XML
/// (only on the error path) and matches the Include text; an item that comes from an import or from a
/// property expansion is not found and the error keeps the project file without a line.
/// </summary>
public static class ItemLocator
{
    public static (int Line, int Column) Find(string projectFile, string? itemType, string itemSpec)
    {
        try
        {
            using var reader = XmlReader.Create(projectFile, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, IgnoreComments = true });
            var lineInfo = (IXmlLineInfo)reader;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || (itemType is not null && reader.LocalName != itemType)) continue;
                var include = reader.GetAttribute("Include");
                if (include is null) continue;
                if (include.Split(';').Any(part => SamePath(part.Trim(), itemSpec)))
                    return (lineInfo.LineNumber, lineInfo.LinePosition - 1);
            }
        }
        catch (Exception e) when (e is IOException or XmlException or UnauthorizedAccessException)
        {
        }
        return (0, 0);
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(a.Replace('\\', '/').TrimEnd('/'), b.Replace('\\', '/').TrimEnd('/'), StringComparison.Ordinal);
}
