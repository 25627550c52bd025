using System.Net;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Registry;

/// <summary>
/// What a request is for, in the user's words ("pull manifest 'latest'", "push blob sha256:…"): every failure names the
/// registry, the repository, this and the HTTP status, never a URL (a redirect's URL may carry a storage signature).
/// </summary>
internal sealed record RegistryOperation(string Registry, string Repository, string Action)
{
    public override string ToString() => $"{Action} in {Registry}/{Repository}";

    /// <summary>What this operation may still spend waiting on silent servers: shared by its attempts, its ping and its token requests.</summary>
    internal required WaitBudget Budget { get; init; }

    public ContainerSdkException Fail(string code, string why, Exception? inner = null) =>
        new(code, $"Registry {Registry}, repository '{Repository}', {Action}: {why}", inner: inner);

    public ContainerSdkException Fail(string code, HttpStatusCode status, string why) =>
        Fail(code, $"HTTP {(int)status} {status}{(why.Length == 0 ? "" : ": " + why)}.");
}
