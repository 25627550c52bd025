using System.Text;

namespace ContainerSdk.Core.Modules;

/// <summary>
/// A path-like variable as Lmod (8.x, default configuration) holds it while a module loads: distinct entries in
/// order, each with a reference count. Reading a value collapses duplicates into one entry counted as often as it
/// occurs; a prepend or append of an entry already there moves it (and counts it again); a remove lowers the count
/// and drops the entry at zero. Entries are tidied the way Lmod tidies them (<see cref="Regularize"/>), and an
/// empty entry survives only as Lmod keeps one: <c>append_path("MANPATH", "")</c> on nothing gives <c>::</c>.
/// What matters most to a container: prepending to a variable that nothing set gives <c>value</c>, never
/// <c>value:</c> (an empty LD_LIBRARY_PATH entry means the current folder to the loader).
/// </summary>
internal sealed class LmodPath
{
    // Priority is signed as Lmod keeps it: a prepend's is negated, so that ordering by it puts a higher-priority
    // prepended entry first and a higher-priority appended one last (Var:expand orders by index + factor * priority).
    private readonly List<(string Entry, int Count, int Priority)> _entries = new();

    public LmodPath(string delimiter, string? current, string? home)
    {
        Delimiter = delimiter;
        _home = home;
        if (!string.IsNullOrEmpty(current))
            foreach (var entry in Split(current))
            {
                int at = IndexOf(entry);
                if (at < 0) _entries.Add((entry, 1, 0));
                else _entries[at] = _entries[at] with { Count = _entries[at].Count + 1 };
            }
    }

    private readonly string? _home;

    public string Delimiter { get; }

    public void Prepend(string value, int priority = 0)
    {
        var parts = Split(value);
        for (int i = parts.Count - 1; i >= 0; i--) Move(parts[i], toFront: true, -priority);
    }

    public void Append(string value, int priority = 0)
    {
        foreach (var part in Split(value)) Move(part, toFront: false, priority);
    }

    public void Remove(string value)
    {
        foreach (var part in Split(value))
        {
            int at = IndexOf(part);
            if (at < 0) continue;
            if (_entries[at].Count <= 1) _entries.RemoveAt(at);
            else _entries[at] = _entries[at] with { Count = _entries[at].Count - 1 };
        }
    }

    /// <summary>The variable's value, or null when no entry is left (Lmod then unsets it).</summary>
    public string? Value(string name)
    {
        if (_entries.Count == 0) return null;
        // A stable sort: entries of one priority keep their order.
        var parts = TrimTrailingEmpties(_entries.OrderBy(e => e.Priority).Select(e => e.Entry).ToList());
        string value;
        if (parts.Count == 1 && parts[0].Length == 0) value = Delimiter + Delimiter;
        else
        {
            value = string.Join(Delimiter, parts);
            if (parts[^1].Length == 0) value += Delimiter;
        }
        // PATH never keeps an empty entry: a shell would search the current folder.
        if (name == "PATH") value = TidyPath(value);
        return value;
    }

    /// <summary>
    /// Lmod's l_insertFunc with duplicates not allowed: the entry moves to the front or back and is counted again; a
    /// priority keeps the stronger of the old and the new one (the more negative for prepends, the more positive for
    /// appends), and no priority clears it.
    /// </summary>
    private void Move(string entry, bool toFront, int priority)
    {
        int count = 1;
        int at = IndexOf(entry);
        if (at >= 0)
        {
            count += _entries[at].Count;
            int old = _entries[at].Priority;
            if (priority < 0) priority = Math.Min(priority, old);
            else if (priority > 0) priority = Math.Max(priority, old);
            _entries.RemoveAt(at);
        }
        if (toFront) _entries.Insert(0, (entry, count, priority)); else _entries.Add((entry, count, priority));
    }

    private int IndexOf(string entry) => _entries.FindIndex(e => e.Entry == entry);

    /// <summary>A value split at the delimiter, each part tidied; an empty value is one empty entry.</summary>
    private List<string> Split(string value)
        => TrimTrailingEmpties(value.Split(Delimiter).Select(p => Regularize(p, _home)).ToList());

    /// <summary>Trailing empty entries become at most one.</summary>
    private static List<string> TrimTrailingEmpties(List<string> parts)
    {
        int keep = parts.Count;
        while (keep > 0 && parts[keep - 1].Length == 0) keep--;
        if (keep < parts.Count) keep++;
        return keep == parts.Count ? parts : parts.GetRange(0, keep);
    }

    private static string TidyPath(string value)
    {
        var parts = value.Split(':', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(':', parts);
    }

    /// <summary>
    /// One entry as Lmod stores it: surrounding white space trimmed, repeated slashes and "." components dropped, no
    /// trailing slash (but a trailing "//" after a name stays, as TeX search paths use it), a leading "~" is HOME.
    /// </summary>
    public static string Regularize(string entry, string? home)
    {
        var value = entry.Trim();
        bool doubleSlash = value.Length >= 3 && value.EndsWith("//", StringComparison.Ordinal) && value[^3] != '/';
        while (value.Contains("//", StringComparison.Ordinal)) value = value.Replace("//", "/", StringComparison.Ordinal);
        value = value.Replace("/./", "/", StringComparison.Ordinal);
        if (value.EndsWith('/')) value = value[..^1];
        if (value.StartsWith('~')) value = (home ?? "~") + value[1..];
        if (value.Length == 0) return "";

        var names = value.Split('/');
        var kept = new List<string>(names.Length);
        int next = 1;
        if (names[0] == ".")
        {
            while (next < names.Length && names[next] == ".") next++;
            kept.Add(next < names.Length ? names[next++] : ".");
        }
        else kept.Add(names[0]);
        for (; next < names.Length; next++)
            if (names[next] != ".") kept.Add(names[next]);

        var result = new StringBuilder(string.Join('/', kept));
        if (doubleSlash) result.Append("//");
        return result.ToString();
    }
}
