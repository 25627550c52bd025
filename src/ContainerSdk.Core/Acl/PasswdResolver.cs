using System.Globalization;

namespace ContainerSdk.Core.Acl;

/// <summary>
/// Resolves names from the text of an /etc/passwd and an /etc/group (the image's, composed from its layers).
/// Like getpwnam, the first line that names a user wins.
/// </summary>
internal sealed class PasswdResolver : INameResolver
{
    private readonly Dictionary<string, uint> _users;
    private readonly Dictionary<string, uint> _groups;
    private readonly string _sources;

    /// <param name="passwd">/etc/passwd content, or null when the image has none.</param>
    /// <param name="group">/etc/group content, or null when the image has none.</param>
    /// <param name="sources">How messages name where the files came from.</param>
    public PasswdResolver(Stream? passwd, Stream? group, string sources)
    {
        _users = passwd is null ? new(StringComparer.Ordinal) : ReadIds(passwd);
        _groups = group is null ? new(StringComparer.Ordinal) : ReadIds(group);
        _sources = sources;
    }

    /// <summary>A resolver that knows no names: only numeric ids are accepted.</summary>
    public static PasswdResolver Empty(string sources = "no /etc/passwd or /etc/group (the image has none)") =>
        new(null, null, sources);

    public bool TryResolveUser(string name, out uint uid) => _users.TryGetValue(name, out uid);
    public bool TryResolveGroup(string name, out uint gid) => _groups.TryGetValue(name, out gid);
    public string DescribeSources() => _sources;

    /// <summary>Both files put the name in field 1 and the id in field 3; malformed lines are skipped, as libc does.</summary>
    private static Dictionary<string, uint> ReadIds(Stream stream)
    {
        var ids = new Dictionary<string, uint>(StringComparer.Ordinal);
        using var reader = new StreamReader(stream, new System.Text.UTF8Encoding(false), false, 4096, leaveOpen: true);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0 || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
            var fields = line.Split(':');
            if (fields.Length < 3 || fields[0].Length == 0) continue;
            if (!uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id)) continue;
            ids.TryAdd(fields[0], id);
        }
        return ids;
    }
}
