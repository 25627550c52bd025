namespace ContainerSdk.Core.Modules.Lua;

/// <summary>
/// Reads an Lmod Lua modulefile as Lmod's <c>module load</c> runs it, without running Lua: the whole file is parsed
/// first (a syntax error anywhere fails, as Lua's compiler does), then its statements are evaluated in order with
/// Lmod's functions recorded rather than executed. Understood: locals, globals and tables of strings, numbers and
/// booleans; the operators; <c>if</c>, <c>do</c>, numeric and <c>ipairs</c>/<c>pairs</c> <c>for</c> loops, function
/// definitions and calls; Lmod's functions (the environment statements, <c>family</c>, the messages, <c>execute</c>,
/// <c>source_sh</c>, <c>pathJoin</c>, <c>os.getenv</c> over the image's environment, <c>mode()</c> = "load",
/// <c>isloaded()</c> = false (nothing is loaded when an image's module loads start), <c>myModuleName()</c> and kin,
/// <c>myShellName()</c> = "bash", <c>hierarchyA</c>, <c>isAvail</c>) and the common string functions. The site's
/// SitePackage.lua is read first by the same rules; the functions it hands to <c>sandbox_registration</c> are
/// what a modulefile can call, as in Lmod's sandbox. Anything else that would run is an error at its line.
/// </summary>
internal sealed class LuaModuleReader
{
    private const int MaxCallDepth = 200;
    private const long MaxLoopSteps = 100_000;

    /// <summary>Statements one file's reading may run: far above any modulefile's, so that nested loops cannot hang a build.</summary>
    private const long MaxStatements = 1_000_000;
    private long _statements;

    private readonly ModuleFileRecorder _recorder;
    private readonly ModuleLoadContext _context;
    private readonly string _codeFile;
    private readonly bool _isSitePackage;
    private List<Dictionary<string, object?>> _scopes = new() { new(StringComparer.Ordinal) };
    private readonly Dictionary<string, object?> _globals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object?> _registered = new(StringComparer.Ordinal);
    private int _depth;

    private LuaModuleReader(ModuleFileRecorder recorder, ModuleLoadContext context, string codeFile, bool isSitePackage)
    {
        _recorder = recorder;
        _context = context;
        _codeFile = codeFile;
        _isSitePackage = isSitePackage;
    }

    public static void Read(string text, ModuleFileRecorder recorder, ModuleLoadContext context)
    {
        var tokens = new LuaLexer(text, recorder.Syntax).ReadAll();
        var chunk = new LuaParser(tokens, recorder.Syntax).ParseChunk();
        var reader = new LuaModuleReader(recorder, context, recorder.File, isSitePackage: false);
        if (context.SitePackage is { } site)
            foreach (var (name, value) in ReadSitePackage(site, recorder, context)) reader._globals[name] = value;
        reader.RunChunk(chunk);
    }

    /// <summary>
    /// The site package's top-level code, run as Lmod runs it before any modulefile: what it registers with
    /// <c>sandbox_registration</c> is what modulefiles see.
    /// </summary>
    private static Dictionary<string, object?> ReadSitePackage(LmodSitePackage site, ModuleFileRecorder recorder, ModuleLoadContext context)
    {
        recorder.CodeFile = site.Path;
        try
        {
            var tokens = new LuaLexer(site.Text, recorder.Syntax).ReadAll();
            var chunk = new LuaParser(tokens, recorder.Syntax).ParseChunk();
            var reader = new LuaModuleReader(recorder, context, site.Path, isSitePackage: true);
            reader.RunChunk(chunk);
            return reader._registered;
        }
        finally { recorder.CodeFile = recorder.File; }
    }

    private void RunChunk(IReadOnlyList<LuaStatement> chunk)
    {
        // A top-level return ends the file, as it ends Lmod's load of it.
        try { Run(chunk); }
        catch (ReturnSignal) { }
        catch (BreakSignal b) { throw _recorder.Syntax("'break' outside a loop", b.Line); }
    }

