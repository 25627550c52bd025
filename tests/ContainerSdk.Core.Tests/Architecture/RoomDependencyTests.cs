using System.Text.RegularExpressions;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Architecture;

/// <summary>
/// The engine's rooms (its top-level folders, one namespace each) are layers: each may name only the rooms below it,
/// so there is no cycle and the OCI types, IO and the error vocabulary stand on their own. ARCHITECTURE.md draws the
/// same arrows. A room is named through a <c>using</c> or a full <c>ContainerSdk.Core.Room.</c> name.
/// </summary>
public sealed partial class RoomDependencyTests
{
    /// <summary>Each room and the rooms it may use; a room not listed here fails the test until it is placed.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Diagnostics"] = Array.Empty<string>(),
        ["IO"] = Array.Empty<string>(),
        ["Oci"] = Array.Empty<string>(),
        ["Modules"] = new[] { "Diagnostics" },
        ["Tar"] = new[] { "IO", "Diagnostics" },
        ["Acl"] = new[] { "Tar", "IO", "Diagnostics" },
        ["Squashfs"] = new[] { "IO", "Diagnostics" },
        ["Inputs"] = new[] { "Tar", "Oci", "Diagnostics" },
        ["Blobs"] = new[] { "Inputs", "Oci", "IO", "Diagnostics" },
        ["Registry"] = new[] { "Blobs", "Inputs", "Oci", "IO", "Diagnostics" },
        ["Cache"] = new[] { "Registry", "Blobs", "Inputs", "Tar", "Oci", "IO", "Diagnostics" },
        ["Images"] = new[] { "Registry", "Blobs", "Tar", "Oci", "IO", "Diagnostics" },
        ["Layers"] = new[] { "Images", "Cache", "Blobs", "Inputs", "Modules", "Acl", "Tar", "Oci", "IO", "Diagnostics" },
        ["Bundle"] = new[] { "Squashfs", "Layers", "Cache", "Blobs", "Inputs", "Acl", "Tar", "Oci", "IO", "Diagnostics" },
        ["Outputs"] = new[] { "Layers", "Registry", "Cache", "Blobs", "Inputs", "Modules", "Tar", "Oci", "IO", "Diagnostics" },
        ["Engine"] = new[] { "Outputs", "Bundle", "Squashfs", "Layers", "Images", "Cache", "Registry", "Blobs", "Inputs", "Modules", "Acl", "Tar", "Oci", "IO", "Diagnostics" },
    };

    [GeneratedRegex(@"\bContainerSdk\.Core\.(\w+)")]
    private static partial Regex RoomName();

    private static string CoreSource => Path.Combine(RepoRoot.Path, "src", "ContainerSdk.Core");

    /// <summary>Every reference from one room's files to another room, as (from, to, file).</summary>
    private static List<(string From, string To, string File)> References(string source)
    {
        var found = new List<(string, string, string)>();
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal) || !relative.Contains('/')) continue;
            string room = relative[..relative.IndexOf('/')];
            // Comments may name a room in prose; code names it.
            var code = string.Join('\n', File.ReadLines(file).Select(l => l.Split("//")[0]));
            foreach (Match m in RoomName().Matches(code))
                if (m.Groups[1].Value != room && m.Groups[1].Value != "Tests") found.Add((room, m.Groups[1].Value, relative));
        }
        return found;
    }

    [Fact]
    public void Every_room_is_placed_and_names_only_rooms_below_it()
    {
        var rooms = Directory.EnumerateDirectories(CoreSource).Select(Path.GetFileName).Where(n => n is not ("obj" or "bin")).ToList();
        Assert.DoesNotContain(rooms, r => !Allowed.ContainsKey(r!));
        var forbidden = Forbidden(CoreSource);
        Assert.True(forbidden.Count == 0, "arrows ARCHITECTURE.md does not allow:\n" + string.Join("\n", forbidden));
    }

    private static List<string> Forbidden(string source) => References(source).Where(r => !Allowed[r.From].Contains(r.To))
        .Select(r => $"{r.File}: {r.From} -> {r.To}").Distinct().ToList();

    [Fact]
    public void The_allowed_arrows_have_no_cycle()
    {
        // Depth-first: a room reached again while it is being visited closes a cycle.
        var state = new Dictionary<string, int>();
        bool Cyclic(string room)
        {
            if (state.TryGetValue(room, out var s)) return s == 1;
            state[room] = 1;
            bool cyclic = Allowed[room].Any(Cyclic);
            state[room] = 2;
            return cyclic;
        }
        Assert.DoesNotContain(Allowed.Keys, Cyclic);
    }

    [Fact]
    public void The_scan_sees_a_forbidden_arrow_and_ignores_comments()
    {
        using var dir = new TempDir("rooms");
        Directory.CreateDirectory(dir.Combine("Oci"));
        File.WriteAllText(dir.Combine("Oci", "Bad.cs"), "using ContainerSdk.Core.Engine;\nnamespace ContainerSdk.Core.Oci;\n");
        File.WriteAllText(dir.Combine("Oci", "Fine.cs"), "namespace ContainerSdk.Core.Oci;\n// see ContainerSdk.Core.Layers for who reads this\n");
        Assert.Equal(new[] { "Oci/Bad.cs: Oci -> Engine" }, Forbidden(dir.Path));
    }
}
