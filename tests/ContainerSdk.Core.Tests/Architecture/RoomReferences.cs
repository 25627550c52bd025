using System.Text.RegularExpressions;

namespace ContainerSdk.Core.Tests.Architecture;

/// <summary>
/// Which rooms a C# file names, read as the compiler resolves names (comments and string text blanked first):
/// a full name (<c>ContainerSdk.Core.Layers.X</c>, <c>global::</c> too, in any <c>using</c>, <c>global using</c>,
/// <c>using static</c> or alias), <c>Core.Layers.X</c> from inside namespace ContainerSdk, and inside a namespace
/// ContainerSdk.Core.* the short <c>Layers.X</c> (and <c>using Layers;</c>), which C# resolves through the enclosing
/// namespace. A short name counts only where X is a type or namespace of that room, since <c>Layers.Count</c> is as
/// likely a member named Layers as the room.
/// </summary>
internal sealed partial class RoomReferences(IReadOnlyDictionary<string, IReadOnlySet<string>> namesByRoom)
{
    /// <summary>The rooms of src/ContainerSdk.Core (its top-level folders) and the types and namespaces each declares.</summary>
    public static RoomReferences Of(string coreSource)
    {
        var names = new Dictionary<string, IReadOnlySet<string>>();
        foreach (var folder in Directory.EnumerateDirectories(coreSource).Where(d => Path.GetFileName(d) is not ("obj" or "bin")))
        {
            var declared = new HashSet<string>();
            foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            {
                string code = CSharpCode.Blank(File.ReadAllText(file));
                foreach (Match m in Declaration().Matches(code)) declared.Add(m.Groups["name"].Value);
                foreach (Match m in SubNamespace().Matches(code)) declared.Add(m.Groups[1].Value);
            }
            names[Path.GetFileName(folder)] = declared;
        }
        return new RoomReferences(names);
    }

    public IEnumerable<string> Rooms => namesByRoom.Keys;

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record)\s+(?<name>\w+)|\bdelegate\s+[^;(]*?\b(?<name>\w+)\s*[<(]")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\bnamespace\s+ContainerSdk\.Core\.\w+\.(\w+)")]
    private static partial Regex SubNamespace();

    [GeneratedRegex(@"\bnamespace\s+([\w.]+)")]
    private static partial Regex Namespace();

    [GeneratedRegex(@"(?<![\w.])(?:global\s*::\s*)?ContainerSdk\s*\.\s*Core\s*\.\s*(\w+)")]
    private static partial Regex FullName();

    [GeneratedRegex(@"(?<![\w.:])Core\s*\.\s*(\w+)")]
    private static partial Regex CoreName();

    [GeneratedRegex(@"(?<![\w.:])(\w+)\s*\.\s*(\w+)")]
    private static partial Regex ShortName();

    [GeneratedRegex(@"(?<![\w.])using\s+(?:static\s+)?(?:\w+\s*=\s*)?(\w+)\s*[;.]")]
    private static partial Regex ShortUsing();

    [GeneratedRegex(@"\bglobal\s+using\s+(?:static\s+)?(?:\w+\s*=\s*)?(?:global\s*::\s*)?ContainerSdk\s*\.\s*Core\s*\.\s*(\w+)")]
    private static partial Regex GlobalUsing();

    /// <summary>The rooms <paramref name="source"/> (the text of a .cs file) names, each with the line it is first named on.</summary>
    public IEnumerable<(string Room, int Line)> Named(string source)
    {
        string code = CSharpCode.Blank(source);
        var found = new List<(string, int)>();
        void Add(string name, int index)
        {
            if (namesByRoom.ContainsKey(name)) found.Add((name, 1 + code.AsSpan(0, index).Count('\n')));
        }
        foreach (Match m in FullName().Matches(code)) Add(m.Groups[1].Value, m.Index);
        string ns = Namespace().Match(code) is { Success: true } n ? n.Groups[1].Value : "";
        if (ns == "ContainerSdk" || ns.StartsWith("ContainerSdk.", StringComparison.Ordinal))
            foreach (Match m in CoreName().Matches(code)) Add(m.Groups[1].Value, m.Index);
        if (ns.StartsWith("ContainerSdk.Core.", StringComparison.Ordinal))
        {
            foreach (Match m in ShortName().Matches(code))
                if (namesByRoom.TryGetValue(m.Groups[1].Value, out var names) && names.Contains(m.Groups[2].Value)) Add(m.Groups[1].Value, m.Index);
            foreach (Match m in ShortUsing().Matches(code)) Add(m.Groups[1].Value, m.Index);
        }
        return found.DistinctBy(f => f.Item1);
    }

    /// <summary>The rooms a <c>global using</c> in <paramref name="source"/> (or a csproj's <c>&lt;Using Include&gt;</c>) opens to every file of its project.</summary>
    public IEnumerable<string> GloballyOpened(string source, bool project = false) =>
        (project ? ProjectUsing().Matches(source) : GlobalUsing().Matches(CSharpCode.Blank(source)))
        .Select(m => m.Groups[1].Value).Where(namesByRoom.ContainsKey).Distinct();

    [GeneratedRegex(@"<Using\s+Include\s*=\s*""ContainerSdk\.Core\.(\w+)")]
    private static partial Regex ProjectUsing();
}
