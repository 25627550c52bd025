namespace ContainerSdk.Tests.EndToEnd;

/// <summary>
/// The site most end-to-end tests look at, built once per run: a busybox base, a directory module (script on the
/// module's PATH, a symlink, a hard link, a setuid file, files owned by an id the image must not keep), and a vendor
/// tarball module whose recorded owners (1234:5678) must be kept, plus module Environment and a
/// ContainerEnvironmentVariable.
/// </summary>
public sealed class SiteBuild
{
    public const string Repository = "e2e-site";
    public const string Tag = "1.0";
    public const int TarballUid = 1234, TarballGid = 5678;

    /// <summary>The layer items as written in the project, in order.</summary>
    public static readonly string[] LayerItems = { "base-rootfs", "modules/hello", "modules/tool.tar.gz" };

    public const string ProjectBody = """
          <PropertyGroup>
            <ContainerRepository>e2e-site</ContainerRepository>
            <ContainerImageTag>1.0</ContainerImageTag>
          </PropertyGroup>
          <ItemGroup>
            <BaseLayer Include="base-rootfs" />
            <Module Include="modules/hello" TargetPath="/opt/hello"
                    Environment="PATH=/opt/hello/bin:$PATH;HELLO_HOME=/opt/hello" />
            <Module Include="modules/tool.tar.gz" TargetPath="/opt/tool"
                    Environment="PATH=/opt/tool/bin:${PATH};TOOL_HOME=/opt/tool" />
            <ContainerEnvironmentVariable Include="HELLO_VAR" Value="value-from-project" />
          </ItemGroup>
        """;

    private readonly SdkPackage sdk;
    private readonly Lazy<Task<SiteOutput>> first;

    public SiteBuild(SdkPackage sdk)
    {
        this.sdk = sdk;
        first = new Lazy<Task<SiteOutput>>(() => BuildCopyAsync("site"));
    }

    /// <summary>The shared build; it must have succeeded.</summary>
    public async Task<SiteOutput> GetAsync()
    {
        var output = await first.Value;
        output.Build.EnsureSuccess($"dotnet build {output.Project.ProjectPath}");
        return output;
    }

    /// <summary>Writes the inputs and the project into a new folder of the run and builds it (a clean build).</summary>
    public async Task<SiteOutput> BuildCopyAsync(string folder)
    {
        var project = TestProject.Fresh(sdk, folder);
        WriteInputs(project);
        await project.WriteAsync(ProjectBody);
        var build = await Task.Run(() => project.Build());
        return new SiteOutput(project, build);
    }

    private static void WriteInputs(TestProject project)
    {
        Tree.BusyboxRootfs(project.Path("base-rootfs"));

        var hello = project.Path("modules", "hello");
        Tree.File(hello, "bin/hello", "#!/bin/sh\necho \"hello from $HELLO_HOME\"\n", "755");
        Tree.HardLink(Path.Combine(hello, "bin", "hello"), Path.Combine(hello, "bin", "hello-again"));
        File.CreateSymbolicLink(Path.Combine(hello, "bin", "hi"), "hello");
        Tree.File(hello, "bin/su-helper", "#!/bin/sh\nid -u\n", "4755");
        Tree.File(hello, "share/README", "The hello module.\n", "644");
        // A directory module's files belong to 0:0 in the image whoever owns them here (root can show it).
        if (Environment.UserName == "root")
        {
            Tools.Run("chown", "-hR", "4321:4321", hello).EnsureSuccess("chown module");
            // chown clears setuid: set it again, last.
            Tree.Chmod(Path.Combine(hello, "bin", "su-helper"), "4755");
        }

        var toolSource = project.Path("inputs", "tool");
        Tree.File(toolSource, "bin/tool", "#!/bin/sh\necho \"tool from $TOOL_HOME\"\n", "755");
        Tree.File(toolSource, "share/tool.txt", "vendor data\n", "644");
        Directory.CreateDirectory(project.Path("modules"));
        Tree.Tarball(toolSource, project.Path("modules", "tool.tar.gz"), TarballUid, TarballGid);
    }
}

public sealed record SiteOutput(TestProject Project, Tools.Result Build)
{
    public string Layout => Project.ImageLayout;
    public string ImageReference => $"{Layout}:{SiteBuild.Tag}";
    public string Bundle => Project.Path("bin", "Debug", SiteBuild.Repository + ".tar.gz");
    public string BundleAcl => Project.Path("bin", "Debug", SiteBuild.Repository + ".acl");
}
