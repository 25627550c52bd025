namespace ContainerSdk.Core.Inputs;

/// <summary>
/// The image config and naming the user set through properties and items. The repository and tags are checked as
/// they are set (<see cref="Properties.Repository"/>, <see cref="Properties.Tags"/>), so a settings record never holds
/// an invalid name and no later step checks it again.
/// </summary>
internal sealed record ImageSettings
{
    private readonly string _repository = "";
    private readonly IReadOnlyList<string> _tags = new[] { Properties.DefaultTag };

    /// <summary>ContainerRepository, checked against the reference grammar when set.</summary>
    public required string Repository { get => _repository; init => _repository = Properties.Repository(value); }

    /// <summary>ContainerImageTag(s): trimmed, blanks and duplicates dropped, each checked when set; at least one.</summary>
    public IReadOnlyList<string> Tags { get => _tags; init => _tags = Properties.Tags(value); }
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

    /// <summary>ContainerPlatform, as <see cref="Properties.Platform"/> parses it: the config's os/architecture/variant and the index's platform.</summary>
    public Oci.Platform Platform { get; init; } = Properties.Platform(null);
}
