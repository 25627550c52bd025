using System.Text;
using ContainerSdk.Core.Diagnostics;
using ContainerSdk.Core.Modules.Lua;
using ContainerSdk.Core.Modules.Tcl;

namespace ContainerSdk.Core.Modules;

internal enum ModuleFileLanguage { Lua, Tcl }

/// <summary>
/// A modulefile read as Lmod's <c>module load</c> would apply it (Lua when the name ends in <c>.lua</c>, else Tcl
/// with the <c>#%Module</c> cookie): its environment operations in order, its dependencies, its name and version as
/// Lmod names it (the folder and the file name, <c>.lua</c> left out), its install prefix (<c>root</c>), and the
/// warnings for what the SDK passes over. What it cannot apply is a <see cref="ContainerSdkException"/> at the file
/// and line. <c>os.getenv</c> and <c>$env(X)</c> read the environment given (the image's), never the process's.
/// </summary>
internal sealed class ModuleFile
{
    /// <summary>Far above any generated modulefile; a file this big is not a modulefile.</summary>
    public const int MaxLength = 1 << 20;

    private ModuleFile(string path, string text, ModuleFileLanguage language, string name, string version, ModuleFileRecorder recorded,
        IEnumerable<ModuleFileWarning>? moreWarnings = null)
    {
        Path = path;
        Text = text;
        Language = language;
        Name = name;
        Version = version;
        Root = recorded.Root;
        Operations = recorded.Operations;
        Dependencies = recorded.Dependencies;
        Messages = recorded.Messages;
        Families = recorded.Families;
        Warnings = recorded.Warnings.Concat(recorded.Commands).Concat(moreWarnings ?? Array.Empty<ModuleFileWarning>())
            .OrderBy(w => w.File is null ? 0 : 1).ThenBy(w => w.Line).ToArray();
    }

    public string Path { get; }
    public string Text { get; }
    public ModuleFileLanguage Language { get; }
    public string Name { get; }
    public string Version { get; }
    public string FullName => $"{Name}/{Version}";

    /// <summary>The file name it is installed under in its name's folder (<see cref="InstalledName"/>).</summary>
    public string InstalledFileName => InstalledName(Language, Version);

    /// <summary>The file name a modulefile is installed under in its name's folder: the version, with <c>.lua</c> kept for Lua.</summary>
    public static string InstalledName(ModuleFileLanguage language, string version) => language == ModuleFileLanguage.Lua ? version + ".lua" : version;

    /// <summary>The value of the file's top-level <c>local root</c> / <c>set root</c>, if it has one.</summary>
    public string? Root { get; }

    public IReadOnlyList<EnvironmentOperation> Operations { get; }
    public IReadOnlyList<ModuleDependency> Dependencies { get; }
    public IReadOnlyList<ModuleFileWarning> Warnings { get; }

    /// <summary>The families the file claims (<c>family("mpi")</c>), with their lines.</summary>
    public IReadOnlyList<(string Name, int Line)> Families { get; }

    /// <summary>What the file prints on load (io.stderr:write, LmodMessage, puts stderr), in order: build messages.</summary>
    public IReadOnlyList<ModuleFileMessage> Messages { get; }

    /// <summary>
    /// Reads and evaluates the modulefile at <paramref name="path"/> against <paramref name="environment"/> ("NAME=value"),
    /// loaded from where it is (myFileName), with the site's SitePackage.lua if given and the modules <c>isAvail</c> finds.
    /// </summary>
    public static ModuleFile Read(string path, IEnumerable<string> environment, LmodSitePackage? sitePackage = null, IReadOnlySet<string>? available = null)
    {
        path = System.IO.Path.GetFullPath(path);
        return Parse(ReadText(path), path, environment, null, sitePackage, path, available);
    }

