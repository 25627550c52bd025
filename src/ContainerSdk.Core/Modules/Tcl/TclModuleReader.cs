using System.Text;

namespace ContainerSdk.Core.Modules.Tcl;

/// <summary>
/// Reads an Environment Modules / Lmod Tcl modulefile as <c>module load</c> evaluates it, without a Tcl interpreter:
/// commands are substituted and dispatched in order, with the modulefile commands recorded rather than executed.
/// Understood: <c>set</c>, <c>$var</c>, <c>$env(X)</c> (the image's environment), <c>if</c>/<c>elseif</c>/<c>else</c>
/// on <c>expr</c> conditions, <c>[is-loaded x]</c> (0: nothing is loaded when an image's module loads start),
/// <c>[is-avail x]</c>, <c>module-info name/version/mode/shell/shelltype</c>, <c>family</c>, <c>puts stderr</c> (a
/// build message), <c>source-sh</c> (a warning), Tcl's <c>expr</c>, <c>file dirname/tail/join/normalize/extension/rootname</c>,
/// <c>string</c> (length, tolower, toupper, trim*, equal, compare, first, last, range, index, map, repeat, match),
/// <c>info exists</c>, <c>lindex</c>, <c>llength</c>, <c>lrange</c>, <c>list</c>, <c>split</c>, <c>join</c>, <c>foreach</c>,
/// <c>proc</c> definitions (never called on load). An <c>if</c> whose branches change nothing (Spack's guard that
/// defines <c>depends-on</c> for old Environment Modules) is passed over when its condition cannot be read.
/// Anything else is an error at its line.
/// </summary>
internal sealed class TclModuleReader
{
    private readonly ModuleFileRecorder _recorder;
    private readonly ModuleLoadContext _context;
    private readonly Dictionary<string, string> _variables = new(StringComparer.Ordinal);
    private readonly HashSet<string> _procs = new(StringComparer.Ordinal);
    private int _depth;

    private TclModuleReader(ModuleFileRecorder recorder, ModuleLoadContext context)
    {
        _recorder = recorder;
        _context = context;
    }

    public static void Read(string text, ModuleFileRecorder recorder, ModuleLoadContext context)
    {
        // Both Lmod and Environment Modules refuse a Tcl file without the magic cookie.
        if (!text.StartsWith("#%Module", StringComparison.Ordinal))
            throw recorder.Syntax("a Tcl modulefile must start with '#%Module' (a Lua one must end in .lua)", 1);
        var script = TclParser.Parse(text, 1, recorder.Syntax);
        new TclModuleReader(recorder, context).Run(script);
    }

    private void Run(IReadOnlyList<TclCommand> script)
    {
        foreach (var command in script) Execute(command);
    }

    /// <summary>Commands one file's reading may run: far above any modulefile's, so that nested loops cannot hang a build.</summary>
    private const long MaxCommands = 1_000_000;
    private long _commands;

    private string Execute(TclCommand command)
    {
        int line = command.Line;
        if (++_commands > MaxCommands)
            throw _recorder.Unsupported($"running more than {MaxCommands} commands (a modulefile is read once per build)", line);
        var words = command.Words;
        var name = Substitute(words[0]);
        if (name == "if") { If(words, line); return ""; }
        if (name == "foreach") { Foreach(words, line); return ""; }
        if (name == "proc")
        {
            if (words.Count != 4) throw _recorder.Syntax("proc takes a name, arguments and a body", line);
            _procs.Add(Substitute(words[1]));
            return "";
        }
        var args = words.Skip(1).Select(Substitute).ToList();
        return name switch
        {
            "set" => Set(args, line),
            "puts" => Puts(args, line),
            "module" => Module(args, line),
            "is-loaded" => "0",
            "is-avail" => args.Count > 0 && args.All(_context.IsAvailable) ? "1" : "0",
            "module-info" => ModuleInfo(args, line),
            "family" => Family(args, line),
            "source-sh" => SourceSh(args, line),
            "expr" => TclCondition.Value(ExpressionText(words), line, Substitute, _recorder.Syntax, _recorder.Unsupported),
            "file" => TclBuiltins.File(args, line, _recorder),
            "string" => TclBuiltins.String(args, line, _recorder),
            "info" when args is ["exists", var variable] => Exists(variable) ? "1" : "0",
            "lindex" or "llength" or "lrange" or "list" or "split" or "join" or "concat" => TclBuiltins.List(name, args, line, _recorder),
            _ => Statement(name, args, line),
        };
    }

