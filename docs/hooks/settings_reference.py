"""MkDocs hook: every AGENTIC_* setting, rendered at build time from agentic_kit/_domain/settings.py.

The page `reference/settings.md` holds the marker `<!-- agentic:settings -->`; this hook replaces it with one table
per group of the `Settings` class (the comment above a group names it): each field's environment variable, type,
default and docstring. Field docstrings are attribute docstrings, read from the source with `ast`; defaults come
from the model's own fields, so they are the values a process gets.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any

from table_cells import cell, code  # this folder is on sys.path while MkDocs loads a hook

MARKER = "<!-- agentic:settings -->"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOURCE = PROJECT_ROOT / "agentic_kit" / "_domain" / "settings.py"
_rendered: str | None = None




def _documented_fields(source: str) -> list[tuple[str | None, ast.AnnAssign, str]]:
    """(group comment, field, docstring) for each field of `Settings`, in source order."""
    lines = source.splitlines()
    settings = next(node for node in ast.parse(source).body if isinstance(node, ast.ClassDef) and node.name == "Settings")
    fields: list[tuple[str | None, ast.AnnAssign, str]] = []
    group: str | None = None
    previous_end = settings.body[0].end_lineno or settings.lineno
    body = settings.body
    for index, node in enumerate(body):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            comments = [line.strip().lstrip("#").strip() for line in lines[previous_end:node.lineno - 1]
                        if line.strip().startswith("#")]
            if comments:
                group = " ".join(comments)
            following = body[index + 1] if index + 1 < len(body) else None
            docstring = ""
            if (isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                    and isinstance(following.value.value, str)):
                docstring = following.value.value
            if node.target.id != "model_config":
                fields.append((group, node, docstring))
        previous_end = node.end_lineno or previous_end
    return fields


def _default(field: Any, node: ast.AnnAssign, source: str) -> str:
    """How a field's default reads in the table."""
    from pydantic import SecretStr

    if field.default_factory is not None:
        call = node.value
        factory = next((kw.value for kw in getattr(call, "keywords", []) if kw.arg == "default_factory"), None)
        if isinstance(factory, ast.Lambda):
            return code(ast.get_source_segment(source, factory.body) or "")
        return "computed"
    value = field.default
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value == "":
        return "empty"
    return code(str(value))


def _constraints(node: ast.AnnAssign) -> str:
    """Bounds given to Field (ge, gt, le, lt), as words for the table."""
    signs = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
    keywords = getattr(node.value, "keywords", []) if isinstance(node.value, ast.Call) else []
    bounds = [f"{signs[kw.arg]} {ast.unparse(kw.value)}" for kw in keywords if kw.arg in signs]
    return f", {', '.join(bounds)}" if bounds else ""


def render() -> str:
    """The tables, once per build process."""
    global _rendered
    if _rendered is not None:
        return _rendered
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    from agentic_kit._domain import settings as module

    source = SOURCE.read_text(encoding="utf-8")
    model_fields = module.Settings.model_fields
    prefix = module.Settings.model_config.get("env_prefix", "")
    out: list[str] = []
    group_seen: str | None = None
    for group, node, docstring in _documented_fields(source):
        name = node.target.id  # type: ignore[union-attr]
        field = model_fields[name]
        if group != group_seen:
            title, _, where = (group or "Settings").partition(" (")
            out += ["", f"## {title.rstrip('.:')}", ""]
            if where:
                places = [place if " " in place else f"`{place}`" for place in where.rstrip(").").split(", ")]
                out += [f"Read in {', '.join(places)}.", ""]
            out += ["| Variable | Type | Default | What it does |", "| --- | --- | --- | --- |"]
            group_seen = group
        variable = field.validation_alias if isinstance(field.validation_alias, str) else f"{prefix}{name}".upper()
        kind = ast.unparse(node.annotation)
        secret = " (secret)" if "SecretStr" in kind else ""
        out.append(f"| <span id=\"{variable.lower()}\"></span>`{variable}` | {code(kind)}{secret}"
                   f"{cell(_constraints(node))} | {_default(field, node, source)} | {cell(docstring) or '—'} |")
    if module.RENAMED:
        out += ["", "## Renamed variables", "", ("Old names that still work for now, with a warning naming the new "
                "ones:"), "", "| Old name | Now |", "| --- | --- |"]
        out += [f"| `{old}` | {', '.join(f'`{new}`' for new in new_names)} |" for old, new_names in module.RENAMED.items()]
    _rendered = "\n".join(out).strip() + "\n"
    return _rendered


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Replace the marker with the rendered tables."""
    return markdown.replace(MARKER, render()) if MARKER in markdown else markdown
