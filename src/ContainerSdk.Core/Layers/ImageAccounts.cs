using ContainerSdk.Core.Acl;
using ContainerSdk.Core.Tar;

namespace ContainerSdk.Core.Layers;

/// <summary>
/// The users and groups of the image being built: /etc/passwd and /etc/group as a stack of layer plans
/// composes them. Names never resolve against the build machine, whose accounts are not the image's.
/// </summary>
internal static class ImageAccounts
{
    private const int MaxAccountFileBytes = 4 << 20;

    /// <summary>A resolver over the accounts visible from the top of <paramref name="plans"/> (the last plan is the top).</summary>
    public static INameResolver Compose(IReadOnlyList<LayerPlan> plans)
    {
        var (passwd, passwdFrom) = ReadTopmost(plans, "etc/passwd");
        var (group, groupFrom) = ReadTopmost(plans, "etc/group");
        using (passwd)
        using (group)
            return new PasswdResolver(passwd, group, $"the image's /etc/passwd ({passwdFrom}) and /etc/group ({groupFrom})");
    }

    private static (Stream? Content, string From) ReadTopmost(IReadOnlyList<LayerPlan> plans, string key)
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
                return (new MemoryStream(buffer), $"from '{plans[i].Input.ItemSpec}'");
            }
            if (plans[i].Hides(key)) return (null, $"removed by '{plans[i].Input.ItemSpec}'");
        }
        return (null, "no layer has it");
    }
}
