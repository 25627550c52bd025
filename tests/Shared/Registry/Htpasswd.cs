namespace ContainerSdk.Tests.Registry;

/// <summary>Writes an htpasswd file with bcrypt entries, the only kind distribution's htpasswd auth accepts.</summary>
internal static class Htpasswd
{
    public static void Write(string path, IReadOnlyDictionary<string, string> users)
    {
        var htpasswd = Tools.Require("htpasswd");
        var lines = new List<string>();
        foreach (var (user, password) in users.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            // -i: the password comes on stdin, so it never shows in a process list.
            var result = Tools.Run(htpasswd, new[] { "-B", "-i", "-n", user }, stdin: System.Text.Encoding.UTF8.GetBytes(password + "\n"))
                .EnsureSuccess($"htpasswd for {user}");
            lines.Add(result.StdOut.Trim());
        }
        File.WriteAllLines(path, lines);
    }
}
