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
        Warnings = recorded.Warnings.Concat(moreWarnings ?? Array.Empty<ModuleFileWarning>()).ToArray();
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

    /// <summary>Reads and evaluates the modulefile at <paramref name="path"/> against <paramref name="environment"/> ("NAME=value").</summary>
    public static ModuleFile Read(string path, IEnumerable<string> environment)
    {
        path = System.IO.Path.GetFullPath(path);
        return Parse(ReadText(path), path, environment);
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

    internal static ModuleFile Parse(string text, string path, IEnumerable<string> environment, Func<ModuleFileRecorder, IEnumerable<ModuleFileWarning>>? check)
    {
        var (language, name, version) = Naming(path);
        var recorder = new ModuleFileRecorder(path, environment, pathsVisible: language == ModuleFileLanguage.Lua);
        Evaluate(text, recorder, language, name, version);
        return new ModuleFile(path, text, language, name, version, recorder, check?.Invoke(recorder));
    }

    /// <summary>
    /// The file's root before the image's environment is known: syntax errors and statements the SDK cannot apply fail
    /// here already; what would only fail in some environment (an unset $env(X)) leaves the root found so far.
    /// </summary>
    public static string? FindRoot(string text, string path)
    {
        var (language, name, version) = Naming(path);
        var recorder = new ModuleFileRecorder(path, Array.Empty<string>(), pathsVisible: language == ModuleFileLanguage.Lua);
        try { Evaluate(text, recorder, language, name, version); }
        catch (ContainerSdkException e) when (e.Code == Codes.ModuleFileLoadFails) { }
        return recorder.Root;
    }

    private static void Evaluate(string text, ModuleFileRecorder recorder, ModuleFileLanguage language, string name, string version)
    {
        if (language == ModuleFileLanguage.Lua) LuaModuleReader.Read(text, recorder, name, version);
        else TclModuleReader.Read(text, recorder, name, version);
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
    public ModuleFile Relocated(string to, IEnumerable<string> environment, string? from = null)
    {
        from ??= Root;
        if (from is null) return this;
        return Parse(PrefixRewriter.Rewrite(Text, from, to), Path, environment, recorded => UnmovedPaths(recorded.Operations, from, to));
    }

    /// <summary>Warnings for operation values still under <paramref name="from"/> once the text has been moved to <paramref name="to"/>.</summary>
    internal static IEnumerable<ModuleFileWarning> UnmovedPaths(IEnumerable<EnvironmentOperation> operations, string from, string to)
        => operations
            .Where(op => op.Value is not null && !ReferenceEquals(PrefixRewriter.Rewrite(op.Value, from, to), op.Value))
            .Select(op => new ModuleFileWarning(Codes.ModulePathNotMoved,
                $"{op.Name} gets '{op.Value}', under the install prefix '{from}', but the file builds that path rather than writing it, so it cannot be moved to '{to}': write the prefix out (local root = \"{from}\" / set root {from})",
                op.Line));
}
