"""What a JavaScript/TypeScript module imports: `require("x")`, `import ... from "x"`, `import("x")`,
`export ... from "x"` and TypeScript's `import x = require("x")`, with the local names they bind,
and which file of the service a relative specifier (`./src/reply`) resolves to."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from tree_sitter import Node

from scaffolder.treesitter import Source, matches

_PATTERN = """
(call_expression
  function: (identifier) @_require
  arguments: (arguments . (string) @specifier)
  (#eq? @_require "require")) @require
(call_expression function: (import) arguments: (arguments . (string) @specifier)) @dynamic
(import_statement source: (string) @specifier) @import
(export_statement source: (string) @specifier) @reexport
"""
_TS_PATTERN = _PATTERN + "(import_require_clause source: (string) @specifier) @import_require\n"

_EXTENSIONS = (".js", ".ts", ".mjs", ".cjs", ".mts", ".cts", ".jsx", ".tsx")


class Import(NamedTuple):
    specifier: str  # "@cloudbase/aiagent-framework", "./src/reply"
    node: Node  # the statement or call, for a location
    kind: str  # "require", "dynamic", "import", "reexport", "import_require"


def imports(source: Source) -> list[Import]:
    pattern = _PATTERN if source.grammar == "javascript" else _TS_PATTERN
    found = []
    for _, captured in matches(source.grammar, pattern, source.root):
        kind = next(name for name in ("require", "dynamic", "import", "reexport", "import_require") if name in captured)
        text = source.text_of(captured["specifier"][0])[1:-1]
        if "\\" not in text:
            found.append(Import(text, captured[kind][0], kind))
    return found


def imports_package(specifier: str, package: str) -> bool:
    """`@scope/pkg` and `@scope/pkg/sub/path` both come from the package `@scope/pkg`."""
    return specifier == package or specifier.startswith(package + "/")


def local_bindings(source: Source, found: list[Import]) -> dict[str, tuple[str, str]]:
    """Local name -> (specifier, imported name), where the imported name is "*" for a whole module
    (`const reply = require("./reply")`, `import * as reply`) and "default" for a default import."""
    bindings: dict[str, tuple[str, str]] = {}
    for item in found:
        if item.kind == "require":
            declarator = item.node.parent
            if declarator is None or declarator.type != "variable_declarator":
                continue
            name = declarator.child_by_field_name("name")
            if name is None:
                continue
            if name.type == "identifier":
                bindings[source.text_of(name)] = (item.specifier, "*")
            elif name.type == "object_pattern":
                for local, imported in _pattern_names(source, name):
                    bindings[local] = (item.specifier, imported)
        elif item.kind == "import":
            for clause in item.node.named_children:
                if clause.type == "import_clause":
                    _import_clause(source, clause, item.specifier, bindings)
        elif item.kind == "import_require":
            name = item.node.named_children[0] if item.node.named_children else None
            if name is not None and name.type == "identifier":
                bindings[source.text_of(name)] = (item.specifier, "*")
    return bindings


def _pattern_names(source: Source, pattern: Node):
    for child in pattern.named_children:
        if child.type == "shorthand_property_identifier_pattern":
            name = source.text_of(child)
            yield name, name
        elif child.type == "pair_pattern":
            key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
            if key is not None and value is not None and value.type == "identifier":
                yield source.text_of(value), source.text_of(key).strip("\"'")


def _import_clause(source: Source, clause: Node, specifier: str, bindings: dict) -> None:
    for part in clause.named_children:
        if part.type == "identifier":
            bindings[source.text_of(part)] = (specifier, "default")
        elif part.type == "namespace_import":
            names = [child for child in part.named_children if child.type == "identifier"]
            if names:
                bindings[source.text_of(names[0])] = (specifier, "*")
        elif part.type == "named_imports":
            for item in part.named_children:
                if item.type != "import_specifier":
                    continue
                name, alias = item.child_by_field_name("name"), item.child_by_field_name("alias")
                if name is not None:
                    imported = source.text_of(name).strip("\"'")
                    bindings[source.text_of(alias or name)] = (specifier, imported)


def resolve(importer: Path, specifier: str, files: set[Path]) -> Path | None:
    """The service file a relative specifier names, trying Node's extensions and index files, and
    TypeScript's habit of importing `./reply.js` for `./reply.ts`."""
    if not specifier.startswith((".", "/")) or specifier.startswith("/"):
        return None
    base = importer.parent / specifier
    candidates = [base]
    if base.suffix in (".js", ".mjs", ".cjs", ".jsx"):
        stem = base.with_suffix("")
        candidates += [stem.with_suffix(ext) for ext in (".ts", ".tsx", ".mts", ".cts")]
    candidates += [base.with_name(base.name + ext) for ext in _EXTENSIONS]
    candidates += [base / f"index{ext}" for ext in _EXTENSIONS]
    for candidate in candidates:
        normal = Path(os.path.normpath(candidate))
        if normal in files:
            return normal
    return None
