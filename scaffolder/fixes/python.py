"""CBR201 and CBR202 in Python, with libcst so that formatting and comments stay as they were.

- a hard-coded port `8080` (or a name or `int("8080")` bound to one) becomes
  `int(os.environ.get("PORT", 8080))`, keeping the old value as the local default;
- a server left on its default port gets `port=int(os.environ.get("PORT", <default>))`;
- hypercorn's `serve(app, config)` with no bind gets `config.bind = [f"0.0.0.0:{...PORT...}"]` first;
- a loopback host (`"127.0.0.1"`, `'localhost'`, `"127.0.0.1:8000"`, `f"localhost:{port}"`, a list
  of such) becomes `0.0.0.0` in the same quotes; a server left on its default host gets host="0.0.0.0";
- `import os` is added once, among the standard-library imports, when a fix needs it; where the name
  `os` is bound to something else in the scope of a fix (`os = "linux"`, a parameter named os), the
  fixes use `import os as _os` and `_os.environ` instead.

The node to change is found at the finding's exact span and checked to be what the rule describes.
libcst costs about 0.4 s to import, so this module is imported only when a Python fix runs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import ImportAssignment, MetadataWrapper, PositionProvider, ScopeProvider

from scaffolder.findings import Finding
from scaffolder.fixes.text_edits import FixError
from scaffolder.pysource.listen import is_loopback

_PORT_FROM_ENV = 'int(os.environ.get("PORT", DEFAULT))'
_HYPERCORN_BIND = 'CONFIG.bind = [f"0.0.0.0:{os.environ.get(\'PORT\', DEFAULT)}"]\n'


@dataclass
class PythonFixes:
    text: str
    fixed: list[Finding] = field(default_factory=list)
    failed: list[tuple[Finding, str]] = field(default_factory=list)


def fix_python(text: str, findings: list[Finding]) -> PythonFixes:
    """Apply every fix in `findings` (all of one file) in one pass over the tree."""
    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError) as error:
        raise FixError(f"libcst cannot parse it: {str(error).splitlines()[0]}") from None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    spans: dict[tuple[int, int, int, int], cst.CSTNode] = {}
    for node, where in wrapper.resolve(PositionProvider).items():
        if isinstance(node, cst.BaseExpression):  # post-order: the outermost of equal spans wins
            spans[(where.start.line, where.start.column, where.end.line, where.end.column)] = node
    fixer = _Fixer(_OsBinding(wrapper))
    outcome = PythonFixes(text)
    for finding in findings:
        try:
            _plan(fixer, finding, _node_at(spans, finding))
        except FixError as error:
            outcome.failed.append((finding, str(error)))
        else:
            outcome.fixed.append(finding)
    if not outcome.fixed:
        return outcome
    result = wrapper.module.visit(fixer)
    if fixer.unplaced:
        raise FixError("a hypercorn serve() call is not in a statement of its own")
    if fixer.needs_os:
        result = _with_os_import(result, fixer.os.name)
    outcome.text = result.code
    return outcome


def _node_at(spans: dict, finding: Finding) -> cst.CSTNode:
    if finding.end_line is None or finding.end_column is None:
        raise FixError("the finding has no end position")
    key = (finding.line, finding.column - 1, finding.end_line, finding.end_column - 1)
    if key not in spans:
        raise FixError(f"no expression at line {finding.line}, column {finding.column} any more")
    return spans[key]


# ---- deciding what to change -------------------------------------------------------------------
def _plan(fixer: "_Fixer", finding: Finding, node: cst.CSTNode) -> None:
    description = finding.fix.description if finding.fix else ""
    if finding.code == "CBR201":
        if "pass port=" in description:
            call, keyword = _server_call(node, "port"), _keyword(description.split("pass ", 1)[1], "port")
            fixer.os.claim(call)
            fixer.add_keyword(call, keyword)
        elif "config.bind" in description:
            serve = _hypercorn_serve(node)
            fixer.os.claim(serve[0])
            fixer.bind_before(serve)
        else:
            _port_from_env(node)  # checks now that the node is a port literal
            fixer.os.claim(node)
            fixer.replace(node, lambda updated: _port_from_env(updated, fixer.os.name))
            fixer.needs_os = True
        return
    if finding.code == "CBR202":
        if "pass host=" in description:
            fixer.add_keyword(_server_call(node, "host"), _keyword('host="0.0.0.0"', "host"))
        else:
            _all_interfaces(node)  # checks now that the literal can be rewritten
            fixer.replace(node, _all_interfaces)
        return
    raise FixError(f"no Python fix for {finding.code}")


def _server_call(node: cst.CSTNode, keyword: str) -> cst.Call:
    if not isinstance(node, cst.Call):
        raise FixError("the server call is not there any more")
    if any(arg.star for arg in node.args) or any(arg.keyword and arg.keyword.value == keyword for arg in node.args):
        raise FixError(f"the call already passes {keyword} or unpacks its arguments")
    name = node.func.attr.value if isinstance(node.func, cst.Attribute) else getattr(node.func, "value", "")
    if name == "call_command":  # Django's runserver takes "addrport", not host= or port=
        raise FixError('pass the address to runserver yourself: call_command("runserver", "0.0.0.0:<port>")')
    return node


def _keyword(source: str, name: str) -> cst.Arg:
    try:
        call = cst.parse_expression(f"f({source})")
    except cst.ParserSyntaxError:
        raise FixError(f"cannot read the suggested argument {source!r}") from None
    arg = call.args[0] if isinstance(call, cst.Call) and len(call.args) == 1 else None
    if arg is None or arg.keyword is None or arg.keyword.value != name:
        raise FixError(f"cannot read the suggested argument {source!r}")
    return arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)


def _hypercorn_serve(node: cst.CSTNode) -> tuple[cst.Call, str]:
    if not isinstance(node, cst.Call) or len(node.args) < 2 or not isinstance(node.args[1].value, cst.Name):
        raise FixError("the hypercorn serve(app, config) call is not there any more")
    return node, node.args[1].value.value


_PORT_LITERALS = (cst.Integer, cst.SimpleString, cst.Name, cst.IfExp, cst.ConcatenatedString)


def _port_from_env(node: cst.BaseExpression, os_name: str = "os") -> cst.BaseExpression:
    """`8080` -> `int(os.environ.get("PORT", 8080))`; `int("8080")` keeps only "8080"."""
    default = node
    if (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in ("int", "str")
            and len(node.args) == 1 and not node.args[0].keyword and not node.args[0].star):
        default = node.args[0].value
    elif not isinstance(node, _PORT_LITERALS):
        raise FixError("the port there is not a literal any more")
    else:
        default = node.with_changes(lpar=[], rpar=[])  # the parentheses stay around the whole call
    call = cst.parse_expression(_PORT_FROM_ENV.replace("os.", f"{os_name}."))
    get = call.args[0].value
    get = get.with_changes(args=[get.args[0], get.args[1].with_changes(value=default)])
    return call.with_changes(args=[call.args[0].with_changes(value=get)],
                             lpar=node.lpar, rpar=node.rpar)


def _all_interfaces(node: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(node, cst.SimpleString):
        return _string_all_interfaces(node)
    if isinstance(node, cst.FormattedString):
        return _fstring_all_interfaces(node)
    if isinstance(node, (cst.List, cst.Tuple)):
        elements, changed = [], False
        for element in node.elements:
            try:
                elements.append(element.with_changes(value=_all_interfaces(element.value)))
                changed = True
            except FixError:
                elements.append(element)
        if not changed:
            raise FixError("no loopback address in the list any more")
        return node.with_changes(elements=elements)
    raise FixError("the host there is not a string literal (a name bound elsewhere is left to you)")


def _swap_host(text: str) -> str | None:
    """"127.0.0.1" -> "0.0.0.0", "localhost:8000" -> "0.0.0.0:8000", "[::1]:80" -> "0.0.0.0:80"."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return "0.0.0.0" + rest if (not rest or rest.startswith(":")) and is_loopback(host) else None
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return f"0.0.0.0:{port}" if is_loopback(host) else None
    return "0.0.0.0" if is_loopback(text) else None


