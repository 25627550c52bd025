namespace ContainerSdk.Tests;

/// <summary>Where a test's project file says something: diagnostics must point at that line.</summary>
public static class ProjectText
{
    /// <summary>1-based number of the first line of <paramref name="path"/> that contains <paramref name="text"/>.</summary>
    public static int LineOf(string path, string text)
    {
        var index = Array.FindIndex(File.ReadAllLines(path), l => l.Contains(text, StringComparison.Ordinal));
        Assert.True(index >= 0, $"'{text}' is not in {path}");
        return index + 1;
    }
}