    private void Run(IReadOnlyList<LuaStatement> block)
    {
        foreach (var statement in block) Execute(statement);
    }

    private bool AtTopLevel => _scopes.Count == 1 && !_isSitePackage;

    private void Execute(LuaStatement statement)
    {
        if (++_statements > MaxStatements)
            throw _recorder.Unsupported($"running more than {MaxStatements} statements (a modulefile is read once per build)", statement.Line);
        switch (statement)
        {
            case LuaLocal local:
                var values = EvaluateList(local.Values, local.Names.Count);
                for (int i = 0; i < local.Names.Count; i++)
                {
                    _scopes[^1][local.Names[i]] = values[i];
                    if (AtTopLevel && local.Names[i] == "root") _recorder.AssignedRoot(LuaValues.AsString(values[i]));
                }
                break;
            case LuaAssign assign:
                var assigned = EvaluateList(assign.Values, assign.Targets.Count);
                for (int i = 0; i < assign.Targets.Count; i++) Assign(assign.Targets[i], assigned[i], assign.Line);
                break;
            case LuaCallStatement call:
                Evaluate(call.Call);
                break;
            case LuaIf branch:
                foreach (var (condition, block) in branch.Branches)
                    if (LuaValues.IsTrue(Evaluate(condition))) { RunScoped(block); return; }
                if (branch.Else is not null) RunScoped(branch.Else);
                break;
            case LuaDo doBlock:
                RunScoped(doBlock.Block);
                break;
            case LuaReturn ret:
                var returned = EvaluateAll(ret.Values);
                throw new ReturnSignal(returned.Count == 1 ? returned[0] : new LuaMultiple(returned));
            case LuaNumericFor loop:
                NumericFor(loop);
                break;
            case LuaGenericFor loop:
                GenericFor(loop);
                break;
            case LuaUnsupported { What: "'break'" } brk:
                throw new BreakSignal(brk.Line);
            case LuaUnsupported unsupported:
                throw _recorder.Unsupported($"{unsupported.What} (modulefiles are read, not run: use statements that set the environment directly)", unsupported.Line);
        }
    }

    private void Assign(LuaExpr target, object? value, int line)
    {
        switch (target)
        {
            case LuaName name:
                var scope = _scopes.LastOrDefault(s => s.ContainsKey(name.Name)) ?? _globals;
                scope[name.Name] = value;
                if (AtTopLevel && name.Name == "root") _recorder.AssignedRoot(LuaValues.AsString(value));
                break;
            case LuaIndex index when Evaluate(index.Target) is LuaTable table:
                var key = Evaluate(index.Key);
                if (key is string field) table.Fields[field] = value;
                else if (key is long n && n >= 1 && n <= table.Items.Count + 1)
                {
                    if (n == table.Items.Count + 1) table.Items.Add(value); else table.Items[(int)n - 1] = value;
                }
                else throw _recorder.Unsupported("a table key that is not a name or the next position", line);
                break;
            default:
                throw _recorder.Unsupported("assigning to a field of something that is not a table", line);
        }
    }

    private void NumericFor(LuaNumericFor loop)
    {
        var start = Evaluate(loop.Start);
        var limit = Evaluate(loop.Limit);
        var step = loop.Step is null ? 1L : Evaluate(loop.Step);
        if (start is not long from || limit is not long to || step is not long by || by == 0)
            throw _recorder.Unsupported("a 'for' loop over anything but whole numbers", loop.Line);
        long steps = 0;
        for (long i = from; by > 0 ? i <= to : i >= to; i += by)
        {
            if (++steps > MaxLoopSteps) throw _recorder.Unsupported($"a loop of more than {MaxLoopSteps} steps", loop.Line);
            if (!RunLoopBody(loop.Block, new[] { loop.Variable }, new object?[] { i })) break;
        }
    }

