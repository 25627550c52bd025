using System.Security.Cryptography;
using ContainerSdk.Tests;

namespace ContainerSdk.Core.Tests.Images;

/// <summary>Two extracted trees compared entry by entry: type, mode, owner, link target and content (never times).</summary>
internal static class TreeCompare
{
    public static IReadOnlyList<string> Describe(string root)
    {
        var find = Tools.Require("find");
        var lines = Tools.Run(find, root, "-mindepth", "1", "-printf", "%P|%y|%m|%U:%G|%l\n").EnsureSuccess("find")
            .StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line =>
            {
                var path = line[..line.IndexOf('|')];
                var full = Path.Combine(root, path);
                bool regular = line.Split('|')[1] == "f";
                return regular ? line + "|" + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(full))) : line;
            })
            .OrderBy(l => l, StringComparer.Ordinal)
            .ToList();
        return lines;
    }

    public static void AssertSame(string expectedRoot, string actualRoot)
    {
        var expected = Describe(expectedRoot);
        var actual = Describe(actualRoot);
        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"Trees differ.\nOnly in {expectedRoot}:\n{string.Join('\n', missing)}\nOnly in {actualRoot}:\n{string.Join('\n', extra)}");
    }

    public static void Extract(string tarball, string into)
    {
        Directory.CreateDirectory(into);
        Tools.Run(Tools.Require("tar"), "-xpzf", tarball, "--numeric-owner", "-C", into).EnsureSuccess("tar -x bundle");
    }
}
