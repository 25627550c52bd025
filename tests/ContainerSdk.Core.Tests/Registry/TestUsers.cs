using System.Net.Http.Headers;
using System.Text;

namespace ContainerSdk.Tests.RegistryFixture;

/// <summary>The users the registry self-tests start registries with.</summary>
internal static class TestUsers
{
    public static readonly Dictionary<string, string> All = new() { ["alice"] = "wonder-land", ["bob"] = "read:only" };

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
