using System.Text.RegularExpressions;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Architecture;

/// <summary>
/// <c>dotnet test --filter "Category!=EndToEnd"</c> is the fast inner loop (README): it must leave out every test that
/// starts a real tool or server. A test starts one when its code, or a helper it reaches, calls <c>Tools.Require</c>,
/// <c>Tools.Run</c>, <c>Tools.RunBytes</c>, <c>Process.Start</c> or makes a <c>ProcessStartInfo</c> (the registry, the
/// token server's htpasswd, <c>dotnet pack</c>, a build in a child process all come down to these). Such a test carries
/// <c>[Trait("Category", "EndToEnd")]</c>, on itself or on its class; on its class when the class's constructor, fields
/// or fixtures start the tool.
/// The scan reads the test sources as text, like <see cref="EngineSource"/>: a type is a top-level declaration (the
/// files use file-scoped namespaces), a member starts at four spaces of indentation, and helpers are followed by name
/// (<c>Tree.Tarball</c>, <c>RegistryServer.StartAsync</c>, any use of a class whose constructor starts a tool), so when
/// it is unsure it asks for the trait.
/// </summary>
public sealed partial class EndToEndTraitTests
{
    [Fact]
    public void Every_test_that_starts_a_real_tool_or_server_carries_the_EndToEnd_trait()
    {
        var tests = Path.Combine(RepoRoot.Path, "tests");
        var sources = Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(tests, f))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .Where(f => Path.GetFileName(f) != "EndToEndTraitTests.cs") // this file spells the calls it looks for
            .Select(f => (f, File.ReadAllText(Path.Combine(tests, f))));
        var unmarked = Unmarked(sources);
        Assert.True(unmarked.Count == 0,
            "tests that start a real tool or server without [Trait(\"Category\", \"EndToEnd\")] (the fast filter would run them):\n"
            + string.Join("\n", unmarked));
    }

    [Fact]
    public void The_scan_follows_helpers_and_takes_the_trait_on_the_test_or_its_class()
    {
        const string helpers = """
            namespace X;

            public static class Archives
            {
                public static void Tar(string dir) => Tools.Run("tar", "-cf", "a.tar", dir);

                // ln only links two files: not a tool under test.
                public static void Link(string a, string b) => Tools.Run("ln", a, b);
            }

            public sealed class Server : IDisposable
            {
                public Server() => _process = Process.Start("docker-registry")!;
                public void Dispose() { }
            }
            """;
        const string tests = """
            namespace X;

            public sealed class Plain
            {
                private static void Pack() => Tools.Require("tar");

                [Fact]
                public void Tars() => Archives.Tar("d");

                [Trait("Category", "EndToEnd")]
                [Fact]
                public void Tars_marked() => Archives.Tar("d");

                [Fact]
                public void Links() => Archives.Link("a", "b");

                [Theory]
                [InlineData(1)]
                public void Packs_through_a_private_helper(int n)
                {
                    Pack();
                }
            }

            [Trait("Category", "EndToEnd")]
            public sealed class Marked
            {
                [Fact]
                public void Tars() => Archives.Tar("d");
            }

            public sealed class WithServer : IDisposable
            {
                private readonly Server _server = new();

                [Trait("Category", "EndToEnd")]
                [Fact]
                public void Talks() { }

                public void Dispose() => _server.Dispose();
            }
            """;
        Assert.Equal(new[]
        {
            "Plain.Tars: Archives.Tar",
            "Plain.Packs_through_a_private_helper: Plain.Pack",
            "WithServer: _server starts Server (its constructor, fields or fixtures do: the trait goes on the class)",
        }, Unmarked(new[] { ("Helpers.cs", helpers), ("Tests.cs", tests) }));
    }

    [GeneratedRegex(@"Trait\(\s*""Category""\s*,\s*""EndToEnd""\s*\)")]
    private static partial Regex EndToEndTrait();

    [GeneratedRegex(@"^\s*\[(?:Fact|Theory)\b")]
    private static partial Regex TestAttribute();

    [GeneratedRegex(@"^(?:(?:public|internal|private|protected|static|sealed|abstract|partial|file)\s+)*(?:class|record|struct|interface)\s+(\w+)")]
    private static partial Regex TopLevelType();

    [GeneratedRegex(@"^    [^\s{}]")]
    private static partial Regex MemberLine();

    [GeneratedRegex(@"Tools\.(?:Require|Run|RunBytes)\(|Process\.Start\(|new ProcessStartInfo\b")]
    private static partial Regex StartsProcess();

    // Coreutils that only make or look at a test's tree are on every Linux and cost milliseconds: not tools under test.
    [GeneratedRegex(@"^Tools\.Run(?:Bytes)?\(""(?:ln|chmod|chown|stat)""")]
    private static partial Regex Coreutil();

    private enum Kind { Type, Method, Field, Property }

    private sealed class Member
    {
        public List<string> Attributes { get; } = new();
        public List<string> Lines { get; } = new();
        public string? Declaration { get; set; }
        public string Name { get; set; } = "";
        public Kind Kind { get; set; }
        public bool IsStatic { get; set; }
        public bool IsConstructor { get; set; }
        public string Code { get; set; } = "";
        public bool IsTest => Attributes.Any(a => TestAttribute().IsMatch(a));
        public bool HasTrait => Attributes.Any(a => a.TrimStart().StartsWith('[') && EndToEndTrait().IsMatch(a));

        /// <summary>What makes this member start a tool (a call or a helper's name), null while nothing does.</summary>
        public string? Starts { get; set; }
    }

    private sealed class TypeSource(string name, bool isStatic, string header)
    {
        public string Name { get; } = name;
        public bool IsStatic { get; } = isStatic;

        /// <summary>The attributes and the declaration line: fixtures, collections and a primary constructor.</summary>
        public string Header { get; } = header;

        public List<Member> Members { get; } = new();
        public bool IsTest => Members.Any(m => m.IsTest);
        public bool HasTrait => EndToEndTrait().IsMatch(Header);
        public string? Starts { get; set; }
    }

    /// <summary>"Class: why" or "Class.Test: why" for each test that starts a tool without the trait.</summary>
    private static List<string> Unmarked(IEnumerable<(string Path, string Text)> sources)
    {
        var types = sources.SelectMany(s => Parse(s.Text)).ToList();

        // Helpers by name, until no more members start a tool: each pattern names a helper call a test may make.
        var helpers = new Dictionary<string, string>();
        List<(Regex Pattern, string Name)> HelperCalls() => helpers.Select(h => (new Regex(h.Key), h.Value)).ToList();
        for (bool changed = true; changed;)
        {
            changed = false;
            var calls = HelperCalls();
            foreach (var type in types)
            {
                if (!type.IsTest && type.Starts is null && calls.FirstOrDefault(c => c.Pattern.IsMatch(type.Header)).Name is { } fixture)
                {
                    type.Starts = fixture;
                    helpers.TryAdd($@"\b{type.Name}\b", type.Name);
                    changed = true;
                }
                foreach (var member in type.Members.Where(m => m.Starts is null))
                {
                    member.Starts = DirectStart(member.Code) ?? calls.FirstOrDefault(c => c.Pattern.IsMatch(member.Code)).Name
                        ?? SameTypeStart(type, member);
                    if (member.Starts is null) continue;
                    changed = true;
                    // Tools itself is what the direct calls name; following it by name would undo the coreutils' exception.
                    if (type.IsTest || type.Name == "Tools") continue;
                    bool constructs = member.IsConstructor || member.Kind is Kind.Type || (member.Kind == Kind.Field && !member.IsStatic);
                    if (!constructs && (type.IsStatic || member.IsStatic)) helpers.TryAdd($@"\b{type.Name}\.{member.Name}\b", $"{type.Name}.{member.Name}");
                    else helpers.TryAdd($@"\b{type.Name}\b", type.Name); // an instance's methods are called on variables, not followed by name
                }
            }
        }

        var finalCalls = HelperCalls();
        var unmarked = new List<string>();
        foreach (var type in types.Where(t => t.IsTest && !t.HasTrait))
        {
            var classWide = finalCalls.FirstOrDefault(c => c.Pattern.IsMatch(type.Header)).Name
                ?? type.Members.Where(m => m.Starts is not null && !m.IsTest && (m.IsConstructor || m.Kind == Kind.Field))
                    .Select(m => $"{m.Name} starts {m.Starts}").FirstOrDefault();
            if (classWide is not null)
            {
                unmarked.Add($"{type.Name}: {classWide} (its constructor, fields or fixtures do: the trait goes on the class)");
                continue;
            }
            unmarked.AddRange(type.Members.Where(m => m.IsTest && m.Starts is not null && !m.HasTrait).Select(m => $"{type.Name}.{m.Name}: {m.Starts}"));
        }
        return unmarked;
    }

    private static string? DirectStart(string code) =>
        StartsProcess().Matches(code).FirstOrDefault(m => !Coreutil().IsMatch(code.AsSpan(m.Index)))?.Value;

    /// <summary>A call from one member of a type to another of the same type that starts a tool (a private helper, a nested fixture).</summary>
    private static string? SameTypeStart(TypeSource type, Member member)
    {
        foreach (var other in type.Members.Where(o => o != member && o.Starts is not null && !o.IsConstructor))
        {
            var name = Regex.Escape(other.Name);
            var use = other.Kind switch
            {
                Kind.Method => $@"(?<![.\w]){name}\s*\(",
                Kind.Type => $@"\b{name}\b",
                _ => $@"(?<![.\w]){name}\b(?!\s*[<(])",
            };
            if (Regex.IsMatch(member.Code, use)) return $"{type.Name}.{other.Name}";
        }
        return null;
    }

    private static List<TypeSource> Parse(string text)
    {
        var types = new List<TypeSource>();
        var attributes = new List<string>();
        TypeSource? type = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var declaration = TopLevelType().Match(line);
            if (declaration.Success)
            {
                attributes.Add(line);
                types.Add(type = new TypeSource(declaration.Groups[1].Value, Regex.IsMatch(line, @"\bstatic\b"), string.Join('\n', attributes)));
                attributes.Clear();
            }
            else if (line.StartsWith('[')) attributes.Add(line);
            else if (type is null) continue;
            else if (MemberLine().IsMatch(line))
            {
                var member = type.Members.LastOrDefault();
                if (member is null || member.Declaration is not null) type.Members.Add(member = new Member());
                member.Lines.Add(line);
                var trimmed = line.TrimStart();
                if (trimmed.StartsWith('[') || trimmed.StartsWith("//", StringComparison.Ordinal)) member.Attributes.Add(line);
                else member.Declaration = line;
            }
            else type.Members.LastOrDefault()?.Lines.Add(line);
        }
        foreach (var t in types)
        {
            t.Members.RemoveAll(m => m.Declaration is null);
            foreach (var m in t.Members)
            {
                (m.Name, m.Kind, m.IsStatic) = Declared(m.Declaration!);
                m.IsConstructor = m.Kind == Kind.Method && m.Name == t.Name;
                m.Code = string.Join('\n', m.Lines.Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
            }
        }
        return types;
    }

    private static readonly HashSet<string> Modifiers = new(StringComparer.Ordinal)
    {
        "public", "private", "protected", "internal", "static", "async", "sealed", "readonly", "override", "virtual", "abstract",
        "partial", "unsafe", "extern", "new", "const", "volatile", "required", "file", "void",
    };

    /// <summary>The name a member declares, what kind of member it is, and whether it is static, from its first line.</summary>
    private static (string Name, Kind Kind, bool IsStatic) Declared(string declaration)
    {
        var nested = Regex.Match(declaration, @"\b(?:class|record|struct|interface|enum)\s+(\w+)");
        if (nested.Success) return (nested.Groups[1].Value, Kind.Type, false);
        var plain = Regex.Replace(Regex.Replace(declaration, @"<[^<>()]*>", ""), @"<[^<>()]*>", ""); // generic arguments, two deep
        var end = Regex.Match(plain, @"=>|==|=|\{|;");
        var head = end.Success ? plain[..end.Index] : plain;
        bool isStatic = Regex.IsMatch(head, @"\bstatic\b");
        if (head.Contains('('))
            foreach (Match call in Regex.Matches(head, @"(\w+)\s*\("))
                if (!Modifiers.Contains(call.Groups[1].Value)) return (call.Groups[1].Value, Kind.Method, isStatic);
        var words = Regex.Matches(head, @"\w+");
        // A field, or a property with an initializer ({ get; } = ...): both are set when the object is made.
        bool initialized = end.Success && (end.Value is "=" or ";" || Regex.IsMatch(plain[end.Index..], @"\}\s*="));
        return (words.Count == 0 ? "" : words[^1].Value, initialized ? Kind.Field : Kind.Property, isStatic);
    }
}
