using System.Text;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// The users and groups of the image being built: /etc/passwd and /etc/group as the layers up to a given
/// one compose them. Names never resolve against the build machine, whose accounts are not the image's.
/// </summary>
public sealed class ImageAccounts
{
    private const int MaxAccountFileBytes = 4 << 20;
    private readonly Dictionary<string, uint> _users;
    private readonly Dictionary<string, uint> _groups;

    private ImageAccounts(Dictionary<string, uint> users, Dictionary<string, uint> groups, string sources)
    {
        _users = users;
        _groups = groups;
        Sources = sources;
    }

    /// <summary>For messages: which files were read, from which items.</summary>
    public string Sources { get; }

    /// <summary>Reads the accounts visible from the top of <paramref name="plans"/> (the last plan is the top).</summary>
    public static ImageAccounts Compose(IReadOnlyList<LayerPlan> plans)
    {
        var (passwd, passwdFrom) = ReadTopmost(plans, "etc/passwd");
        var (group, groupFrom) = ReadTopmost(plans, "etc/group");
        string sources = $"the image's /etc/passwd ({passwdFrom}) and /etc/group ({groupFrom})";
        return new ImageAccounts(Parse(passwd, idField: 2), Parse(group, idField: 2), sources);
    }

    public bool TryResolveUser(string name, out uint uid) => _users.TryGetValue(name, out uid);
    public bool TryResolveGroup(string name, out uint gid) => _groups.TryGetValue(name, out gid);

    private static (string? Text, string From) ReadTopmost(IReadOnlyList<LayerPlan> plans, string key)
    {
        for (int i = plans.Count - 1; i >= 0; i--)
        {
            var entry = plans[i].Find(key);
            if (entry is not null)
            {
                if (entry.Header.Type == TarEntryType.HardLink) entry = plans[i].Find(entry.Header.LinkName) ?? entry;
                if (entry.Header.Type != TarEntryType.Regular) return (null, $"not a regular file in '{plans[i].Input.ItemSpec}'");
                using var stream = entry.Content.Open();
                var buffer = new byte[Math.Min(entry.Header.Size, MaxAccountFileBytes)];
                stream.ReadExactly(buffer);
                return (Encoding.UTF8.GetString(buffer), $"from '{plans[i].Input.ItemSpec}'");
            }
            if (plans[i].Hides(key)) return (null, $"removed by '{plans[i].Input.ItemSpec}'");
        }
        return (null, "no layer has it");
    }

    /// <summary>Parses "name:x:id:..." lines; malformed lines are skipped as the C library does.</summary>
    private static Dictionary<string, uint> Parse(string? text, int idField)
    {
        var result = new Dictionary<string, uint>(StringComparer.Ordinal);
        if (text is null) return result;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = line.Split(':');
            if (fields.Length > idField && fields[0].Length > 0 && uint.TryParse(fields[idField], out var id))
                result.TryAdd(fields[0], id);
        }
        return result;
    }
}