def _string_all_interfaces(node: cst.SimpleString) -> cst.SimpleString:
    quote = node.quote
    inner = node.value[len(node.prefix) + len(quote) : -len(quote)]
    if "b" in node.prefix.lower() or "\\" in inner:
        raise FixError("the host is a bytes literal or has escapes")
    swapped = _swap_host(inner)
    if swapped is None:
        raise FixError("the string is not a loopback address any more")
    return node.with_changes(value=f"{node.prefix}{quote}{swapped}{quote}")


def _fstring_all_interfaces(node: cst.FormattedString) -> cst.FormattedString:
    first = node.parts[0] if node.parts else None
    if not isinstance(first, cst.FormattedStringText) or ":" not in first.value:
        raise FixError("the f-string does not start with a literal host any more")
    host, _, rest = first.value.rpartition(":")
    swapped = _swap_host(host + ":")
    if swapped is None or "\\" in host:
        raise FixError("the f-string does not start with a loopback host any more")
    parts = [first.with_changes(value=swapped + rest), *node.parts[1:]]
    return node.with_changes(parts=parts)


# ---- changing the tree ---------------------------------------------------------------------------
class _OsBinding:
    """Which name the fixes use for the os module: `os`, unless that name is bound to something else
    (an assignment, a parameter, `from x import os`) in the scope of one of them, then `_os`."""

    ALIAS = "_os"

    def __init__(self, wrapper: MetadataWrapper):
        self.wrapper = wrapper
        self.name = "os"
        self._scopes = None
        self._alias_free: bool | None = None

    def claim(self, node: cst.CSTNode) -> None:
        """A fix at `node` will name the os module; FixError when no name for it is safe there."""
        if self._scopes is None:
            self._scopes = self.wrapper.resolve(ScopeProvider)
        scope = self._scopes.get(node)
        if scope is None:
            raise FixError("cannot tell what the name `os` means there")
        if all(_imports_os(assignment) for assignment in scope["os"]):
            return  # unbound (the added `import os` serves) or the os module itself
        if self._alias_free is None:
            self._alias_free = self._alias_usable()
        if not self._alias_free:
            raise FixError("`os` is bound to something else there and `_os` is taken; read PORT by hand")
        self.name = self.ALIAS

    def _alias_usable(self) -> bool:
        """`_os` is unused in the module, or is the os module imported at the top."""
        module = self.wrapper.module
        if any(_binds_os(statement, self.ALIAS) for statement in module.body):
            return True
        return not any(isinstance(node, cst.Name) and node.value == self.ALIAS for node in self._scopes)


