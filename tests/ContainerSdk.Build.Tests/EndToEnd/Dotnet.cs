namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// Runs the dotnet CLI as a separate process, as a user's shell or CI would, in a clean, quiet environment.
/// </summary>
public static class Dotnet
{
    /// <summary>The dotnet host that runs these tests (so the SDK under test is the one global.json picked).</summary>
    public static string Path
    {
        get
        {
            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
            var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
            if (!string.IsNullOrEmpty(root) && File.Exists(System.IO.Path.Combine(root, "dotnet")))
                return System.IO.Path.Combine(root, "dotnet");
            return Tools.Require("dotnet");
        }
    }

    /// <summary>
    /// The environment of every child build. MSBuild variables are removed because an in-process MSBuild test
    /// (Microsoft.Build.Locator) sets them in this process, and a child must locate its own SDK; node reuse is off so
    /// no MSBuild node outlives the test; SOURCE_DATE_EPOCH is removed so the documented default (0) applies.
    /// </summary>
    public static Dictionary<string, string?> ChildEnvironment(string? packagesFolder = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_UI_LANGUAGE"] = "en",
            ["MSBUILD_EXE_PATH"] = null,
            ["MSBuildExtensionsPath"] = null,
            ["MSBuildSDKsPath"] = null,
            ["MSBuildLoadMicrosoftTargetsReadOnly"] = null,
            ["MSBUILDTERMINALLOGGER"] = null,
            ["SOURCE_DATE_EPOCH"] = null,
        };
        if (packagesFolder is not null) env["NUGET_PACKAGES"] = packagesFolder;
        return env;
    }

    public static Tools.Result Run(IEnumerable<string> args, string workingDirectory, string? packagesFolder = null)
        => Tools.Run(Path, args.Concat(new[] { "-nologo", "-tl:off", "--disable-build-servers" }), workingDirectory,
            ChildEnvironment(packagesFolder), TimeSpan.FromMinutes(8));

    /// <summary>
    /// <c>dotnet build</c> at normal verbosity, where the SDK's one line per layer and per output shows.
    /// </summary>
    public static Tools.Result Build(string project, string? packagesFolder = null, params string[] extraArgs)
        => Run(new[] { "build", project, "-v:n" }.Concat(extraArgs), System.IO.Path.GetDirectoryName(project)!, packagesFolder);
}
