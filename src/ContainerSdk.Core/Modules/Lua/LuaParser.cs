namespace ContainerSdk.Core.Modules.Lua;

/// <summary>
/// A recursive-descent parser for Lua 5.3/5.4 chunks (the grammar of the Lua reference manual, §9), building
/// <see cref="LuaStatement"/> and <see cref="LuaExpr"/> nodes (LuaSyntax.cs). It accepts every valid chunk; what the evaluator does not apply is kept as
/// <see cref="LuaUnsupported"/> with its line.
/// </summary>
internal sealed class LuaParser
{
    private static readonly Dictionary<string, (int Left, int Right)> Binary = new()
    {
        ["or"] = (1, 1), ["and"] = (2, 2),
        ["<"] = (3, 3), [">"] = (3, 3), ["<="] = (3, 3), [">="] = (3, 3), ["~="] = (3, 3), ["=="] = (3, 3),
        ["|"] = (4, 4), ["~"] = (5, 5), ["&"] = (6, 6), ["<<"] = (7, 7), [">>"] = (7, 7),
        [".."] = (9, 8), // right associative
        ["+"] = (10, 10), ["-"] = (10, 10),
        ["*"] = (11, 11), ["/"] = (11, 11), ["//"] = (11, 11), ["%"] = (11, 11),
        ["^"] = (14, 13), // right associative, above unary
    };
    private const int UnaryPriority = 12;

    private readonly List<LuaToken> _tokens;
    private readonly Func<string, int, Exception> _syntaxError;
    private int _at;

    public LuaParser(List<LuaToken> tokens, Func<string, int, Exception> syntaxError)
    {
        _tokens = tokens;
        _syntaxError = syntaxError;
    }

    private LuaToken Peek => _tokens[_at];
    private LuaToken Take() => _tokens[_at++];

    public IReadOnlyList<LuaStatement> ParseChunk()
    {
        var block = ParseBlock();
        if (Peek.Kind != LuaTokenKind.End) throw Error($"{Peek.Describe()} where a statement should start");
        return block;
    }

    private Exception Error(string message) => _syntaxError(message, Peek.Line);

    private LuaToken Expect(string symbol)
    {
        if (!Peek.Is(symbol) && !Peek.IsKeyword(symbol)) throw Error($"'{symbol}' expected near {Peek.Describe()}");
        return Take();
    }

    /// <summary>
    /// The token that closes what <paramref name="opener"/> opened on <paramref name="openLine"/>; when it is missing on
    /// another line, the error says where the construct opened, as luac does ("'end' expected (to close 'function' at line 3)").
    /// </summary>
    private LuaToken ExpectClosing(string symbol, string opener, int openLine)
    {
        if (!Peek.Is(symbol) && !Peek.IsKeyword(symbol) && Peek.Line != openLine)
            throw Error($"'{symbol}' expected (to close '{opener}' at line {openLine}) near {Peek.Describe()}");
        return Expect(symbol);
    }

    private string ExpectName()
    {
        if (Peek.Kind != LuaTokenKind.Name || IsKeyword(Peek.Text)) throw Error($"a name expected near {Peek.Describe()}");
        return Take().Text;
    }

    private static bool IsKeyword(string s) => s is "and" or "break" or "do" or "else" or "elseif" or "end" or "false" or "for"
        or "function" or "goto" or "if" or "in" or "local" or "nil" or "not" or "or" or "repeat" or "return" or "then" or "true" or "until" or "while";

    private bool BlockEnds => Peek.Kind == LuaTokenKind.End || Peek.IsKeyword("end") || Peek.IsKeyword("else")
        || Peek.IsKeyword("elseif") || Peek.IsKeyword("until");

    private List<LuaStatement> ParseBlock()
    {
        var block = new List<LuaStatement>();
        while (!BlockEnds)
        {
            if (Peek.IsKeyword("return"))
            {
                int line = Take().Line;
                var values = !BlockEnds && !Peek.Is(";") ? ParseExpressionList() : new List<LuaExpr>();
                if (Peek.Is(";")) Take();
                block.Add(new LuaReturn(values, line));
                if (!BlockEnds) throw Error("'return' must be the last statement of a block");
                break;
            }
            var statement = ParseStatement();
            if (statement is not null) block.Add(statement);
        }
        return block;
    }

