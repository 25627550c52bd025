using System.IO.Compression;

namespace ContainerSdk.Tests.EndToEnd;

/// <summary>Both packages carry the README as their readme (NuGet's page shows it; dotnet pack says when one has none).</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PackageReadmeTests(SdkPackage sdk)
{
    [Theory]
    [InlineData(SdkPackage.Id)]
    [InlineData("ContainerSdk.Templates")]
    public async Task The_package_names_and_carries_its_readme(string id)
    {
        var feed = await sdk.GetFeedAsync();
        using var nupkg = ZipFile.OpenRead(Path.Combine(feed, $"{id}.{SdkPackage.Version}.nupkg"));
        var readme = nupkg.GetEntry("README.md");
        Assert.NotNull(readme);
        using (var reader = new StreamReader(readme.Open()))
            Assert.StartsWith("# ContainerSdk", reader.ReadLine());
        using var nuspec = new StreamReader(nupkg.GetEntry($"{id}.nuspec")!.Open());
        Assert.Contains("<readme>README.md</readme>", nuspec.ReadToEnd());
    }
}