    /// <summary>The text of the modulefile at <paramref name="path"/> (UTF-8, at most <see cref="MaxLength"/> bytes).</summary>
    public static string ReadText(string path)
    {
        try
        {
            var info = new FileInfo(path);
            // No file position: the item that names the file is at fault, and the tasks point at it.
            if (!info.Exists) throw new ContainerSdkException(Codes.InputNotFound, $"The modulefile '{path}' does not exist.");
            if (info.Length > MaxLength)
                throw new ContainerSdkException(Codes.ModuleFileSyntax, $"'{path}' is {info.Length} bytes, more than a modulefile can be ({MaxLength}).", path);
            return File.ReadAllText(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            throw new ContainerSdkException(Codes.InputUnreadable, $"The modulefile '{path}' cannot be read: {e.Message}", path, inner: e);
        }
    }

    /// <summary>Evaluates <paramref name="text"/> as the modulefile at <paramref name="path"/> (which names it and says its language).</summary>
    public static ModuleFile Parse(string text, string path, IEnumerable<string> environment)
        => Parse(text, path, environment, null);

    /// <param name="loadPath">Where Lmod loads the file from (myFileName): in an image, where it is installed; default <paramref name="path"/>.</param>
    internal static ModuleFile Parse(string text, string path, IEnumerable<string> environment, Func<ModuleFileRecorder, IEnumerable<ModuleFileWarning>>? check,
        LmodSitePackage? sitePackage = null, string? loadPath = null, IReadOnlySet<string>? available = null)
    {
        var (language, name, version) = Naming(path);
        var recorder = new ModuleFileRecorder(path, environment, pathsVisible: language == ModuleFileLanguage.Lua);
        Evaluate(text, recorder, language, new ModuleLoadContext(name, version, loadPath ?? path) { SitePackage = sitePackage, Available = available });
        return new ModuleFile(path, text, language, name, version, recorder, check?.Invoke(recorder));
    }

    /// <summary>
    /// The file's root before the image's environment is known: syntax errors and statements the SDK cannot apply fail
    /// here already; what would only fail in some environment (an unset $env(X)) leaves the root found so far.
    /// </summary>
    public static string? FindRoot(string text, string path, LmodSitePackage? sitePackage = null, string? loadPath = null)
    {
        var (language, name, version) = Naming(path);
        var recorder = new ModuleFileRecorder(path, Array.Empty<string>(), pathsVisible: language == ModuleFileLanguage.Lua);
        try { Evaluate(text, recorder, language, new ModuleLoadContext(name, version, loadPath ?? path) { SitePackage = sitePackage }); }
        catch (ContainerSdkException e) when (e.Code == Codes.ModuleFileLoadFails) { }
        return recorder.Root;
    }

    private static void Evaluate(string text, ModuleFileRecorder recorder, ModuleFileLanguage language, ModuleLoadContext context)
    {
        if (language == ModuleFileLanguage.Lua) LuaModuleReader.Read(text, recorder, context);
        else TclModuleReader.Read(text, recorder, context);
        // A file that only runs commands at load (execute, source_sh) is those commands: the image config would hold
        // nothing of it, so the build says so rather than making an image without what the module is for.
        if (recorder.Commands.Count > 0 && recorder.Operations.Count == 0)
            throw new ContainerSdkException(Codes.ModuleFileOnlyCommands,
                $"The modulefile's only effect on load is the command{(recorder.Commands.Count > 1 ? "s" : "")} it runs (execute, source_sh), which run at module load inside the image and are not in the image config: set the variables they set with setenv/prepend_path (Lmod's sh_to_modulefile writes them out for a script).",
                recorder.Commands[0].File ?? recorder.File, recorder.Commands[0].Line);
    }

    /// <summary>Lmod's naming: the folder is the name, the file the version (<c>.lua</c> marks Lua and is not part of it).</summary>
    public static (ModuleFileLanguage Language, string Name, string Version) Naming(string path)
    {
        var fileName = System.IO.Path.GetFileName(path);
        var language = fileName.EndsWith(".lua", StringComparison.Ordinal) ? ModuleFileLanguage.Lua : ModuleFileLanguage.Tcl;
        var version = language == ModuleFileLanguage.Lua ? fileName[..^4] : fileName;
        var name = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(path) ?? "");
        if (name.Length == 0 || version.Length == 0 || version.StartsWith('.'))
            throw new ContainerSdkException(Codes.ModuleFileSyntax,
                $"'{path}' cannot be named as Lmod names modulefiles (<name>/<version>[.lua]): put it in a folder named after the module.", path);
        return (language, name, version);
    }

    /// <summary>
    /// The same modulefile with every path under <paramref name="from"/> (default: its <see cref="Root"/>) moved to
    /// <paramref name="to"/>, in its text and so in its operations; line numbers stay. Null <paramref name="from"/>
    /// and no root: the file as it is.
    /// The operations are those of the new text, evaluated against <paramref name="environment"/>; a value still under
    /// the old prefix (one the file builds, from <c>$version</c> say, rather than writes) is a warning at its line.
    /// </summary>
    public ModuleFile Relocated(string to, IEnumerable<string> environment, string? from = null, LmodSitePackage? sitePackage = null, IReadOnlySet<string>? available = null)
    {
        from ??= Root;
        if (from is null) return this;
        return Parse(PrefixRewriter.Rewrite(Text, from, to), Path, environment, recorded => UnmovedPaths(recorded.Operations, from, to),
            sitePackage, Path, available);
    }

    /// <summary>Warnings for operation values still under <paramref name="from"/> once the text has been moved to <paramref name="to"/>.</summary>
    internal static IEnumerable<ModuleFileWarning> UnmovedPaths(IEnumerable<EnvironmentOperation> operations, string from, string to)
        => operations
            .Where(op => op.Value is not null && !ReferenceEquals(PrefixRewriter.Rewrite(op.Value, from, to), op.Value))
            .Select(op => new ModuleFileWarning(Codes.ModulePathNotMoved,
                $"{op.Name} gets '{op.Value}', under the install prefix '{from}', but the file builds that path rather than writing it, so it cannot be moved to '{to}': write the prefix out (local root = \"{from}\" / set root {from})",
                op.Line));
}