def _imports_os(assignment) -> bool:
    if not isinstance(assignment, ImportAssignment) or not isinstance(assignment.node, cst.Import):
        return False
    return any(alias.asname is None and (_dotted(alias.name) + ".").startswith("os.")
               for alias in assignment.node.names)


class _RenameOs(cst.CSTTransformer):
    """`os.environ...` -> `_os.environ...` in code the fixes add (never in the user's)."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        if isinstance(updated.value, cst.Name) and updated.value.value == "os":
            return updated.with_changes(value=cst.Name(self.name))
        return updated


class _Fixer(cst.CSTTransformer):
    def __init__(self, os_binding: _OsBinding):
        super().__init__()
        self.os = os_binding
        self.replacements: dict[int, object] = {}  # id(original node) -> function(updated) -> new node
        self.keywords: dict[int, list[cst.Arg]] = {}
        self.binds: dict[int, str] = {}  # id(serve call) -> the config variable
        self.needs_os = False
        self.unplaced = False
        self._statements: list[cst.SimpleStatementLine] = []
        self._before: dict[int, list[cst.BaseStatement]] = {}

    def replace(self, node: cst.CSTNode, change) -> None:
        self.replacements[id(node)] = change

    def add_keyword(self, call: cst.Call, arg: cst.Arg) -> None:
        wanted = self.keywords.setdefault(id(call), [])
        if all(existing.keyword.value != arg.keyword.value for existing in wanted):
            wanted.append(arg)
        self.needs_os = self.needs_os or "os." in cst.Module([]).code_for_node(arg)

    def bind_before(self, serve: tuple[cst.Call, str]) -> None:
        call, config = serve
        self.binds[id(call)] = config
        self.needs_os = True

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.SimpleStatementLine):
            self._statements.append(node)
        return True

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode):
        key = id(original)
        if key in self.replacements:
            updated = self.replacements[key](updated)
        if key in self.keywords:
            # host before port, as people write them
            args = sorted(self.keywords[key], key=lambda arg: arg.keyword.value != "host")
            if self.os.name != "os":
                args = [arg.visit(_RenameOs(self.os.name)) for arg in args]
            updated = _append_args(updated, args)
        if key in self.binds:
            if self._statements:
                default = "8000"
                statement = cst.parse_statement(_HYPERCORN_BIND.replace("CONFIG", self.binds[key])
                                                .replace("DEFAULT", default)
                                                .replace("os.", f"{self.os.name}."))
                self._before.setdefault(id(self._statements[-1]), []).append(statement)
            else:
                self.unplaced = True
        if isinstance(original, cst.SimpleStatementLine):
            self._statements.pop()
            inserted = self._before.pop(key, None)
            if inserted:
                first = inserted[0].with_changes(leading_lines=updated.leading_lines)
                return cst.FlattenSentinel([first, *inserted[1:], updated.with_changes(leading_lines=())])
        return updated


def _without_comment(space: cst.ParenthesizedWhitespace) -> cst.ParenthesizedWhitespace:
    return space.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())


def _plain_comma(template, call: cst.Call) -> cst.Comma:
    """A comma laid out like the call's others: ", " on one line, or a line break with the same
    indentation (and without copying a comment) when the arguments are one per line."""
    space = template.whitespace_after if isinstance(template, cst.Comma) else call.whitespace_before_args
    if isinstance(space, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=_without_comment(space))
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _append_args(call: cst.Call, new: list[cst.Arg]) -> cst.Call:
    """Add keyword arguments at the end of a call, in its layout: a comment after the old last
    argument stays on its line, and a trailing comma stays trailing."""
    args = list(call.args)
    if not args:
        return call.with_changes(args=new)
    last = args[-1]
    comma = _plain_comma(args[-2].comma if len(args) >= 2 else None, call)
    trailing_comma = isinstance(last.comma, cst.Comma)
    closing = last.comma.whitespace_after if trailing_comma else last.whitespace_after_arg
    if isinstance(closing, cst.ParenthesizedWhitespace):
        # the old last argument keeps its comment; its line break now leads to the new argument
        indent = comma.whitespace_after if isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace) else closing
        between = cst.Comma(whitespace_before=last.comma.whitespace_before if trailing_comma else cst.SimpleWhitespace(""),
                            whitespace_after=closing.with_changes(indent=indent.indent, last_line=indent.last_line))
        closing = _without_comment(closing)
    else:
        between = comma
    args[-1] = last.with_changes(comma=between, whitespace_after_arg=cst.SimpleWhitespace("")
                                 if trailing_comma or isinstance(last.whitespace_after_arg, cst.ParenthesizedWhitespace)
                                 else last.whitespace_after_arg)
    for index, arg in enumerate(new):
        if index < len(new) - 1:
            args.append(arg.with_changes(comma=comma))
        elif trailing_comma:
            args.append(arg.with_changes(comma=cst.Comma(whitespace_after=closing)))
        else:
            args.append(arg.with_changes(whitespace_after_arg=closing))
    return call.with_changes(args=args)


# ---- import os -------------------------------------------------------------------------------------
def _with_os_import(module: cst.Module, name: str = "os") -> cst.Module:
    body = list(module.body)
    if any(_binds_os(statement, name) for statement in body):
        return module
    index = 1 if body and _is_docstring(body[0]) else 0
    while index < len(body) and _import_module(body[index]) == "__future__":
        index += 1
    first = next((i for i in range(index, len(body)) if _import_module(body[i]) is not None), None)
    statement = cst.parse_statement("import os\n" if name == "os" else f"import os as {name}\n")
    if first is None:  # no imports: on top, with a blank line before the code
        if index < len(body):
            body[index] = _ensure_blank_line_before(body[index])
        if index > 0:
            statement = statement.with_changes(leading_lines=[cst.EmptyLine()])
        body.insert(index, statement)
        return module.with_changes(body=body)
    at = first
    while at < len(body) and _is_stdlib(body[at]) and (_import_module(body[at]) < "os"
                                                       or (name != "os" and _import_module(body[at]) == "os")):
        at += 1  # `import os as _os` goes after a plain `import os`
    if at == first or (at < len(body) and _is_stdlib(body[at])):
        # before the first standard import that sorts after os, taking over the lines above it
        leading = body[at].leading_lines
        after = body[at].with_changes(leading_lines=())
        if not _is_stdlib(body[at]):
            after = _ensure_blank_line_before(after)  # standard imports come in a group of their own
        body[at] = after
        body.insert(at, statement.with_changes(leading_lines=leading))
    else:
        body.insert(at, statement)  # after the last standard import that sorts before os
    return module.with_changes(body=body)


def _ensure_blank_line_before(statement: cst.BaseStatement) -> cst.BaseStatement:
    if statement.leading_lines:
        return statement
    return statement.with_changes(leading_lines=[cst.EmptyLine()])


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _import_module(statement: cst.BaseStatement) -> str | None:
    """The module a top-level import statement names ("" for a relative import), None otherwise."""
    if not isinstance(statement, cst.SimpleStatementLine) or not statement.body:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Import):
        return _dotted(small.names[0].name)
    if isinstance(small, cst.ImportFrom):
        return "" if small.relative or small.module is None else _dotted(small.module)
    return None


def _is_stdlib(statement: cst.BaseStatement) -> bool:
    name = _import_module(statement)
    return bool(name) and name.split(".")[0] in sys.stdlib_module_names


def _binds_os(statement: cst.BaseStatement, name: str = "os") -> bool:
    """Whether a top-level statement imports the os module as `name` (`import os`, `import os.path`,
    `import os as _os`)."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        if isinstance(small, cst.Import):
            for alias in small.names:
                module = _dotted(alias.name)
                if alias.asname is None and name == "os" and (module == "os" or module.startswith("os.")):
                    return True
                if alias.asname is not None and module == "os" and _dotted(alias.asname.name) == name:
                    return True
    return False


def validate(path: str, text: str) -> None:
    import ast

    try:
        ast.parse(text, filename=path)
    except (SyntaxError, ValueError) as error:
        raise FixError(f"the result would not be valid Python ({error})") from None
