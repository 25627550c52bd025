namespace ContainerSdk.Core.Modules.Lua;

/// <summary>
/// Reads an Lmod Lua modulefile as Lmod's <c>module load</c> runs it, without running Lua: the whole file is parsed
/// first (a syntax error anywhere fails, as Lua's compiler does), then its statements are evaluated in order with
/// Lmod's functions recorded rather than executed. Understood: locals and globals holding strings, numbers and
/// booleans; <c>..</c>, <c>and</c>, <c>or</c>, <c>not</c>, <c>==</c>, <c>~=</c>; <c>if</c>/<c>elseif</c>/<c>else</c>;
/// <c>do</c> blocks; <c>pathJoin</c>, <c>os.getenv</c> (the image's environment), <c>mode()</c> (always "load"),
/// <c>isloaded()</c> (false: nothing is loaded when an image's module loads start), <c>myModuleName()</c> and kin.
/// Anything else that would run is an error at its line.
/// </summary>
internal sealed class LuaModuleReader
{
    private readonly ModuleFileRecorder _recorder;
    private readonly string _name;
    private readonly string _version;
    private readonly List<Dictionary<string, object?>> _scopes = new() { new(StringComparer.Ordinal) };
    private readonly Dictionary<string, object?> _globals = new(StringComparer.Ordinal);

    private LuaModuleReader(ModuleFileRecorder recorder, string name, string version)
    {
        _recorder = recorder;
        _name = name;
        _version = version;
    }

    public static void Read(string text, ModuleFileRecorder recorder, string name, string version)
    {
        var tokens = new LuaLexer(text, recorder.Syntax).ReadAll();
        var chunk = new LuaParser(tokens, recorder.Syntax).ParseChunk();
        new LuaModuleReader(recorder, name, version).Run(chunk);
    }

    private void Run(IReadOnlyList<LuaStatement> block)
    {
        foreach (var statement in block) Execute(statement);
    }

    private bool AtTopLevel => _scopes.Count == 1;