    /// <summary><c>expr {a + b}</c> reads the braced text itself; <c>expr $a + 1</c> the words, substituted and joined.</summary>
    private string ExpressionText(IReadOnlyList<TclWord> words)
        => words.Count == 2 && words[1].Braced ? words[1].Raw : string.Join(' ', words.Skip(1).Select(Substitute));

    private string Family(List<string> args, int line)
    {
        if (args.Count != 1) throw _recorder.Syntax("family takes one name", line);
        _recorder.Family(args[0], _context.Name, _context.Version, line);
        return "";
    }

    private string SourceSh(List<string> args, int line)
    {
        if (args.Count < 2) throw _recorder.Syntax("source-sh takes a shell and a script", line);
        _recorder.Command("source-sh", string.Join(' ', args), line);
        return "";
    }

    private string Statement(string command, List<string> args, int line)
    {
        var statement = ModuleStatements.Canonical(command);
        switch (ModuleStatements.Classify(statement))
        {
            case StatementClass.Environment:
                RecordEnvironment(statement, args, line);
                return "";
            case StatementClass.Dependency:
                // Lmod reads Tcl's "prereq a b" as "any of a, b", as Environment Modules does.
                _recorder.Dependency(statement == "prereq" ? "prereq_any" : statement, args, line);
                return "";
            case StatementClass.NoEffect:
                return "";
            case StatementClass.ShellOnly:
                _recorder.ShellOnly(command, line);
                return "";
            case StatementClass.RunsCode:
                throw _recorder.RunsCode(command, line);
        }
        if (_procs.Contains(command)) throw _recorder.Unsupported($"calling the procedure '{command}'", line);
        throw _recorder.UnknownStatement(command, line);
    }

    /// <summary>
    /// <c>prepend-path [-d delim | --delim delim | --delim=delim] NAME value</c>; <c>setenv NAME value</c>;
    /// <c>unsetenv NAME [value]</c>. More than one value is an error: Environment Modules adds each while Lmod reads
    /// the third word as a priority, so the image would differ from one of them.
    /// </summary>
    private void RecordEnvironment(string statement, List<string> args, int line)
    {
        string? delimiter = null;
        if (statement.EndsWith("_path", StringComparison.Ordinal))
        {
            while (args.Count > 0 && args[0].StartsWith('-'))
            {
                var option = args[0];
                if (option.StartsWith("--delim=", StringComparison.Ordinal)) { delimiter = option["--delim=".Length..]; args.RemoveAt(0); }
                else if (option is "-d" or "-delim" or "--delim" && args.Count > 1) { delimiter = args[1]; args.RemoveRange(0, 2); }
                else throw _recorder.Unsupported($"{statement.Replace('_', '-')} option '{option}'", line);
            }
            if (args.Count > 2)
                throw _recorder.Unsupported($"{statement.Replace('_', '-')} with several values (Lmod and Environment Modules read them differently); write one statement per value", line);
        }
        else if (statement == "setenv" && args.Count > 0 && args[0].StartsWith('-'))
            throw _recorder.Unsupported($"setenv option '{args[0]}'", line);
        if (args.Count > 2) throw _recorder.Unsupported($"{statement.Replace('_', '-')} with {args.Count} arguments", line);
        if (statement != "unsetenv" && args.Count < 2) throw _recorder.Syntax($"{statement.Replace('_', '-')} needs a variable name and a value", line);
        _recorder.Environment(statement, args.Count > 0 ? args[0] : null, statement == "unsetenv" ? null : args[1], delimiter, line);
    }

