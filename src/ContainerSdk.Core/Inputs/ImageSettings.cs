namespace ContainerSdk.Core.Inputs;

/// <summary>The image config and naming the user set through properties and items.</summary>
public sealed record ImageSettings
{
    public required string Repository { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = new[] { "latest" };
    public string? User { get; init; }
    public string? WorkingDirectory { get; init; }

    /// <summary>ContainerEnvironmentVariable items, in order: applied last, literally (as the .NET SDK does).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = Array.Empty<KeyValuePair<string, string>>();
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = Array.Empty<KeyValuePair<string, string>>();

    /// <summary>"8080/tcp" style keys.</summary>
    public IReadOnlyList<string> Ports { get; init; } = Array.Empty<string>();

    /// <summary>Null when the user set none (the base's is kept); empty to clear.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }

    public long Epoch { get; init; }

    /// <summary>"os/arch" or "os/arch/variant".</summary>
    public string Platform { get; init; } = Properties.DefaultPlatform;
}
