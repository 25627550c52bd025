using System.Text.RegularExpressions;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>The README reads as a manual: every code block is closed, the diagnostics table is in code order.</summary>
public sealed class ReadmeLayoutTests
{
    private static string[] Lines => File.ReadAllLines(Path.Combine(RepoRoot.Path, "README.md"));

    [Fact]
    public void Every_code_block_is_closed_and_holds_no_prose_headings()
    {
        bool inBlock = false;
        string? language = null;
        foreach (var (line, number) in Lines.Select((l, i) => (l, i + 1)))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock;
                language = inBlock ? line[3..] : null;
                continue;
            }
            // A sentence ending in ':' inside a shell block is text that fell into it (an unclosed fence above).
            if (inBlock && language == "sh")
                Assert.False(Regex.IsMatch(line, @"^[A-Z][a-z]+ .*:$"), $"README.md:{number} looks like prose inside a ```sh block: {line}");
        }
        Assert.False(inBlock, "README.md ends inside a code block");
    }

    [Fact]
    public void The_diagnostics_table_is_sorted_by_code()
    {
        var codes = Lines.Select(l => Regex.Match(l, @"^\| (CSDK\d{4}) \|")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(codes);
        Assert.Equal(codes.Order(StringComparer.Ordinal), codes);
    }
}
