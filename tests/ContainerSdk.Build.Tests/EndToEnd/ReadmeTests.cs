using System.Reflection;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>The README is the user's manual: it must stay in step with the code.</summary>
public sealed class ReadmeTests
{
    private static string Readme => File.ReadAllText(Path.Combine(RepoRoot.Path, "README.md"));

    [Fact]
    public void Every_diagnostic_code_is_documented()
    {
        var codes = typeof(Codes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        Assert.NotEmpty(codes);

        var missing = codes.Where(c => !Readme.Contains($"| {c} |", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"README.md's Diagnostics table lacks: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_readme_starts_with_the_two_fresh_clone_commands()
    {
        var firstBlock = Readme.Split("```")[1];
        var commands = firstBlock.Split('\n').Skip(1) // the fence's language tag
            .Where(l => l.Trim().Length > 0)
            .Select(l => l.Split('#')[0].Trim())
            .ToList();
        Assert.Equal(new[] { "dotnet build samples/site/site.containerproj", "dotnet test" }, commands);
    }
}
