using System.Text.RegularExpressions;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Architecture;

/// <summary>
/// The arrows ARCHITECTURE.md allows, read from the document itself so that the rule the tests hold and the rule the
/// reader is told are one text: the table "| Room | What it holds | May use |" (rows from the bottom room up) and the
/// line "The tasks (`src/ContainerSdk.Tasks`) may use: ...".
/// </summary>
internal sealed partial record ArchitectureTable(IReadOnlyList<string> Rooms, IReadOnlyDictionary<string, IReadOnlySet<string>> MayUse, IReadOnlySet<string> TasksMayUse)
{
    /// <summary>The project that is not a room but whose arrows into the rooms are held too.</summary>
    public const string Tasks = "Tasks";

    public static ArchitectureTable Read() => Parse(File.ReadAllText(Path.Combine(RepoRoot.Path, "ARCHITECTURE.md")));

    [GeneratedRegex(@"^The tasks \(`src/ContainerSdk\.Tasks`\) may use: ([^.]+)\.", RegexOptions.Multiline)]
    private static partial Regex TasksLine();

    [GeneratedRegex(@"^(?<low>\w+) and below(?: \(not (?<not>[\w, ]+)\))?$")]
    private static partial Regex AndBelow();

    public static ArchitectureTable Parse(string markdown)
    {
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int header = lines.FindIndex(l => Cells(l) is ["Room", "What it holds", "May use"]);
        if (header < 0) throw new FormatException("ARCHITECTURE.md has no table '| Room | What it holds | May use |'.");
        var rooms = new List<string>();
        var mayUse = new Dictionary<string, IReadOnlySet<string>>();
        foreach (var line in lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = Cells(line);
            if (cells.Length != 3) throw new FormatException($"ARCHITECTURE.md's room table has a row without three cells: {line}");
            string room = cells[0];
            mayUse[room] = MayUseCell(cells[2], rooms, room);
            rooms.Add(room);
        }
        var tasks = TasksLine().Match(markdown);
        if (!tasks.Success) throw new FormatException("ARCHITECTURE.md does not say which rooms the tasks may use ('The tasks (`src/ContainerSdk.Tasks`) may use: ...').");
        var tasksMayUse = MayUseCell(tasks.Groups[1].Value, rooms, Tasks);
        return new ArchitectureTable(rooms, mayUse, tasksMayUse);
    }

    /// <summary>The rooms of a "May use" cell; <paramref name="below"/> are the rows above it in the table (the rooms below this one).</summary>
    private static IReadOnlySet<string> MayUseCell(string cell, IReadOnlyList<string> below, string of)
    {
        string text = cell.Replace("`", "").Trim();
        if (text == "nothing") return new HashSet<string>();
        if (text is "everything" or "the rooms above this line") return below.ToHashSet();
        var andBelow = AndBelow().Match(text);
        if (andBelow.Success)
        {
            string low = andBelow.Groups["low"].Value;
            int at = below.ToList().IndexOf(low);
            if (at < 0) throw new FormatException($"{of} may use '{text}', but {low} is not a room above its row.");
            var set = below.Take(at + 1).ToHashSet();
            set.ExceptWith(andBelow.Groups["not"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            return set;
        }
        var listed = text.Split(',', StringSplitOptions.TrimEntries).ToHashSet();
        var unknown = listed.Where(r => !below.Contains(r) && of != Tasks).ToList();
        if (unknown.Count > 0) throw new FormatException($"{of} may use {string.Join(", ", unknown)}, which are not rooms above its row (a room uses only rooms below it).");
        return listed;
    }

    private static string[] Cells(string line) =>
        line.StartsWith('|') ? line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray() : Array.Empty<string>();
}