    private void GenericFor(LuaGenericFor loop)
    {
        if (loop.Values.Count != 1 || Evaluate(loop.Values[0]) is not LuaPairs pairs)
            throw _recorder.Unsupported("a 'for ... in' loop over anything but ipairs(t) or pairs(t)", loop.Line);
        foreach (var (key, value) in pairs.Entries)
            if (!RunLoopBody(loop.Block, loop.Names, new[] { key, value })) break;
    }

    /// <summary>One pass of a loop body with its variables in a new scope; false when it ran 'break'.</summary>
    private bool RunLoopBody(IReadOnlyList<LuaStatement> block, IReadOnlyList<string> names, object?[] values)
    {
        var scope = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++) scope[names[i]] = i < values.Length ? values[i] : null;
        _scopes.Add(scope);
        try { Run(block); return true; }
        catch (BreakSignal) { return false; }
        finally { _scopes.RemoveAt(_scopes.Count - 1); }
    }

    private void RunScoped(IReadOnlyList<LuaStatement> block)
    {
        _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal));
        try { Run(block); } finally { _scopes.RemoveAt(_scopes.Count - 1); }
    }

    private object?[] EvaluateList(IReadOnlyList<LuaExpr> exprs, int count)
    {
        var all = EvaluateAll(exprs);
        var values = new object?[Math.Max(count, all.Count)];
        for (int i = 0; i < all.Count; i++) values[i] = all[i];
        return values;
    }

    /// <summary>An expression list as Lua adjusts it: every expression gives one value but the last, which gives all a call returns.</summary>
    private List<object?> EvaluateAll(IReadOnlyList<LuaExpr> exprs)
    {
        var values = new List<object?>(exprs.Count);
        for (int i = 0; i < exprs.Count; i++)
        {
            if (i == exprs.Count - 1 && exprs[i] is LuaCall or LuaMethodCall)
            {
                var result = exprs[i] is LuaCall call ? Call(call) : CallMethod((LuaMethodCall)exprs[i]);
                if (result is LuaMultiple multiple) values.AddRange(multiple.Values); else values.Add(result);
            }
            else values.Add(Evaluate(exprs[i]));
        }
        return values;
    }

    private bool TryLookup(string name, out object? value)
    {
        foreach (var scope in Enumerable.Reverse(_scopes))
            if (scope.TryGetValue(name, out value)) return true;
        return _globals.TryGetValue(name, out value);
    }

    private object? Evaluate(LuaExpr expr)
    {
        switch (expr)
        {
            case LuaLiteral literal: return literal.Value;
            case LuaName name: return TryLookup(name.Name, out var value) ? value : null;
            case LuaBinary binary: return EvaluateBinary(binary);
            case LuaUnary { Operator: "not" } not: return !LuaValues.IsTrue(Evaluate(not.Operand));
            case LuaUnary { Operator: "-" } minus:
                return Evaluate(minus.Operand) switch
                {
                    long l => -l,
                    double d => -d,
                    var other => throw _recorder.Failure($"attempt to perform arithmetic on a {LuaValues.TypeName(other)} value", minus.Line),
                };
            case LuaUnary { Operator: "#" } length:
                return Evaluate(length.Operand) switch
                {
                    string s => (long)System.Text.Encoding.UTF8.GetByteCount(s),
                    LuaTable t => (long)t.Items.Count,
                    var other => throw _recorder.Failure($"attempt to get length of a {LuaValues.TypeName(other)} value", length.Line),
                };
            case LuaParenthesized parenthesized: return Evaluate(parenthesized.Inner);
            case LuaCall call: return LuaMultiple.First(Call(call));
            case LuaMethodCall method: return LuaMultiple.First(CallMethod(method));
            case LuaTableExpr table: return BuildTable(table);
            case LuaIndex index: return Index(index);
            case LuaFunctionExpr function: return new LuaFunction(function, new List<Dictionary<string, object?>>(_scopes), this);
            case LuaUnary unary:
                throw _recorder.Unsupported($"the operator '{unary.Operator}'", unary.Line);
            default:
                throw _recorder.Unsupported("'...'", expr.Line);
        }
    }

    /// <summary><c>t.x</c>, <c>t[1]</c> of a table; <c>io.stderr</c> and the like name one of Lua's own objects.</summary>
    private object? Index(LuaIndex index)
    {
        // Lua's own libraries (io.stderr, string.upper as a value); anything else undefined is nil, and indexing it fails.
        if (Builtin(index) is { } builtin && builtin.Split('.')[0] is "io" or "os" or "string" or "table" or "math")
            return new LuaBuiltin(builtin);
        var target = Evaluate(index.Target);
        var key = Evaluate(index.Key);
        return (target, key) switch
        {
            (LuaTable t, string field) => t.Fields.GetValueOrDefault(field),
            (LuaTable t, long n) => n >= 1 && n <= t.Items.Count ? t.Items[(int)n - 1] : null,
            (LuaTable, _) => null,
            (LuaLibrary library, string field) => new LuaBuiltin($"{library.Name}.{field}"),
            _ => throw _recorder.Failure($"attempt to index a {LuaValues.TypeName(target)} value ('{Describe(index)}')", index.Line),
        };
    }

    private object? EvaluateBinary(LuaBinary binary)
    {
        switch (binary.Operator)
        {
            case "and":
            {
                var left = Evaluate(binary.Left);
                return LuaValues.IsTrue(left) ? Evaluate(binary.Right) : left;
            }
            case "or":
            {
                var left = Evaluate(binary.Left);
                return LuaValues.IsTrue(left) ? left : Evaluate(binary.Right);
            }
            case "==": return LuaValues.Equals(Evaluate(binary.Left), Evaluate(binary.Right));
            case "~=": return !LuaValues.Equals(Evaluate(binary.Left), Evaluate(binary.Right));
            case "..":
            {
                var left = Evaluate(binary.Left);
                var right = Evaluate(binary.Right);
                var l = LuaValues.AsString(left) ?? throw ConcatFailure(left, binary);
                var r = LuaValues.AsString(right) ?? throw ConcatFailure(right, binary);
                return l + r;
            }
            case "<" or ">" or "<=" or ">=":
            {
                var left = Evaluate(binary.Left);
                var right = Evaluate(binary.Right);
                int order = (left, right) switch
                {
                    (string a, string b) => string.CompareOrdinal(a, b),
                    _ when LuaValues.AsNumber(left) is { } a && LuaValues.AsNumber(right) is { } b && left is not string && right is not string => a.CompareTo(b),
                    _ => throw _recorder.Failure($"attempt to compare a {LuaValues.TypeName(left)} with a {LuaValues.TypeName(right)}", binary.Line),
                };
                return binary.Operator switch { "<" => order < 0, ">" => order > 0, "<=" => order <= 0, _ => order >= 0 };
            }
            case "+" or "-" or "*" or "/" or "%" or "//":
                return LuaValues.Arithmetic(binary.Operator, Evaluate(binary.Left), Evaluate(binary.Right))
                       ?? throw _recorder.Failure($"attempt to perform arithmetic ('{binary.Operator}') on a value that is not a number", binary.Line);
            default:
                throw _recorder.Unsupported($"the operator '{binary.Operator}'", binary.Line);
        }
    }

    private Exception ConcatFailure(object? value, LuaBinary at)
        => _recorder.Failure($"attempt to concatenate a {LuaValues.TypeName(value)} value (an os.getenv of a variable the image does not set?)", at.Line);

    private LuaTable BuildTable(LuaTableExpr expr)
    {
        var table = new LuaTable();
        foreach (var item in expr.Items) table.Items.Add(Evaluate(item));
        foreach (var (key, value) in expr.Fields)
        {
            if (Evaluate(key) is not string k) throw _recorder.Unsupported("a table key that is not a name", expr.Line);
            table.Fields[k] = Evaluate(value);
        }
        return table;
    }

    /// <summary>"os.getenv" for <c>os.getenv</c>, when no local or global of the reader shadows <c>os</c>; else null.</summary>
    private string? Builtin(LuaExpr function) => function switch
    {
        LuaName name when !TryLookup(name.Name, out _) => name.Name,
        LuaIndex { Target: var table, Key: LuaLiteral { Value: string field } } when Builtin(table) is { } outer => $"{outer}.{field}",
        _ => null,
    };

    private static string Describe(LuaIndex index) => index switch
    {
        { Target: LuaName table, Key: LuaLiteral { Value: string field } } => $"{table.Name}.{field}",
        { Key: LuaLiteral { Value: string field } } => $"....{field}",
        _ => "[...]",
    };

    private object? Call(LuaCall call)
    {
        var callee = Builtin(call.Function) is { } builtin ? new LuaBuiltin(builtin) : Evaluate(call.Function);
        var args = EvaluateAll(call.Arguments);
        return callee switch
        {
            null when call.Function is LuaName n => throw _recorder.UnknownStatement(n.Name, call.Line),
            LuaFunction or LuaBuiltin => CallValue(callee, args, call.Line),
            _ => throw _recorder.Failure($"attempt to call a {LuaValues.TypeName(callee)} value", call.Line),
        };
    }

    private object? CallValue(object function, List<object?> args, int line) => function switch
    {
        LuaFunction f => ((LuaModuleReader)f.Owner).Invoke(f, args, line),
        LuaBuiltin b => CallBuiltin(b.Name, args, line),
        _ => throw _recorder.Failure($"attempt to call a {LuaValues.TypeName(function)} value", line),
    };

    /// <summary>Runs a function this reader's file defined, in its file, over the scopes it closes over.</summary>
    private object? Invoke(LuaFunction function, List<object?> args, int line)
    {
        if (_depth >= MaxCallDepth) throw _recorder.Failure("stack overflow (a function calls itself without end)", line);
        var saved = _scopes;
        var savedFile = _recorder.CodeFile;
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (int i = 0; i < function.Code.Parameters.Count; i++)
            if (function.Code.Parameters[i] != "...") parameters[function.Code.Parameters[i]] = i < args.Count ? args[i] : null;
        _scopes = new List<Dictionary<string, object?>>(function.Closure) { parameters };
        _recorder.CodeFile = _codeFile;
        _depth++;
        try
        {
            Run(function.Code.Body);
            return null;
        }
        catch (ReturnSignal r) { return r.Value; }
        catch (BreakSignal b) { throw _recorder.Syntax("'break' outside a loop", b.Line); }
        finally
        {
            _depth--;
            _scopes = saved;
            _recorder.CodeFile = savedFile;
        }
    }

    private object? CallMethod(LuaMethodCall method)
    {
        if (Builtin(method.Target) is "io.stderr" && method.Method == "write")
        {
            var text = string.Concat(method.Arguments.Select(Evaluate).Select(a => LuaValues.AsString(a)
                ?? throw _recorder.Failure($"io.stderr:write takes strings, not a {LuaValues.TypeName(a)}", method.Line)));
            _recorder.Message(text, method.Line);
            return null;
        }
        var target = Evaluate(method.Target);
        if (target is string s)
        {
            var args = EvaluateAll(method.Arguments).Prepend(s).ToList();
            return CallBuiltin("string." + method.Method, args, method.Line);
        }
        throw _recorder.Unsupported($"the method call ':{method.Method}(...)' on a {LuaValues.TypeName(target)}", method.Line);
    }

    private object? CallBuiltin(string name, List<object?> args, int line)
    {
        switch (ModuleStatements.Classify(name))
        {
            case StatementClass.Environment:
                RecordEnvironment(name, args, line);
                return null;
            case StatementClass.Dependency:
                _recorder.Dependency(name, args.Select(a => a is string s ? s : throw _recorder.Failure($"{name} takes module names (strings)", line)).ToList(), line);
                return null;
            case StatementClass.NoEffect:
                return null;
            case StatementClass.ShellOnly:
                _recorder.ShellOnly(name, line);
                return null;
            case StatementClass.RunsCode when !(_isSitePackage && name == "require"):
                throw _recorder.RunsCode(name, line);
        }
        string? Text(int i) => i < args.Count ? LuaValues.AsString(args[i]) : null;
        string Needed(int i, string what) => Text(i) ?? throw _recorder.Failure($"{name} takes {what}", line);
        switch (name)
        {
            case "family":
                _recorder.Family(Text(0), _context.Name, _context.Version, line);
                return null;
            case "LmodMessage":
                _recorder.Message(string.Concat(args.Select(a => LuaValues.AsString(a) ?? "")), line);
                return null;
            case "LmodWarning":
                _recorder.Message("Lmod Warning: " + string.Concat(args.Select(a => LuaValues.AsString(a) ?? "")), line);
                return null;
            case "execute":
                Execute(args, line);
                return null;
            case "source_sh":
                _recorder.Command("source_sh", string.Join(' ', args.Select(a => LuaValues.AsString(a) ?? "")), line);
                return null;
            case "require":
                // In SitePackage.lua: Lmod's own modules ("strict", "Hook", "utils"), already loaded by Lmod.
                return new LuaLibrary(Needed(0, "a module name"));
            case "sandbox_registration" when _isSitePackage:
                if (args is not [LuaTable registered]) throw _recorder.Failure("sandbox_registration takes a table of functions", line);
                foreach (var (key, value) in registered.Fields) _registered[key] = value;
                return null;
            case "Hook.register" or "hook.register" when _isSitePackage:
                var hook = Needed(0, "a hook name and a function");
                if (hook == "SiteName" && args.Count > 1 && args[1] is LuaFunction siteName
                    && LuaValues.AsString(Invoke(siteName, new List<object?>(), line)) is { Length: > 0 } site)
                    _recorder.SiteName = site;
                else if (hook is "load" or "startup" or "finalize")
                    _recorder.Hook(hook, line);
                return null;
        }
        return name switch
        {
            "pathJoin" => ModulePaths.Join(args.Select(a => a is null ? null : LuaValues.AsString(a) ?? throw _recorder.Failure("pathJoin takes strings", line))),
            "os.getenv" => args.Count > 0 && args[0] is string variable ? _recorder.GetEnv(variable) : throw _recorder.Failure("os.getenv takes a variable name", line),
            "mode" => "load",
            "isloaded" or "isPending" => false,
            "isAvail" => _context.IsAvailable(Needed(0, "a module name")),
            "myModuleName" => _context.Name,
            "myModuleVersion" => _context.Version,
            "myModuleFullName" or "myModuleUsrName" => $"{_context.Name}/{_context.Version}",
            "myFileName" => _context.LoadPath,
            "myShellName" => ModuleLoadContext.ShellName,
            "myShellType" => ModuleLoadContext.ShellType,
            "hierarchyA" => HierarchyA(Needed(0, "a module name and a number of levels"), args.Count > 1 ? LuaValues.AsNumber(args[1]) : null, line),
            "tostring" => args.FirstOrDefault() switch
            {
                bool b => b ? "true" : "false",
                null => "nil",
                var v => LuaValues.AsString(v) ?? throw _recorder.Unsupported($"tostring of a {LuaValues.TypeName(v)} (Lua writes its address)", line),
            },
            "tonumber" => args.FirstOrDefault() is string t ? LuaValues.ParseNumber(t.Trim()) : args.FirstOrDefault() is long or double ? args[0] : null,
            "type" => LuaValues.TypeName(args.FirstOrDefault()),
            "ipairs" => args.FirstOrDefault() is LuaTable list ? LuaPairs.Of(list, sequenceOnly: true) : throw _recorder.Failure("ipairs takes a table", line),
            "pairs" => args.FirstOrDefault() is LuaTable table ? LuaPairs.Of(table, sequenceOnly: false) : throw _recorder.Failure("pairs takes a table", line),
            "table.concat" => args.FirstOrDefault() is LuaTable items
                ? string.Join(Text(1) ?? "", items.Items.Select(i => LuaValues.AsString(i) ?? throw _recorder.Failure("table.concat of a value that is not a string", line)))
                : throw _recorder.Failure("table.concat takes a table", line),
            "table.insert" when args is [LuaTable into, var item] => Add(into, item),
            "LmodError" => throw _recorder.Failure("LmodError: " + string.Concat(args.Select(a => LuaValues.AsString(a) ?? "")), line),
            _ when name.StartsWith("string.", StringComparison.Ordinal) => LuaStrings.Call(name["string.".Length..], args, line, _recorder, (f, a) => CallValue(f, a, line)),
            _ => throw _recorder.UnknownStatement(name, line),
        };
    }

    private static object? Add(LuaTable table, object? item)
    {
        table.Items.Add(item);
        return null;
    }

    /// <summary>
    /// <c>execute{cmd="...", modeA={"load"}}</c>: Lmod runs the command in the user's shell when the mode is one of
    /// modeA ("load", or "all"). On load that is a command whose effect the image config cannot hold.
    /// </summary>
    private void Execute(List<object?> args, int line)
    {
        if (args is not [LuaTable t] || LuaValues.AsString(t.Fields.GetValueOrDefault("cmd")) is not { } command
            || t.Fields.GetValueOrDefault("modeA") is not LuaTable modes)
            throw _recorder.Failure("execute takes a table {cmd=\"...\", modeA={...}}", line);
        if (modes.Items.Select(LuaValues.AsString).Any(m => m == "load" || string.Equals(m, "all", StringComparison.OrdinalIgnoreCase)))
            _recorder.Command("execute", command, line);
    }

    /// <summary>
    /// Lmod's hierarchyA(pkgName, levels): the folders above the file's own name/version in the path Lmod loads it
    /// from, <paramref name="levels"/> groups of as many folders as pkgName has parts, nearest first.
    /// </summary>
    private LuaTable HierarchyA(string package, double? levels, int line)
    {
        if (levels is not { } wanted) throw _recorder.Failure("hierarchyA takes a module name and a number of levels", line);
        var result = new LuaTable();
        if (wanted < 1) return result;
        static string WithoutLua(string s) => s.EndsWith(".lua", StringComparison.Ordinal) ? s[..^4] : s;
        var file = WithoutLua(_context.LoadPath);
        package = LmodPath.Regularize(WithoutLua(package), home: null);
        int at = file.IndexOf(package, StringComparison.Ordinal);
        if (at >= 0 && at + package.Length == file.Length) file = file[..at];
        file = LmodPath.Regularize(file, home: null);
        int parts = package.Count(c => c == '/') + 1;
        var folders = file.Split('/');
        int n = folders.Length;
        for (int level = 0; level < wanted; level++)
        {
            var group = new List<string>();
            for (int j = 1; j <= parts; j++)
            {
                int index = n - parts + j - 1;
                if (index >= 0 && index < folders.Length) group.Add(folders[index]);
            }
            result.Items.Add(string.Join('/', group));
            n -= parts;
        }
        return result;
    }

    /// <summary>
    /// <c>prepend_path("NAME", value[, delimiter])</c> or the table form <c>prepend_path{"NAME", value, delim=":",
    /// priority=100}</c>; <c>setenv("NAME", value)</c>; <c>unsetenv("NAME")</c>.
    /// </summary>
    private void RecordEnvironment(string statement, List<object?> args, int line)
    {
        string? delimiter = null;
        int priority = 0;
        if (args is [LuaTable table])
        {
            args = table.Items;
            if (table.Fields.TryGetValue("delim", out var d)) delimiter = LuaValues.AsString(d);
            if (table.Fields.TryGetValue("priority", out var p))
            {
                // Lmod: tonumber(t.priority or "0"); only the path statements use it.
                var number = p is string ps ? LuaValues.AsNumber(LuaValues.ParseNumber(ps.Trim())) : LuaValues.AsNumber(p);
                if (number is not { } value || value != Math.Floor(value) || Math.Abs(value) > 1_000_000)
                    throw _recorder.Unsupported($"{statement} with the priority '{LuaValues.AsString(p) ?? LuaValues.TypeName(p)}' (a whole number is expected)", line);
                priority = (int)value;
                if (priority != 0 && statement is not ("prepend_path" or "append_path"))
                    throw _recorder.Unsupported($"{statement} with a priority", line);
                // Lmod's validateStringTable: a priority is 0 or at least 10, else the load fails.
                if (priority is < 0 or (> 0 and < 10))
                    throw _recorder.Failure($"{statement} with the priority {priority} (Lmod takes 0 or at least 10)", line);
            }
            if (table.Fields.Keys.Except(new[] { "delim", "priority" }).FirstOrDefault() is { } other)
                throw _recorder.Unsupported($"{statement} with '{other}='", line);
        }
        else if (statement.EndsWith("_path", StringComparison.Ordinal) && args.Count >= 3) delimiter = LuaValues.AsString(args[2]) ?? delimiter;
        if (args.Count > (statement.EndsWith("_path", StringComparison.Ordinal) ? 3 : 2))
            throw _recorder.Unsupported($"{statement} with {args.Count} arguments", line);
        var name = args.Count > 0 ? LuaValues.AsString(args[0]) : null;
        var value2 = args.Count > 1 ? LuaValues.AsString(args[1]) : null;
        if (args.Count > 1 && value2 is null && args[1] is not null)
            throw _recorder.Failure($"{statement}(\"{name}\") takes a string value, not a {LuaValues.TypeName(args[1])}", line);
        _recorder.Environment(statement, name, value2, delimiter, line, priority);
    }

    private sealed class ReturnSignal(object? value) : Exception
    {
        public object? Value { get; } = value;
    }

    private sealed class BreakSignal(int line) : Exception
    {
        public int Line { get; } = line;
    }
}

