using System.Text;

namespace ContainerSdk.Core.Modules.Tcl;

/// <summary>Tcl lists as strings: split into elements (braces and quotes group, as Tcl's list parser reads them) and built back.</summary>
internal static class TclLists
{
    public static List<string> Split(string list, Func<string, Exception> malformed)
    {
        var elements = new List<string>();
        int i = 0;
        while (true)
        {
            while (i < list.Length && char.IsWhiteSpace(list[i])) i++;
            if (i >= list.Length) return elements;
            var element = new StringBuilder();
            if (list[i] == '{')
            {
                int depth = 1, start = ++i;
                while (i < list.Length && depth > 0)
                {
                    if (list[i] == '\\') i++;
                    else if (list[i] == '{') depth++;
                    else if (list[i] == '}') depth--;
                    i++;
                }
                if (depth > 0) throw malformed($"unmatched open brace in list '{list}'");
                element.Append(list, start, i - 1 - start);
            }
            else if (list[i] == '"')
            {
                i++;
                while (i < list.Length && list[i] != '"')
                {
                    if (list[i] == '\\' && i + 1 < list.Length) i++;
                    element.Append(list[i++]);
                }
                if (i++ >= list.Length) throw malformed($"unmatched open quote in list '{list}'");
            }
            else
                while (i < list.Length && !char.IsWhiteSpace(list[i]))
                {
                    if (list[i] == '\\' && i + 1 < list.Length) i++;
                    element.Append(list[i++]);
                }
            if (i < list.Length && !char.IsWhiteSpace(list[i]) && (list[i - 1] == '}' || list[i - 1] == '"'))
                throw malformed($"list element in braces or quotes followed by '{list[i]}' instead of space in '{list}'");
            elements.Add(element.ToString());
        }
    }

    /// <summary>One element as Tcl's <c>list</c> writes it: as it is when it needs no quoting, else in braces.</summary>
    public static string Quote(string element)
    {
        if (element.Length == 0) return "{}";
        bool plain = element.All(c => !char.IsWhiteSpace(c) && c is not ('{' or '}' or '"' or '\\' or '[' or ']' or '$' or ';'));
        return plain ? element : "{" + element + "}";
    }

    public static string Join(IEnumerable<string> elements) => string.Join(' ', elements.Select(Quote));
}
