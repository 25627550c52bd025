using ContainerSdk.Tests;

namespace ContainerSdk.Tests.Images;

/// <summary>
/// podman as root with its own storage under a temp folder (never the machine's), cgroupfs and runc, and a
/// containers.conf that sets no default ulimits (raising RLIMIT_NOFILE is not allowed in this sandbox).
/// </summary>
public sealed class Podman : IDisposable
{
    private readonly TempDir _dir = new("podman");
    private readonly string _podman;
    private readonly IReadOnlyDictionary<string, string?> _environment;

    /// <param name="environment">More of podman's environment (HOME, whose .config/containers/registries.d a signature test fills).</param>
    public Podman(IReadOnlyDictionary<string, string?>? environment = null)
    {
        _environment = environment ?? new Dictionary<string, string?>();
        _podman = Tools.Require("podman");
        Tools.RequireRoot("podman with its own --root needs root");
        File.WriteAllText(Conf, "[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"none\"\n");
    }

    private string Conf => _dir.Combine("containers.conf");

    public Tools.Result Run(params string[] args)
    {
        var all = new[] { "--root", _dir.Combine("root"), "--runroot", _dir.Combine("run"), "--cgroup-manager=cgroupfs", "--runtime", "runc",
            "--storage-driver", "vfs" }.Concat(args);
        var environment = new Dictionary<string, string?>(_environment) { ["CONTAINERS_CONF"] = Conf, ["TMPDIR"] = _dir.Path };
        return Tools.Run(_podman, all, environment: environment, timeout: TimeSpan.FromMinutes(2));
    }

    public void Dispose()
    {
        // Storage made by podman may hold read-only folders and mounts: let podman remove what it made first.
        Run("system", "reset", "--force");
        _dir.Dispose();
    }
}
