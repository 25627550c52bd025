using ContainerSdk.Core.Acl;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Acl;

/// <summary>Dumps written by the real getfacl -R, parsed and rendered back, compared byte for byte.</summary>
public sealed class AclDumpRoundTripTests
{
    private static IReadOnlyList<AclDumpEntry> Parse(string text, string root = "/", INameResolver? names = null) =>
        AclDumpParser.Parse(new StringReader(text), "site.acl", root, names ?? PasswdResolver.Empty());

    private static string Render(IEnumerable<AclDumpEntry> entries, string root = "/")
    {
        var w = new StringWriter();
        AclDumpWriter.WriteAll(w, entries, root);
        return w.ToString();
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Numeric_dump_renders_back_exactly_as_getfacl_n_prints_it()
    {
        using var tree = AclTree.Create();
        tree.Populate();
        var numeric = tree.GetFacl(numeric: true);

        var entries = Parse(numeric);

        Assert.Equal(numeric, Render(entries));
        Assert.Contains("\t#effective:", numeric); // the corpus exercises the mask comments
        Assert.Contains("\\012", numeric);
        Assert.Contains("\\\\", numeric);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Named_dump_resolves_to_the_same_ids_as_the_numeric_dump()
    {
        using var tree = AclTree.Create();
        tree.Populate();
        var names = AclTree.MachineNames();

        var named = Parse(tree.GetFacl(numeric: false), names: names);
        var numeric = Parse(tree.GetFacl(numeric: true));

        Assert.Equal(numeric, named, new EntryComparer());
        Assert.Equal(tree.GetFacl(numeric: true), Render(named));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Paths_special_characters_flags_and_defaults_are_read_as_the_tree_has_them()
    {
        using var tree = AclTree.Create();
        tree.Populate();
        var byPath = Parse(tree.GetFacl(numeric: true)).ToDictionary(e => e.Path);

        Assert.Contains("/", byPath.Keys);
        Assert.Contains("/sp ace", byPath.Keys);
        Assert.Contains("/back\\slash", byPath.Keys);
        Assert.Contains("/new\nline", byPath.Keys);
        Assert.Contains("/car\riage", byPath.Keys);
        Assert.Contains("/ta\tb", byPath.Keys);
        Assert.Contains("/ünïcödé-数据", byPath.Keys);
        Assert.Contains("/sub/deeper/f", byPath.Keys);

        Assert.Equal(AclFlags.SetGid, byPath["/shared"].Flags);
        Assert.Equal(AclFlags.Sticky, byPath["/tmp"].Flags);
        Assert.Equal(AclFlags.SetUid, byPath["/tool"].Flags);
        Assert.Equal(AclFlags.None, byPath["/plain"].Flags);

        var named = byPath["/named"].Acls.Access!;
        Assert.Contains(AclEntry.User(0, 7), named.Entries);
        Assert.Contains(AclEntry.User(4242, 4), named.Entries);
        Assert.Contains(AclEntry.Group(4343, 2), named.Entries);
        Assert.True(named.IsExtended);
        Assert.False(byPath["/plain"].Acls.Access!.IsExtended);

        var shared = byPath["/shared"].Acls;
        Assert.NotNull(shared.Default);
        Assert.Contains(AclEntry.User(4242, 7), shared.Default!.Entries);
        Assert.Contains(AclEntry.Group(4343, 5), shared.Default.Entries);
        Assert.Null(byPath["/named"].Acls.Default);
        Assert.Equal(0u, byPath["/named"].Owner);
        Assert.Equal(0u, byPath["/named"].Group);

        // The "#effective" comment is ignored: the entry keeps its own permissions, the mask restricts them.
        var masked = byPath["/masked"].Acls.Access!;
        Assert.Contains(AclEntry.User(4242, 7), masked.Entries);
        Assert.Equal(4, masked.MaskPerms);
        Assert.Equal(4, masked.GroupClassPerms);
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Relative_paths_start_at_Root_and_render_back_relative_to_it()
    {
        using var tree = AclTree.Create();
        tree.Populate();
        var numeric = tree.GetFacl(numeric: true);

        var entries = Parse(numeric, root: "/opt/site/");

        Assert.Equal("/opt/site", entries[0].Path);
        Assert.Contains(entries, e => e.Path == "/opt/site/sub/deeper/f");
        Assert.Equal(numeric, Render(entries, root: "/opt/site"));
    }

    [Trait("Category", "EndToEnd")]
    [Fact]
    public void Setfacl_restore_applies_a_dump_written_by_AclDumpWriter()
    {
        Tools.RequireRoot("setfacl --restore chowns to the dump's owner 0");
        using var tree = AclTree.Create();
        tree.Populate();
        var wanted = Parse(tree.GetFacl(numeric: true));

        // A fresh tree of the same shape without any ACL, mode bits scrambled: restore must bring all of it back.
        using var fresh = AclTree.Create();
        foreach (var e in wanted.Where(e => e.Path != "/"))
        {
            var isDir = Directory.Exists(Path.Combine(tree.Root, e.Path[1..]));
            if (isDir) fresh.Folder(e.Path[1..]); else fresh.File(e.Path[1..]);
        }
        var dump = Render(wanted);
        var dumpPath = Path.Combine(Path.GetTempPath(), $"csdk-restore-{Guid.NewGuid():N}.acl");
        File.WriteAllText(dumpPath, dump);
        try
        {
            Tools.Run("setfacl", new[] { "--restore", dumpPath }, workingDirectory: fresh.Root).EnsureSuccess("setfacl --restore");
        }
        finally
        {
            File.Delete(dumpPath);
        }

        var restored = Parse(fresh.GetFacl(numeric: true)).ToDictionary(e => e.Path);
        Assert.Equal(wanted.Count, restored.Count);
        foreach (var e in wanted)
            Assert.Equal(Render(new[] { e }), Render(new[] { restored[e.Path] }));
    }

    [Fact]
    public void Short_forms_and_extra_whitespace_that_setfacl_accepts_are_read()
    {
        const string text = "# file: opt/x\n# owner: 7\n# group: 8\n# flags: s-t\nu::rwx\nu:1001:r--\ng::r-x\nm:rwx\no::---\nd:u::rwx\nd:g::r-x\nd:o:r--\n\n\n  # some comment\n# file: /abs\r\nuser::rw-\r\ngroup::r--\r\nother::r--\r\n";
        var entries = Parse(text);

        Assert.Equal(2, entries.Count);
        var x = entries[0];
        Assert.Equal("/opt/x", x.Path);
        Assert.Equal(7u, x.Owner);
        Assert.Equal(8u, x.Group);
        Assert.Equal(AclFlags.SetUid | AclFlags.Sticky, x.Flags);
        Assert.Equal(1, x.Line);
        Assert.Equal("user::rwx,user:1001:r--,group::r-x,mask::rwx,other::---", x.Acls.Access!.ToString());
        Assert.Equal("user::rwx,group::r-x,other::r--", x.Acls.Default!.ToString());
        Assert.Equal("/abs", entries[1].Path);
        Assert.Equal(16, entries[1].Line);
        Assert.Null(entries[1].Owner);
    }

    private sealed class EntryComparer : IEqualityComparer<AclDumpEntry>
    {
        public bool Equals(AclDumpEntry? a, AclDumpEntry? b) => a == b; // records: PosixAcl compares by entries
        public int GetHashCode(AclDumpEntry e) => e.Path.GetHashCode();
    }
}
