using ContainerSdk.Tests;

namespace ContainerSdk.Tests.Images;

/// <summary>
/// A real base image made by umoci, as a site admin would: a busybox root filesystem, then a second layer that
/// deletes a file of the first (a whiteout) and adds one; Env FOO=bar, Entrypoint /bin/sh. Also as an oci-archive
/// and a docker-archive, made by skopeo.
/// </summary>
public sealed class UmociBase
{
    public const string Tag = "base";

    private UmociBase(string layout, string root)
    {
        Layout = layout;
        Root = root;
    }

    /// <summary>The OCI layout folder; its image is tagged <see cref="Tag"/>.</summary>
    public string Layout { get; }
    private string Root { get; }

    public string OciArchive => Path.Combine(Root, "base-oci.tar");
    public string DockerArchive => Path.Combine(Root, "base-docker.tar");

    public static UmociBase Create(string root)
    {
        var umoci = Tools.Require("umoci");
        Tools.RequireRoot("umoci unpack and insert keep owners only as root");
        var busybox = File.Exists("/usr/bin/busybox") ? "/usr/bin/busybox" : Tools.Require("busybox");

        var rootfs = Path.Combine(root, "rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "bin"));
        Directory.CreateDirectory(Path.Combine(rootfs, "etc"));
        Directory.CreateDirectory(Path.Combine(rootfs, "tmp"));
        File.SetUnixFileMode(Path.Combine(rootfs, "tmp"), (UnixFileMode)0x3FF);
        File.Copy(busybox, Path.Combine(rootfs, "bin", "busybox"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "bin", "sh"), "busybox");
        File.WriteAllText(Path.Combine(rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nsvc:x:4100:4200:service:/home/svc:/bin/sh\n");
        File.WriteAllText(Path.Combine(rootfs, "etc", "group"), "root:x:0:\nlicensed:x:4200:svc\n");
        File.WriteAllText(Path.Combine(rootfs, "etc", "gone.txt"), "deleted by the second layer\n");
        Directory.CreateDirectory(Path.Combine(rootfs, "srv", "data"));
        File.WriteAllText(Path.Combine(rootfs, "srv", "data", "a.txt"), "a\n");
        Tools.Run("chown", "-R", "4100:4200", Path.Combine(rootfs, "srv")).EnsureSuccess("chown");

        var layout = Path.Combine(root, "layout");
        var image = $"{layout}:{Tag}";
        Tools.Run(umoci, "init", "--layout", layout).EnsureSuccess("umoci init");
        Tools.Run(umoci, "new", "--image", image).EnsureSuccess("umoci new");
        Tools.Run(umoci, "insert", "--image", image, rootfs, "/").EnsureSuccess("umoci insert");
        Tools.Run(umoci, "config", "--image", image, "--config.env", "FOO=bar", "--config.entrypoint", "/bin/sh",
            "--config.label", "org.example.base=yes").EnsureSuccess("umoci config");

        // Second layer: delete etc/gone.txt (a whiteout), add etc/two.txt.
        var bundle = Path.Combine(root, "unpacked");
        Tools.Run(umoci, "unpack", "--image", image, bundle).EnsureSuccess("umoci unpack");
        File.Delete(Path.Combine(bundle, "rootfs", "etc", "gone.txt"));
        File.WriteAllText(Path.Combine(bundle, "rootfs", "etc", "two.txt"), "second layer\n");
        Tools.Run(umoci, "repack", "--image", image, bundle).EnsureSuccess("umoci repack");
        Directory.Delete(bundle, recursive: true);
        return new UmociBase(layout, root);
    }

    /// <summary>The same image as an oci-archive and a docker-archive, written by skopeo.</summary>
    public UmociBase WithArchives()
    {
        var skopeo = Tools.Require("skopeo");
        Tools.Run(skopeo, "copy", $"oci:{Layout}:{Tag}", $"oci-archive:{OciArchive}:{Tag}").EnsureSuccess("skopeo copy to oci-archive");
        Tools.Run(skopeo, "copy", $"oci:{Layout}:{Tag}", $"docker-archive:{DockerArchive}:example/base:{Tag}").EnsureSuccess("skopeo copy to docker-archive");
        return this;
    }
}
