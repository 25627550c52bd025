using System.Xml;

namespace ContainerSdk.Tasks;

/// <summary>
/// Finds where an item or a property is declared, for errors about it: MSBuild gives tasks no positions, yet an IDE
/// should jump to the <c>&lt;Module Include="..."&gt;</c> or <c>&lt;ContainerImageTag&gt;</c> at fault (VS Code's
/// problem matcher shows no error without a line). The file is the one MSBuild says defines the item (its
/// DefiningProjectFullPath: the project, or the import the item comes from); its XML is read only on the error path.
/// An item gets a line only when it is certain: the one element of that type whose Include names the item literally,
/// or else the one element of that type whose Include is computed (a property, a wildcard, another item). Otherwise
/// the error keeps the file without a line, never a wrong one.
/// </summary>
internal static class ItemLocator
{
    public static (int Line, int Column) Find(string file, string? itemType, string itemSpec)
    {
        var literal = new List<(int, int)>();
        var computed = new List<(int, int)>();
        bool read = Scan(file, (reader, at) =>
        {
            if (itemType is not null && reader.LocalName != itemType) return true;
            var include = reader.GetAttribute("Include");
            if (include is null) return true;
            var parts = include.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Any(part => SamePath(part, itemSpec))) literal.Add(at);
            else if (parts.Any(IsComputed)) computed.Add(at);
            return true;
        });
        if (!read) return (0, 0);
        return literal.Count == 1 ? literal[0] : literal.Count == 0 && computed.Count == 1 ? computed[0] : (0, 0);
    }

    /// <summary>The last definition of a property in the project file (the one that wins), else (0, 0).</summary>
    public static (int Line, int Column) FindProperty(string projectFile, string propertyName)
    {
        var found = (0, 0);
        Scan(projectFile, (reader, at) =>
        {
            if (reader.LocalName == propertyName && reader.Depth >= 2) found = at;
            return true;
        });
        return found;
    }

    /// <summary>The project's root element: where an error about the project as a whole points.</summary>
    public static (int Line, int Column) FindProject(string projectFile)
    {
        var found = (0, 0);
        Scan(projectFile, (reader, at) =>
        {
            found = at;
            return false;
        });
        return found;
    }

    /// <summary>Calls <paramref name="visit"/> for each element with its position until it returns false; false when the file cannot be read.</summary>
    private static bool Scan(string file, Func<XmlReader, (int Line, int Column), bool> visit)
    {
        try
        {
            using var reader = XmlReader.Create(file, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, IgnoreComments = true });
            var lineInfo = (IXmlLineInfo)reader;
            while (reader.Read())
                if (reader.NodeType == XmlNodeType.Element && !visit(reader, (lineInfo.LineNumber, lineInfo.LinePosition - 1)))
                    break;
            return true;
        }
        catch (Exception e) when (e is IOException or XmlException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsComputed(string include) => include.IndexOfAny(new[] { '$', '@', '%', '*', '?' }) >= 0;

    private static bool SamePath(string a, string b) =>
        string.Equals(a.Replace('\\', '/').TrimEnd('/'), b.Replace('\\', '/').TrimEnd('/'), StringComparison.Ordinal);
}
