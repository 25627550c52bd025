using System.Xml;

namespace ContainerSdk.Tasks;

/// <summary>
/// Finds where a project declares an item or a property, for errors about it: MSBuild gives tasks no positions,
/// yet an IDE should jump to the <c>&lt;Module Include="..."&gt;</c> or <c>&lt;ContainerImageTag&gt;</c> at fault
/// (VS Code's problem matcher does not even show an error without a line). Reads the project file's XML, only on
/// the error path. An item or property that comes from an import, a property expansion or the command line is
/// not found there; the error then points at the project's root element.
/// </summary>
public static class ItemLocator
{
    public static (int Line, int Column) Find(string projectFile, string? itemType, string itemSpec) =>
        Scan(projectFile, reader => (itemType is null || reader.LocalName == itemType)
            && reader.GetAttribute("Include") is { } include
            && include.Split(';').Any(part => SamePath(part.Trim(), itemSpec)), last: false);

    /// <summary>The last definition of a property in the project file (the one that wins), else (0, 0).</summary>
    public static (int Line, int Column) FindProperty(string projectFile, string propertyName) =>
        Scan(projectFile, reader => reader.LocalName == propertyName && reader.Depth >= 2, last: true);

    /// <summary>The project's root element: where an error about the project as a whole points.</summary>
    public static (int Line, int Column) FindProject(string projectFile) =>
        Scan(projectFile, reader => reader.Depth == 0, last: false);

    private static (int Line, int Column) Scan(string projectFile, Func<XmlReader, bool> matches, bool last)
    {
        var found = (0, 0);
        try
        {
            using var reader = XmlReader.Create(projectFile, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, IgnoreComments = true });
            var lineInfo = (IXmlLineInfo)reader;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || !matches(reader)) continue;
                found = (lineInfo.LineNumber, lineInfo.LinePosition - 1);
                if (!last) break;
            }
        }
        catch (Exception e) when (e is IOException or XmlException or UnauthorizedAccessException)
        {
        }
        return found;
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(a.Replace('\\', '/').TrimEnd('/'), b.Replace('\\', '/').TrimEnd('/'), StringComparison.Ordinal);
}