    private LuaStatement? ParseStatement()
    {
        var token = Peek;
        int line = token.Line;
        if (token.Is(";")) { Take(); return null; }
        if (token.Is("::")) { Take(); ExpectName(); Expect("::"); return new LuaUnsupported("a label", line); }
        if (token.Kind == LuaTokenKind.Name)
            switch (token.Text)
            {
                case "break": Take(); return new LuaUnsupported("'break'", line);
                case "goto": Take(); ExpectName(); return new LuaUnsupported("'goto'", line);
                case "do":
                {
                    Take();
                    var block = ParseBlock();
                    ExpectClosing("end", "do", line);
                    return new LuaDo(block, line);
                }
                case "while":
                    Take(); ParseExpression(); Expect("do"); ParseBlock(); ExpectClosing("end", "while", line);
                    return new LuaUnsupported("a 'while' loop", line);
                case "repeat":
                    Take(); ParseBlock(); ExpectClosing("until", "repeat", line); ParseExpression();
                    return new LuaUnsupported("a 'repeat' loop", line);
                case "for": return ParseFor(line);
                case "if": return ParseIf(line);
                case "function":
                {
                    Take();
                    LuaExpr target = new LuaName(ExpectName(), line);
                    bool method = false;
                    while (Peek.Is(".") || Peek.Is(":"))
                    {
                        method = Take().Is(":");
                        var field = Peek;
                        target = new LuaIndex(target, new LuaLiteral(ExpectName(), field.Line), field.Line);
                        if (method) break;
                    }
                    var function = ParseFunctionBody(line);
                    if (method) return new LuaUnsupported("a method definition", line);
                    return new LuaAssign(new[] { target }, new LuaExpr[] { function }, line);
                }
                case "local":
                    Take();
                    if (Peek.IsKeyword("function"))
                    {
                        Take();
                        var name = ExpectName();
                        return new LuaLocal(new[] { name }, new LuaExpr[] { ParseFunctionBody(line) }, line);
                    }
                    var names = new List<string>();
                    do
                    {
                        names.Add(ExpectName());
                        if (Peek.Is("<")) { Take(); ExpectName(); Expect(">"); } // Lua 5.4 attributes (<const>, <close>)
                    } while (Peek.Is(",") && Take().Is(","));
                    var values = Peek.Is("=") && Take().Is("=") ? ParseExpressionList() : new List<LuaExpr>();
                    return new LuaLocal(names, values, line);
            }
        var expr = ParseSuffixed();
        if (Peek.Is("=") || Peek.Is(","))
        {
            var targets = new List<LuaExpr> { expr };
            while (Peek.Is(",")) { Take(); targets.Add(ParseSuffixed()); }
            Expect("=");
            foreach (var target in targets)
                if (target is not (LuaName or LuaIndex)) throw _syntaxError("cannot assign to this expression", target.Line);
            return new LuaAssign(targets, ParseExpressionList(), line);
        }
        if (expr is not (LuaCall or LuaMethodCall)) throw _syntaxError($"a statement cannot start with {token.Describe()} here", line);
        return new LuaCallStatement(expr, line);
    }

    private LuaStatement ParseFor(int line)
    {
        Take();
        var first = ExpectName();
        if (Peek.Is("="))
        {
            Take();
            var start = ParseExpression();
            Expect(",");
            var limit = ParseExpression();
            LuaExpr? step = null;
            if (Peek.Is(",")) { Take(); step = ParseExpression(); }
            Expect("do");
            var body = ParseBlock();
            ExpectClosing("end", "for", line);
            return new LuaNumericFor(first, start, limit, step, body, line);
        }
        var names = new List<string> { first };
        while (Peek.Is(",")) { Take(); names.Add(ExpectName()); }
        Expect("in");
        var values = ParseExpressionList();
        Expect("do");
        var block = ParseBlock();
        ExpectClosing("end", "for", line);
        return new LuaGenericFor(names, values, block, line);
    }

    private LuaStatement ParseIf(int line)
    {
        Take();
        var branches = new List<(LuaExpr, IReadOnlyList<LuaStatement>)>();
        var condition = ParseExpression();
        Expect("then");
        branches.Add((condition, ParseBlock()));
        IReadOnlyList<LuaStatement>? otherwise = null;
        while (true)
        {
            if (Peek.IsKeyword("elseif"))
            {
                Take();
                var c = ParseExpression();
                Expect("then");
                branches.Add((c, ParseBlock()));
            }
            else if (Peek.IsKeyword("else")) { Take(); otherwise = ParseBlock(); }
            else break;
        }
        ExpectClosing("end", "if", line);
        return new LuaIf(branches, otherwise, line);
    }

    private LuaFunctionExpr ParseFunctionBody(int line)
    {
        int open = Expect("(").Line;
        var parameters = new List<string>();
        if (!Peek.Is(")"))
            do
            {
                if (Peek.Is("...")) { Take(); parameters.Add("..."); break; }
                parameters.Add(ExpectName());
            } while (Peek.Is(",") && Take().Is(","));
        ExpectClosing(")", "(", open);
        var body = ParseBlock();
        ExpectClosing("end", "function", line);
        return new LuaFunctionExpr(parameters, body, line);
    }

