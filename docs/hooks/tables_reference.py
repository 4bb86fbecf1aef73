"""MkDocs hook: every table of the pipeline store, rendered at build time from agentic_kit/_blocks/tables.py,
agent_tables.py, budget_tables.py and rollout_tables.py.

The page `reference/tables.md` holds the marker `<!-- agentic:tables -->`; this hook replaces it with one section
per SQLModel table (`table=True`): its name, what one row is (the class docstring) and its columns with their
types, keys, defaults and descriptions (`Field(description=…)`), read from the source with `ast`.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from table_cells import cell, code  # this folder is on sys.path while MkDocs loads a hook

MARKER = "<!-- agentic:tables -->"
KIT = Path(__file__).resolve().parents[2] / "agentic_kit"
SOURCES = (KIT / "_blocks" / "tables.py", KIT / "_blocks" / "agent_tables.py", KIT / "_blocks" / "budget_tables.py",
           KIT / "_blocks" / "rollout_tables.py")
"""The modules that declare the tables, in the order their tables are shown."""
PUBLIC = KIT / "store.py"
"""The public module whose `_EXPORTS` names the row classes a user imports (`from agentic_kit.store import …`)."""
_rendered: str | None = None




def _is_table(node: ast.ClassDef) -> bool:
    """A SQLModel class declared with table=True."""
    return any(kw.arg == "table" and isinstance(kw.value, ast.Constant) and kw.value.value is True
               for kw in node.keywords)


def _table_name(node: ast.ClassDef) -> str:
    """The class's __tablename__, or its lower-cased name as SQLModel would make it."""
    for statement in node.body:
        if (isinstance(statement, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__tablename__"
                                                      for t in statement.targets)
                and isinstance(statement.value, ast.Constant)):
            return str(statement.value.value)
    return node.name.lower()


def _column(statement: ast.AnnAssign) -> tuple[str, str, str, str, str]:
    """(name, type, key, default, description) of one column."""
    name = statement.target.id  # type: ignore[union-attr]
    kind = ast.unparse(statement.annotation)
    call = statement.value if isinstance(statement.value, ast.Call) else None
    keywords = {kw.arg: kw.value for kw in call.keywords if kw.arg} if call else {}
    keys = []
    if _true(keywords.get("primary_key")):
        keys.append("primary key")
    if "foreign_key" in keywords:
        keys.append(f"→ `{ast.literal_eval(keywords['foreign_key'])}`")
    if _true(keywords.get("index")):
        keys.append("indexed")
    if _true(keywords.get("unique")):
        keys.append("unique")
    if "default_factory" in keywords:
        default = code(f"{ast.unparse(keywords['default_factory'])}()")
    elif "default" in keywords:
        default = code(ast.unparse(keywords["default"]))
    elif call is None and statement.value is not None:
        default = code(ast.unparse(statement.value))
    else:
        default = ""
    description = ""
    if "description" in keywords:
        description = str(ast.literal_eval(keywords["description"]))
    return name, kind, ", ".join(keys), default, description


def _true(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Constant) and value.value is True


def _public_names() -> set[str]:
    """The names agentic_kit.store exports (the keys of its `_EXPORTS`)."""
    for node in ast.parse(PUBLIC.read_text(encoding="utf-8")).body:
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_EXPORTS" for t in node.targets)
                and isinstance(node.value, ast.Dict)):
            return {str(ast.literal_eval(key)) for key in node.value.keys if key is not None}
    return set()


def render() -> str:
    """The sections, once per build process."""
    global _rendered
    if _rendered is not None:
        return _rendered
    nodes = [node for source in SOURCES for node in ast.parse(source.read_text(encoding="utf-8")).body]
    public = _public_names()
    out: list[str] = []
    for node in nodes:
        if not (isinstance(node, ast.ClassDef) and _is_table(node)):
            continue
        out += [f"## `{_table_name(node)}`", "", ast.get_docstring(node) or "", "",
                f"Its model: `from agentic_kit.store import {node.name}`." if node.name in public else "", "",
                "| Column | Type | Key | Default | What it holds |", "| --- | --- | --- | --- | --- |"]
        for statement in node.body:
            if (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
                    and not statement.target.id.startswith("_") and "ClassVar" not in ast.unparse(statement.annotation)):
                name, kind, key, default, description = _column(statement)
                out.append(f"| `{name}` | {code(kind)} | {key} | {default} | {cell(description)} |")
        out.append("")
    _rendered = "\n".join(out)
    return _rendered


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Replace the marker with the rendered tables."""
    return markdown.replace(MARKER, render()) if MARKER in markdown else markdown
