namespace ContainerSdk.Tests.EndToEnd;

/// <summary>What stat(1) says about a path, without following a final symlink.</summary>
public sealed record FileStat(string Mode, int Uid, int Gid, long Inode, int Links, string Type)
{
    public static FileStat Of(string path)
    {
        var r = Tools.Run("stat", "-c", "%a %u %g %i %h %F", path).EnsureSuccess($"stat {path}");
        var f = r.StdOut.Trim().Split(' ', 6);
        return new FileStat(f[0], int.Parse(f[1]), int.Parse(f[2]), long.Parse(f[3]), int.Parse(f[4]), f[5]);
    }

    public string Owners => $"{Uid}:{Gid}";
}
