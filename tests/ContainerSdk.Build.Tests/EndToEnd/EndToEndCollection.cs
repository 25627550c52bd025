namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// The end-to-end tests run one after another: each spawns a whole `dotnet build`, and on a 2-core machine running
/// them side by side only adds contention (and two restores of the same project at once race on obj/).
/// </summary>
[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<SiteBuild>
{
    public const string Name = "EndToEnd";
}