    private void Execute(LuaStatement statement)
    {
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
                for (int i = 0; i < assign.Targets.Count; i++)
                {
                    if (assign.Targets[i] is not LuaName target)
                        throw _recorder.Unsupported("assigning to a table field", assign.Line);
                    var scope = _scopes.LastOrDefault(s => s.ContainsKey(target.Name)) ?? _globals;
                    scope[target.Name] = assigned[i];
                    if (AtTopLevel && target.Name == "root") _recorder.AssignedRoot(LuaValues.AsString(assigned[i]));
                }
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
            case LuaUnsupported unsupported:
                throw _recorder.Unsupported($"{unsupported.What} (modulefiles are read, not run: use statements that set the environment directly)", unsupported.Line);
        }
    }

    private void RunScoped(IReadOnlyList<LuaStatement> block)
    {
        _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal));
        try { Run(block); } finally { _scopes.RemoveAt(_scopes.Count - 1); }
    }

    private object?[] EvaluateList(IReadOnlyList<LuaExpr> exprs, int count)
    {
        var values = new object?[Math.Max(count, exprs.Count)];
        for (int i = 0; i < exprs.Count; i++) values[i] = Evaluate(exprs[i]);
        return values;
    }

    private object? Evaluate(LuaExpr expr)
    {
        switch (expr)
        {
            case LuaLiteral literal: return literal.Value;
            case LuaName name:
                foreach (var scope in Enumerable.Reverse(_scopes))
                    if (scope.TryGetValue(name.Name, out var local)) return local;
                return _globals.TryGetValue(name.Name, out var global) ? global : null;
            case LuaBinary binary: return EvaluateBinary(binary);
            case LuaUnary { Operator: "not" } not: return !LuaValues.IsTrue(Evaluate(not.Operand));
            case LuaCall call: return Call(call);
            case LuaTableExpr table: return BuildTable(table);
            case LuaMethodCall method:
                throw _recorder.Unsupported($"the method call ':{method.Method}(...)'", method.Line);
            case LuaIndex index:
                throw _recorder.Unsupported($"reading the field '{Describe(index)}'", index.Line);
            case LuaUnary unary:
                throw _recorder.Unsupported($"the operator '{unary.Operator}'", unary.Line);
            case LuaFunctionExpr function:
                throw _recorder.Unsupported("a function definition", function.Line);
            default:
                throw _recorder.Unsupported("'...'", expr.Line);
        }
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

    /// <summary>"os.getenv" for <c>os.getenv(...)</c>; null when the function is computed or a local shadows it.</summary>
    private string? FunctionName(LuaExpr function) => function switch
    {
        LuaName name when !_scopes.Any(s => s.ContainsKey(name.Name)) && !_globals.ContainsKey(name.Name) => name.Name,
        LuaIndex { Target: LuaName table, Key: LuaLiteral { Value: string field } } when FunctionName(table) is not null => $"{table.Name}.{field}",
        _ => null,
    };

    private static string Describe(LuaIndex index) => index switch
    {
        { Target: LuaName table, Key: LuaLiteral { Value: string field } } => $"{table.Name}.{field}",
        _ => "[...]",
    };

    private object? Call(LuaCall call)
    {
        var name = FunctionName(call.Function) ?? throw _recorder.Unsupported("calling a computed function", call.Line);
        var args = call.Arguments.Select(Evaluate).ToList();
        int line = call.Line;
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
            case StatementClass.RunsCode:
                throw _recorder.RunsCode(name, line);
        }
        return name switch
        {
            "pathJoin" => ModulePaths.Join(args.Select(a => a is null or string ? (string?)a : throw _recorder.Failure("pathJoin takes strings", line))),
            "os.getenv" => args.Count > 0 && args[0] is string variable ? _recorder.GetEnv(variable) : throw _recorder.Failure("os.getenv takes a variable name", line),
            "mode" => "load",
            "isloaded" or "isPending" => false,
            "myModuleName" => _name,
            "myModuleVersion" => _version,
            "myModuleFullName" or "myModuleUsrName" => $"{_name}/{_version}",
            "myFileName" => _recorder.File,
            "tostring" => LuaValues.AsString(args.FirstOrDefault()) ?? LuaValues.TypeName(args.FirstOrDefault()),
            "LmodError" => throw _recorder.Failure("LmodError", line),
            _ => throw _recorder.UnknownStatement(name, line),
        };
    }

    /// <summary>
    /// <c>prepend_path("NAME", value[, delimiter])</c> or the table form <c>prepend_path{"NAME", value, delim=":"}</c>
    /// that Lmod's own Tcl translation writes; <c>setenv("NAME", value)</c>; <c>unsetenv("NAME")</c>.
    /// </summary>
    private void RecordEnvironment(string statement, List<object?> args, int line)
    {
        string? delimiter = null;
        if (args is [LuaTable table])
        {
            args = table.Items;
            if (table.Fields.TryGetValue("delim", out var d)) delimiter = LuaValues.AsString(d);
            if (table.Fields.TryGetValue("priority", out var p) && LuaValues.AsString(p) is { } priority && priority != "0")
                throw _recorder.Unsupported($"{statement} with a priority", line);
            if (table.Fields.Keys.Except(new[] { "delim", "priority" }).FirstOrDefault() is { } other)
                throw _recorder.Unsupported($"{statement} with '{other}='", line);
        }
        else if (statement.EndsWith("_path", StringComparison.Ordinal) && args.Count >= 3) delimiter = LuaValues.AsString(args[2]) ?? delimiter;
        if (args.Count > (statement.EndsWith("_path", StringComparison.Ordinal) ? 3 : 2))
            throw _recorder.Unsupported($"{statement} with {args.Count} arguments", line);
        var name = args.Count > 0 ? LuaValues.AsString(args[0]) : null;
        var value = args.Count > 1 ? LuaValues.AsString(args[1]) : null;
        if (args.Count > 1 && value is null && args[1] is not null)
            throw _recorder.Failure($"{statement}(\"{name}\") takes a string value, not a {LuaValues.TypeName(args[1])}", line);
        _recorder.Environment(statement, name, value, delimiter, line);
    }
}