    private List<LuaExpr> ParseExpressionList()
    {
        var list = new List<LuaExpr> { ParseExpression() };
        while (Peek.Is(",")) { Take(); list.Add(ParseExpression()); }
        return list;
    }

    private LuaExpr ParseExpression(int limit = 0)
    {
        LuaExpr left;
        var token = Peek;
        if (token.IsKeyword("not") || token.Is("-") || token.Is("#") || token.Is("~"))
        {
            Take();
            left = new LuaUnary(token.Text, ParseExpression(UnaryPriority), token.Line);
        }
        else left = ParseSimple();
        while (true)
        {
            var op = Peek;
            var key = op.Kind is LuaTokenKind.Symbol or LuaTokenKind.Name ? op.Text : null;
            if (key is null || (op.Kind == LuaTokenKind.Name && key is not ("and" or "or"))
                || !Binary.TryGetValue(key, out var priority) || priority.Left <= limit) break;
            Take();
            var right = ParseExpression(priority.Right);
            left = new LuaBinary(key, left, right, op.Line);
        }
        return left;
    }

    private LuaExpr ParseSimple()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case LuaTokenKind.String: Take(); return new LuaLiteral(token.Text, token.Line);
            case LuaTokenKind.Number: Take(); return new LuaLiteral(LuaValues.ParseNumber(token.Text) ?? throw Error($"malformed number '{token.Text}'"), token.Line);
            case LuaTokenKind.Name when token.Text == "nil": Take(); return new LuaLiteral(null, token.Line);
            case LuaTokenKind.Name when token.Text == "true": Take(); return new LuaLiteral(true, token.Line);
            case LuaTokenKind.Name when token.Text == "false": Take(); return new LuaLiteral(false, token.Line);
            case LuaTokenKind.Name when token.Text == "function": Take(); return ParseFunctionBody(token.Line);
            case LuaTokenKind.Symbol when token.Text == "...": Take(); return new LuaVarargs(token.Line);
            case LuaTokenKind.Symbol when token.Text == "{": return ParseTable();
            default: return ParseSuffixed();
        }
    }

    private LuaExpr ParsePrimary()
    {
        var token = Peek;
        if (token.Is("("))
        {
            Take();
            var inner = ParseExpression();
            ExpectClosing(")", "(", token.Line);
            // (f()) is one value, however many f returns.
            return inner is LuaCall or LuaMethodCall ? new LuaParenthesized(inner, token.Line) : inner;
        }
        return new LuaName(ExpectName(), token.Line);
    }

    private LuaExpr ParseSuffixed()
    {
        var expr = ParsePrimary();
        while (true)
        {
            var token = Peek;
            if (token.Is("."))
            {
                Take();
                var field = Peek;
                expr = new LuaIndex(expr, new LuaLiteral(ExpectName(), field.Line), token.Line);
            }
            else if (token.Is("["))
            {
                Take();
                var key = ParseExpression();
                Expect("]");
                expr = new LuaIndex(expr, key, token.Line);
            }
            else if (token.Is(":"))
            {
                Take();
                var method = ExpectName();
                expr = new LuaMethodCall(expr, method, ParseArguments(), token.Line);
            }
            else if (token.Is("(") || token.Is("{") || token.Kind == LuaTokenKind.String)
                expr = new LuaCall(expr, ParseArguments(), token.Line);
            else return expr;
        }
    }

    private IReadOnlyList<LuaExpr> ParseArguments()
    {
        var token = Peek;
        if (token.Kind == LuaTokenKind.String) { Take(); return new[] { new LuaLiteral(token.Text, token.Line) }; }
        if (token.Is("{")) return new[] { ParseTable() };
        int open = Expect("(").Line;
        if (Peek.Is(")")) { Take(); return Array.Empty<LuaExpr>(); }
        var args = ParseExpressionList();
        ExpectClosing(")", "(", open);
        return args;
    }

    private LuaExpr ParseTable()
    {
        int line = Expect("{").Line;
        var items = new List<LuaExpr>();
        var fields = new List<KeyValuePair<LuaExpr, LuaExpr>>();
        while (!Peek.Is("}"))
        {
            if (Peek.Is("["))
            {
                Take();
                var key = ParseExpression();
                Expect("]"); Expect("=");
                fields.Add(new(key, ParseExpression()));
            }
            else if (Peek.Kind == LuaTokenKind.Name && _tokens[_at + 1].Is("=") && !IsKeyword(Peek.Text))
            {
                var name = Take();
                Take();
                fields.Add(new(new LuaLiteral(name.Text, name.Line), ParseExpression()));
            }
            else items.Add(ParseExpression());
            if (Peek.Is(",") || Peek.Is(";")) Take();
            else break;
        }
        ExpectClosing("}", "{", line);
        return new LuaTableExpr(items, fields, line);
    }
}