    private void If(IReadOnlyList<TclWord> words, int line)
    {
        // if cond ?then? body ?elseif cond ?then? body ...? ?else? ?body?
        var branches = new List<(TclWord? Condition, TclWord Body)>();
        int i = 1;
        while (true)
        {
            if (i >= words.Count) throw _recorder.Syntax("if needs a condition and a body", line);
            var condition = words[i++];
            if (i < words.Count && words[i].Literal == "then") i++;
            if (i >= words.Count) throw _recorder.Syntax("if needs a body after its condition", line);
            branches.Add((condition, words[i++]));
            if (i >= words.Count) break;
            var keyword = words[i].Literal;
            if (keyword == "elseif") { i++; continue; }
            if (keyword == "else") i++;
            if (i != words.Count - 1) throw _recorder.Syntax("if has extra words after its last body", line);
            branches.Add((null, words[i]));
            break;
        }

        var bodies = branches.Select(b => ParseBody(b.Body)).ToList();
        bool inert = bodies.All(IsInert);
        for (int b = 0; b < branches.Count; b++)
        {
            var condition = branches[b].Condition;
            bool taken;
            try { taken = condition is null || TclCondition.Evaluate(Substitute(condition), condition.Line, Substitute, _recorder.Syntax, _recorder.Unsupported); }
            // Branches that change nothing (messages at most) need no condition the SDK can read.
            catch (ContainerSdk.Core.Diagnostics.ContainerSdkException) when (inert) { return; }
            if (taken)
            {
                _depth++;
                try { Run(bodies[b]); } finally { _depth--; }
                return;
            }
        }
    }

    /// <summary><c>foreach var list body</c>, or <c>foreach {a b} list body</c>: the body once per element (or group).</summary>
    private void Foreach(IReadOnlyList<TclWord> words, int line)
    {
        if (words.Count != 4) throw _recorder.Unsupported("foreach over several lists", line);
        var names = TclLists.Split(Substitute(words[1]), m => _recorder.Syntax(m, line));
        if (names.Count == 0) throw _recorder.Syntax("foreach needs a variable", line);
        var items = TclLists.Split(Substitute(words[2]), m => _recorder.Syntax(m, line));
        var body = ParseBody(words[3]);
        _depth++;
        try
        {
            for (int i = 0; i < items.Count; i += names.Count)
            {
                for (int n = 0; n < names.Count; n++) _variables[names[n]] = i + n < items.Count ? items[i + n] : "";
                Run(body);
            }
        }
        finally { _depth--; }
    }

    private IReadOnlyList<TclCommand> ParseBody(TclWord body)
        => body.Braced ? TclParser.Parse(body.Raw, body.Line, _recorder.Syntax) : TclParser.Parse(Substitute(body), body.Line, _recorder.Syntax);

    /// <summary>Whether running these commands could change nothing on load: procedure definitions, messages, descriptions.</summary>
    private static bool IsInert(IReadOnlyList<TclCommand> script) => script.All(c =>
        c.Words[0].Literal is { } name
        && (name is "proc" || (name == "puts" && c.Words.Count > 1 && c.Words[1].Literal is "stderr" or "-nonewline")
            || ModuleStatements.Classify(ModuleStatements.Canonical(name)) == StatementClass.NoEffect));

    private string Set(List<string> args, int line)
    {
        if (args.Count is 0 or > 2) throw _recorder.Syntax("set takes a name and, to assign, a value", line);
        var name = args[0];
        if (args.Count == 1)
            return Exists(name) ? Lookup(name, null, line) : throw _recorder.Failure($"can't read \"{name}\": no such variable", line);
        if (name.Contains('(')) throw _recorder.Unsupported($"setting the array element '{name}' (use setenv for environment variables)", line);
        _variables[name] = args[1];
        if (_depth == 0 && name == "root") _recorder.AssignedRoot(args[1]);
        return args[1];
    }

