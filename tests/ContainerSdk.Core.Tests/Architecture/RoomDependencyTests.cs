using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Architecture;

/// <summary>
/// The engine's rooms (its top-level folders, one namespace each) are layers: each may name only the rooms below it,
/// so there is no cycle and the OCI types, IO and the error vocabulary stand on their own; the tasks name only the
/// rooms ARCHITECTURE.md lets them. The allowed arrows are read from ARCHITECTURE.md's table, so the document and the
/// code cannot disagree: a new arrow is a change to both.
/// </summary>
public sealed class RoomDependencyTests
{
    private static string Source => Path.Combine(RepoRoot.Path, "src");

    private static readonly Lazy<ArchitectureTable> Table = new(ArchitectureTable.Read);

    private static readonly Lazy<RoomReferences> Scanner = new(() => RoomReferences.Of(Path.Combine(Source, "ContainerSdk.Core")));

    /// <summary>Every arrow of the engine and of the tasks that the table does not allow, as "file:line: From -> To".</summary>
    private static List<string> Forbidden(string source, RoomReferences scanner, ArchitectureTable table)
    {
        var forbidden = new List<string>();
        foreach (var (project, roomOf) in new (string, Func<string, string?>)[]
                 {
                     ("ContainerSdk.Core", relative => relative.Contains('/') ? relative[..relative.IndexOf('/')] : null),
                     ("ContainerSdk.Tasks", _ => ArchitectureTable.Tasks),
                 })
        {
            string root = Path.Combine(source, project);
            if (!Directory.Exists(root)) continue;
            var projectRooms = new HashSet<string>();
            var opened = new List<(string Room, string Where)>();
            foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(root, file);
                if (relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal)) continue;
                string text = File.ReadAllText(file);
                string? from = roomOf(relative);
                opened.AddRange(scanner.GloballyOpened(text).Select(r => (r, $"{project}/{relative}")));
                if (from is null) continue;
                projectRooms.Add(from);
                foreach (var (to, line) in scanner.Named(text))
                    if (to != from && !Allows(table, from, to)) forbidden.Add($"{project}/{relative}:{line}: {from} -> {to}");
            }
            foreach (var csproj in Directory.EnumerateFiles(root, "*.csproj"))
                opened.AddRange(scanner.GloballyOpened(File.ReadAllText(csproj), project: true).Select(r => (r, $"{project}/{Path.GetFileName(csproj)}")));
            // A global using opens a room to every file of the project: each of its rooms then names it.
            foreach (var (to, where) in opened)
                foreach (var from in projectRooms.Where(f => f != to && !Allows(table, f, to)))
                    forbidden.Add($"{where}: global using: {from} -> {to}");
        }
        return forbidden;
    }

    private static bool Allows(ArchitectureTable table, string from, string to) =>
        from == ArchitectureTable.Tasks ? table.TasksMayUse.Contains(to) : table.MayUse.TryGetValue(from, out var allowed) && allowed.Contains(to);

    [Fact]
    public void The_table_places_every_room_and_only_rooms()
    {
        Assert.Equal(Scanner.Value.Rooms.Order(StringComparer.Ordinal), Table.Value.Rooms.Order(StringComparer.Ordinal));
        Assert.Empty(Table.Value.TasksMayUse.Except(Table.Value.Rooms));
    }

    [Fact]
    public void Every_room_and_the_tasks_name_only_what_ARCHITECTURE_md_allows()
    {
        var forbidden = Forbidden(Source, Scanner.Value, Table.Value);
        Assert.True(forbidden.Count == 0, "arrows ARCHITECTURE.md does not allow:\n" + string.Join("\n", forbidden));
    }

    [Fact]
    public void A_room_may_use_only_rooms_below_it_so_there_is_no_cycle()
    {
        // The table's rows go from the bottom room up: a room may use only rows above its own, so no arrow closes a loop.
        var rows = Table.Value.Rooms;
        var upward = rows.SelectMany((room, i) => Table.Value.MayUse[room].Where(to => rows.ToList().IndexOf(to) >= i).Select(to => $"{room} -> {to}")).ToList();
        Assert.Empty(upward);
    }

    [Fact]
    public void The_table_is_read_as_it_is_written()
    {
        var table = ArchitectureTable.Parse("""
            | Room | What it holds | May use |
            |------|---------------|---------|
            | IO | files | nothing |
            | Oci | types | IO |
            | Tar | tar | `Oci`, IO |
            | Layers | plans | the rooms above this line |
            | Bundle | the bundle | Tar and below (not Oci) |
            | Engine | the root | everything |

            The tasks (`src/ContainerSdk.Tasks`) may use: Engine, IO.
            """.Replace("\n            ", "\n"));
        Assert.Equal(new[] { "IO", "Oci", "Tar", "Layers", "Bundle", "Engine" }, table.Rooms);
        Assert.Empty(table.MayUse["IO"]);
        Assert.Equal(new[] { "IO", "Oci" }, table.MayUse["Tar"].Order());
        Assert.Equal(new[] { "IO", "Oci", "Tar" }, table.MayUse["Layers"].Order());
        Assert.Equal(new[] { "IO", "Tar" }, table.MayUse["Bundle"].Order());
        Assert.Equal(5, table.MayUse["Engine"].Count);
        Assert.Equal(new[] { "Engine", "IO" }, table.TasksMayUse.Order());
        Assert.Throws<FormatException>(() => ArchitectureTable.Parse("| Room | What it holds | May use |\n|-|-|-|\n| IO | files | Oci |\n| Oci | types | nothing |\n"));
    }

    /// <summary>The scan over a made-up source tree, against the real rooms and the real table.</summary>
    private static List<string> ForbiddenIn(params (string Path, string Text)[] files)
    {
        using var dir = new TempDir("rooms");
        foreach (var (path, text) in files)
        {
            string full = dir.Combine(path.Split('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        return Forbidden(dir.Path, Scanner.Value, Table.Value);
    }

    [Fact]
    public void The_scan_sees_a_forbidden_arrow_by_full_name_by_short_name_and_by_using()
    {
        Assert.Equal(
            new[]
            {
                "ContainerSdk.Core/Oci/Full.cs:1: Oci -> Engine",
                "ContainerSdk.Core/Oci/Short.cs:1: Oci -> Layers",
                "ContainerSdk.Core/Oci/Static.cs:1: Oci -> Cache",
                "ContainerSdk.Core/Oci/Block.cs:3: Oci -> Bundle",
                "ContainerSdk.Core/Oci/Alias.cs:1: Oci -> Outputs",
                "ContainerSdk.Tasks/Task.cs:2: Tasks -> Cache",
                "ContainerSdk.Core/Oci/Global.cs:1: Oci -> Registry",
                "ContainerSdk.Core/Oci/Global.cs: global using: Oci -> Registry",
            }.Order(),
            ForbiddenIn(
                ("ContainerSdk.Core/Oci/Full.cs", "using ContainerSdk.Core.Engine;\nnamespace ContainerSdk.Core.Oci;\n"),
                ("ContainerSdk.Core/Oci/Short.cs", "namespace ContainerSdk.Core.Oci; class X { Layers.LayerPlan p; }"),
                ("ContainerSdk.Core/Oci/Static.cs", "using static global::ContainerSdk.Core.Cache.WorkPaths;\nnamespace ContainerSdk.Core.Oci;\n"),
                ("ContainerSdk.Core/Oci/Block.cs", "namespace ContainerSdk.Core.Oci\n{\n    using Bundle;\n}\n"),
                ("ContainerSdk.Core/Oci/Alias.cs", "using W = ContainerSdk.Core.Outputs.IImageWriter;\nnamespace ContainerSdk.Core.Oci;\n"),
                ("ContainerSdk.Core/Oci/Global.cs", "global using ContainerSdk.Core.Registry;\n"),
                ("ContainerSdk.Tasks/Task.cs", "namespace ContainerSdk.Tasks;\nclass T { Core.Cache.WorkPaths p; }\n")).Order());
    }

    [Fact]
    public void The_scan_ignores_comments_strings_and_members_that_share_a_room_s_name()
    {
        Assert.Empty(ForbiddenIn(("ContainerSdk.Core/Oci/Fine.cs", """"
            namespace ContainerSdk.Core.Oci;
            // see ContainerSdk.Core.Layers for who reads this
            /* and Layers.LayerPlan */
            class Fine
            {
                string c = @"ContainerSdk.Core.Engine ""Bundle.BundleWriter""", d = $"{Layers.Count} Cache.WorkPaths {e:x}";
                string f = $$"""raw ContainerSdk.Core.Engine {{g}} "" Layers.LayerPlan""";
                char h = '"'; string i = "Layers.LayerPlan";
                object Layers => null!; int Count => Layers.GetHashCode();
            }
            """")));
        // The arrow written in code after a "docker://" (which once cut the line there, as a comment would).
        Assert.Equal(new[] { "ContainerSdk.Core/Oci/Fine.cs:5: Oci -> Layers" }, ForbiddenIn(("ContainerSdk.Core/Oci/Fine.cs",
            "namespace ContainerSdk.Core.Oci;\n\nclass Fine\n{\n    string a = \"docker://x\"; Layers.LayerPlan? b;\n}\n")));
    }

    [Fact]
    public void The_lexer_blanks_comments_and_literals_and_keeps_holes_and_lines()
    {
        Assert.Equal("a  \n    b", CSharpCode.Blank("a//\n/**/b"));
        Assert.Equal("x =     ;", CSharpCode.Blank("x = \"//\";"));
        Assert.Equal("x =    y  ;", CSharpCode.Blank("x = $\"{y}\";"));
        Assert.Equal("x =    y    ;", CSharpCode.Blank("x = $\"{y:x}\";"));
        Assert.Equal("x =     ;", CSharpCode.Blank("x = '\\'';"));
        Assert.Equal("x = \"//\";", CSharpCode.Blank("x = \"//\";// c", strings: false).TrimEnd());
    }
}
