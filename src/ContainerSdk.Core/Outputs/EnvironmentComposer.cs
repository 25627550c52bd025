using ContainerSdk.Core.Inputs;
using System.Text;
using ContainerSdk.Core.Diagnostics;

namespace ContainerSdk.Core.Outputs;

/// <summary>
/// Composes the image's Env the way a shell-less runtime will see it: layer entries expand <c>$NAME</c> and
/// <c>${NAME}</c> against what the layers below set (unset names expand to empty, <c>$$</c> is a literal <c>$</c>);
/// setting a name again replaces its value where it stands, so the order of first appearance is kept. In a
/// ':'-separated value, an entry that is only a reference to a variable the layers below leave unset or empty is
/// dropped with its ':' (<c>/x/lib:$LD_LIBRARY_PATH</c> over nothing is <c>/x/lib</c>): an empty entry of a search
/// path means the current folder to the loader and the shell. A modulefile's operations apply as Lmod applies them.
/// </summary>
internal sealed class EnvironmentComposer
{
    /// <summary>What Docker and buildah give an image that has no base config.</summary>
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly List<KeyValuePair<string, string>> _entries = new();
    private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);

    /// <summary>Starts from <paramref name="initial"/> ("NAME=value", a base image's Env) or, when null, the default PATH.</summary>
    public EnvironmentComposer(IEnumerable<string>? initial = null)
    {
        foreach (var pair in initial ?? new[] { DefaultPath })
        {
            // A base image's Env is taken as it is: it was expanded when that image was built.
            int eq = pair.IndexOf('=');
            if (eq > 0) Set(pair[..eq], pair[(eq + 1)..]);
        }
    }

    public IReadOnlyList<string> Entries => _entries.Select(e => $"{e.Key}={e.Value}").ToArray();

    public string? this[string name] => _positions.TryGetValue(name, out var i) ? _entries[i].Value : null;

    /// <summary>Adds a layer's "NAME=value", expanding references in the value. <paramref name="itemSpec"/> names the item in errors.</summary>
    public void AddExpanded(string pair, string itemSpec)
    {
        int eq = pair.IndexOf('=');
        if (eq < 0) throw Invalid(itemSpec, pair, "it has no '=' (expected NAME=value)");
        var name = pair[..eq];
        if (name.Length == 0) throw Invalid(itemSpec, pair, "the name before '=' is empty");
        if (!EnvironmentNames.IsName(name)) throw Invalid(itemSpec, pair, $"'{name}' is not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
        var value = pair[(eq + 1)..];
        Set(name, value.Contains(':') && value.Contains('$') ? ExpandList(value, itemSpec, pair) : Expand(value, itemSpec, pair));
    }

    /// <summary>A ':'-separated value, each entry expanded; an entry that is only a reference to nothing goes away.</summary>
    private string ExpandList(string value, string itemSpec, string pair)
    {
        var kept = new List<string>();
        foreach (var part in SplitEntries(value))
        {
            var expanded = Expand(part, itemSpec, pair);
            if (expanded.Length == 0 && IsReference(part)) continue;
            kept.Add(expanded);
        }
        return string.Join(':', kept);
    }

    /// <summary>Splits at the ':' that are not inside <c>${...}</c>.</summary>
    private static IEnumerable<string> SplitEntries(string value)
    {
        int start = 0, depth = 0;
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '$' && i + 1 < value.Length && value[i + 1] == '{') depth++;
            else if (value[i] == '}' && depth > 0) depth--;
            else if (value[i] == ':' && depth == 0)
            {
                yield return value[start..i];
                start = i + 1;
            }
        }
        yield return value[start..];
    }

    /// <summary>"$NAME" or "${NAME}" and nothing else.</summary>
    private static bool IsReference(string part)
        => part.Length > 1 && part[0] == '$'
           && (part[1] == '{' ? part.EndsWith('}') && EnvironmentNames.IsName(part[2..^1]) : EnvironmentNames.IsName(part[1..]));

    /// <summary>A module's modulefile operations, applied over the environment so far as Lmod's <c>module load</c> applies them.</summary>
    public void ApplyModule(IEnumerable<Modules.EnvironmentOperation> operations)
    {
        var env = new Modules.ModuleEnvironment(Entries);
        foreach (var op in operations) env.Apply(op);
        _entries.Clear();
        _positions.Clear();
        foreach (var entry in env.Entries)
        {
            int eq = entry.IndexOf('=');
            Set(entry[..eq], entry[(eq + 1)..]);
        }
    }

    /// <summary>Sets a value as written, with no expansion (ContainerEnvironmentVariable, as the .NET SDK does).</summary>
    public void SetLiteral(string name, string value) => Set(name, value);

    private void Set(string name, string value)
    {
        if (_positions.TryGetValue(name, out var i)) _entries[i] = new(name, value);
        else
        {
            _positions[name] = _entries.Count;
            _entries.Add(new(name, value));
        }
    }

    private string Expand(string value, string itemSpec, string pair)
    {
        if (!value.Contains('$')) return value;
        var result = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c != '$' || i + 1 == value.Length) { result.Append(c); continue; }
            char next = value[i + 1];
            if (next == '$') { result.Append('$'); i++; continue; }
            if (next == '{')
            {
                int close = value.IndexOf('}', i + 2);
                if (close < 0) throw Invalid(itemSpec, pair, "'${' has no closing '}'");
                var name = value[(i + 2)..close];
                if (!EnvironmentNames.IsName(name)) throw Invalid(itemSpec, pair, $"'${{{name}}}' does not name a variable ([A-Za-z_][A-Za-z0-9_]*)");
                result.Append(this[name]);
                i = close;
                continue;
            }
            if (EnvironmentNames.IsNameStart(next))
            {
                int end = i + 2;
                while (end < value.Length && EnvironmentNames.IsNamePart(value[end])) end++;
                result.Append(this[value[(i + 1)..end]]);
                i = end - 1;
                continue;
            }
            result.Append(c); // "$" before anything else ("$1", "a$ b") is literal, as in a shell
        }
        return result.ToString();
    }

    private static ContainerSdkException Invalid(string itemSpec, string pair, string why)
        => new(Codes.InvalidEnvironment, $"Item '{itemSpec}': Environment entry '{pair}' is invalid: {why}.");
}
