using System.Text;

namespace ContainerSdk.Core.Acl;

/// <summary>
/// The PAX records a tar entry carries its ACLs in: the binary xattrs (what container runtimes apply) and
/// GNU tar's text records (what <c>tar --acls</c> restores). Both are always written together so either kind
/// of extractor gets the same ACL.
/// </summary>
internal static class AclPax
{
    public const string XattrAccessKey = "SCHILY.xattr." + AclXattr.AccessName;
    public const string XattrDefaultKey = "SCHILY.xattr." + AclXattr.DefaultName;
    public const string TextAccessKey = "SCHILY.acl.access";
    public const string TextDefaultKey = "SCHILY.acl.default";

    public static readonly IReadOnlyList<string> Keys = new[] { XattrAccessKey, XattrDefaultKey, TextAccessKey, TextDefaultKey };

    /// <summary>
    /// The records for <paramref name="acls"/>, sorted by key. An access ACL with only the three base entries
    /// yields nothing: the mode says it all, and the kernel does not store one either.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, byte[]>> Records(AclSet acls)
    {
        var records = new List<KeyValuePair<string, byte[]>>(4);
        if (acls.Access is { IsExtended: true } access)
        {
            records.Add(new(XattrAccessKey, AclXattr.Encode(access)));
            records.Add(new(TextAccessKey, Encoding.UTF8.GetBytes(AclText.Encode(access))));
        }
        if (acls.Default is { } @default)
        {
            records.Add(new(XattrDefaultKey, AclXattr.Encode(@default)));
            records.Add(new(TextDefaultKey, Encoding.UTF8.GetBytes(AclText.Encode(@default))));
        }
        records.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return records;
    }

    /// <summary>
    /// Replaces whatever ACL records <paramref name="pax"/> holds with those of <paramref name="acls"/>
    /// (an AclFile entry replaces ACLs a module brought).
    /// </summary>
    public static void Apply(IDictionary<string, byte[]> pax, AclSet acls)
    {
        foreach (var key in Keys) pax.Remove(key);
        foreach (var (key, value) in Records(acls)) pax[key] = value;
    }

    /// <summary>
    /// The ACLs a tar entry's records describe (a base-only access ACL counts as none), or null when it has none. The binary xattr wins over the text
    /// (it is exact and never needs a name lookup); the text is read when an archive carries only that, as
    /// archives written by GNU tar without --xattrs do.
    /// </summary>
    public static AclSet? Read(IReadOnlyDictionary<string, byte[]> pax, INameResolver? names = null)
    {
        var access = ReadOne(pax, XattrAccessKey, TextAccessKey, names);
        // GNU tar writes SCHILY.acl.access even for a base-only ACL; like the kernel, treat it as the mode alone.
        if (access is { IsExtended: false }) access = null;
        var @default = ReadOne(pax, XattrDefaultKey, TextDefaultKey, names);
        return access is null && @default is null ? null : new AclSet(access, @default);
    }

    private static PosixAcl? ReadOne(IReadOnlyDictionary<string, byte[]> pax, string xattrKey, string textKey, INameResolver? names)
    {
        if (pax.TryGetValue(xattrKey, out var binary)) return AclXattr.Decode(binary);
        if (pax.TryGetValue(textKey, out var text))
        {
            var s = Encoding.UTF8.GetString(text);
            return s.Trim().Length == 0 ? null : AclText.Decode(s, names);
        }
        return null;
    }
}