/// <summary>The values a function returns when they are more than one (<c>return a, b</c>, <c>s:match("(a)(b)")</c>, gsub's count).</summary>
internal sealed record LuaMultiple(IReadOnlyList<object?> Values)
{
    /// <summary>What an expression that is not last in a list takes of a call: its first value.</summary>
    public static object? First(object? value) => value is LuaMultiple m ? (m.Values.Count > 0 ? m.Values[0] : null) : value;
}

/// <summary>A function of Lua or Lmod named by a name the file does not define (<c>os.getenv</c>, <c>prepend_path</c>).</summary>
internal sealed record LuaBuiltin(string Name);

/// <summary>What <c>require("Hook")</c> gives a site package: Lmod's own module, whose functions are named by it.</summary>
internal sealed record LuaLibrary(string Name);

/// <summary>What <c>ipairs(t)</c> / <c>pairs(t)</c> give a <c>for ... in</c> loop: the sequence, then the named keys in order.</summary>
internal sealed record LuaPairs(IReadOnlyList<(object? Key, object? Value)> Entries)
{
    public static LuaPairs Of(LuaTable table, bool sequenceOnly)
    {
        var entries = new List<(object?, object?)>();
        for (int i = 0; i < table.Items.Count && (!sequenceOnly || table.Items[i] is not null); i++) entries.Add(((long)i + 1, table.Items[i]));
        if (!sequenceOnly)
            foreach (var key in table.Fields.Keys.Order(StringComparer.Ordinal)) entries.Add((key, table.Fields[key]));
        return new LuaPairs(entries);
    }
}