    private string Puts(List<string> args, int line)
    {
        int channel = args.Count > 0 && args[0] == "-nonewline" ? 1 : 0;
        if (args.Count - channel == 2 && args[channel] == "stderr")
        {
            _recorder.Message(args[channel + 1], line);
            return "";
        }
        throw _recorder.Unsupported("puts to anything but stderr (what a modulefile prints to stdout the shell runs)", line);
    }

    private string Module(List<string> args, int line)
    {
        if (args.Count == 0) throw _recorder.Syntax("module needs a subcommand", line);
        var names = args.Skip(1).ToList();
        switch (args[0])
        {
            case "load" or "add":
                _recorder.Dependency("load", names, line);
                return "";
            case "try-load" or "try-add":
                _recorder.Dependency("try_load", names, line);
                return "";
            case "load-any":
                _recorder.Dependency("load_any", names, line);
                return "";
            case "unload" or "del" or "rm":
                return ""; // nothing is loaded when an image's module loads start
            case "use":
                bool append = false;
                foreach (var path in names)
                {
                    if (path is "-a" or "--append" or "-append") append = true;
                    else if (path is "-p" or "--prepend" or "-prepend") append = false;
                    else if (path.Length > 0) _recorder.Environment(append ? "append_path" : "prepend_path", "MODULEPATH", path, null, line);
                }
                return "";
            case "unuse":
                foreach (var path in names) _recorder.Environment("remove_path", "MODULEPATH", path, null, line);
                return "";
            default:
                throw _recorder.Unsupported($"module {args[0]}", line);
        }
    }

    /// <summary>Lmod's module-info (tcl2lua.tcl) for a load in bash.</summary>
    private string ModuleInfo(List<string> args, int line) => args switch
    {
        ["mode"] => "load",
        ["mode", var mode] => mode == "load" ? "1" : "0",
        ["name"] or ["specified"] => $"{_context.Name}/{_context.Version}",
        ["shell"] or ["shell", _] => ModuleLoadContext.ShellName,
        ["shelltype"] or ["shelltype", _] => ModuleLoadContext.ShellType,
        ["flags"] => "0",
        ["user" or "symbols"] => "",
        ["user" or "symbols", _] => "0",
        // Lmod answers "dir/rest" of its argument, with rest "default" when there is none.
        ["version", var name] => name.IndexOf('/') is var slash and >= 0 && slash < name.Length - 1 ? name : $"{name.TrimEnd('/')}/default",
        _ => throw _recorder.Unsupported($"module-info {string.Join(' ', args)}", line),
    };

    private bool Exists(string name)
    {
        var (array, index) = SplitArray(name);
        if (array is "env" or "::env") return index is not null && _recorder.GetEnv(index) is not null;
        return index is null && _variables.ContainsKey(name);
    }

    private static (string Name, string? Index) SplitArray(string name)
    {
        int open = name.IndexOf('(');
        return open > 0 && name.EndsWith(')') ? (name[..open], name[(open + 1)..^1]) : (name, null);
    }

    private string Substitute(TclWord word)
    {
        if (word.Parts.Count == 1 && word.Parts[0] is TclText only) return only.Text;
        var value = new StringBuilder();
        foreach (var part in word.Parts)
            value.Append(part switch
            {
                TclText text => text.Text,
                TclVariable variable => Lookup(variable.Name, variable.Index is null ? null : Substitute(variable.Index), variable.Line),
                TclSubstitution substitution => substitution.Script.Aggregate("", (_, c) => Execute(c)),
                _ => "",
            });
        return value.ToString();
    }

    private string Lookup(string name, string? index, int line)
    {
        if (index is null) (name, index) = SplitArray(name);
        if (name is "env" or "::env")
        {
            if (index is null) throw _recorder.Unsupported("the whole env array", line);
            return _recorder.GetEnv(index)
                   ?? throw _recorder.Failure($"can't read \"env({index})\": the image's environment does not set {index}", line);
        }
        if (index is not null) throw _recorder.Unsupported($"the array '{name}'", line);
        return _variables.TryGetValue(name.TrimStart(':'), out var value)
            ? value
            : throw _recorder.Failure($"can't read \"{name}\": no such variable", line);
    }
}
