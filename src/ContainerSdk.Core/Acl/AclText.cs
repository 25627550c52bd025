using System.Globalization;
using System.Text;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Acl;

/// <summary>
/// The text GNU tar (1.34) stores in SCHILY.acl.access / SCHILY.acl.default: libacl's acl_to_text, one
/// "tag:qualifier:perms" entry per line, each ending in '\n', no "#effective" comments. GNU tar prints names
/// where the machine knows them; the engine always writes numeric ids, which is what GNU tar itself writes for
/// ids without a name and what acl_from_text reads back without looking anything up.
/// </summary>
internal static class AclText
{
    public static string Encode(PosixAcl acl)
    {
        var sb = new StringBuilder(acl.Entries.Count * 14);
        foreach (var e in acl.Entries) sb.Append(e.ToString()).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// Reads the text back. Entries may be separated by newlines or commas (acl_from_text accepts both);
    /// star's four-field form "user:name:rwx:uid" takes the id from the fourth field. Names go through
    /// <paramref name="names"/> when given; without it only numeric qualifiers are accepted.
    /// </summary>
    public static PosixAcl Decode(string text, INameResolver? names = null)
    {
        var entries = new List<AclEntry>();
        foreach (var raw in text.Split('\n', ','))
        {
            var hash = raw.IndexOf('#');
            var item = (hash < 0 ? raw : raw[..hash]).Trim();
            if (item.Length == 0) continue;
            var f = item.Split(':');
            if (f.Length is < 2 or > 4) throw Bad(item, "expected tag:qualifier:perms");
            var (tagText, qualifier, perms) = f.Length == 2 ? (f[0], "", f[1]) : (f[0], f[1], f[2]);
            AclTag tag = tagText switch
            {
                "u" or "user" => qualifier.Length == 0 ? AclTag.UserObj : AclTag.User,
                "g" or "group" => qualifier.Length == 0 ? AclTag.GroupObj : AclTag.Group,
                "m" or "mask" => AclTag.Mask,
                "o" or "other" => AclTag.Other,
                _ => throw Bad(item, $"unknown entry type \"{tagText}\""),
            };
            if (!tag.HasQualifier() && qualifier.Length > 0) throw Bad(item, "this entry type takes no qualifier");
            uint id = 0;
            if (tag.HasQualifier())
            {
                var idText = f.Length == 4 ? f[3] : qualifier;
                if (!uint.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out id))
                {
                    var resolved = names is not null &&
                                   (tag == AclTag.User ? names.TryResolveUser(idText, out id) : names.TryResolveGroup(idText, out id));
                    if (!resolved) throw Bad(item, $"\"{idText}\" is not a numeric id{(names is null ? "" : " nor a name in " + names.DescribeSources())}");
                }
            }
            entries.Add(new AclEntry(tag, id, ParsePerms(perms, item)));
        }
        return PosixAcl.Create(entries);
    }

    private static int ParsePerms(string text, string item)
    {
        // acl_from_text accepts the letters in any order with '-' as filler.
        var perms = 0;
        foreach (var c in text)
        {
            perms |= c switch
            {
                'r' => AclEntry.Read,
                'w' => AclEntry.Write,
                'x' => AclEntry.Execute,
                '-' => 0,
                _ => throw Bad(item, $"bad permissions \"{text}\""),
            };
        }
        if (text.Length == 0) throw Bad(item, "missing permissions");
        return perms;
    }

    private static ContainerSdkException Bad(string item, string why) =>
        new(Codes.AclInvalid, $"malformed ACL text entry \"{item}\": {why}");
}
