"""MkDocs hook: the `agentic` command's reference, rendered at build time from its Typer app.

The page `reference/cli.md` holds the marker `<!-- agentic:cli -->`; this hook replaces it with `agentic --help`
and every command's help (usage, description, arguments and options with their defaults), read through Click's
API from the app the console script runs, the project's own commands (AGENTIC_COMMANDS) included.
"""

from __future__ import annotations

import inspect
import os
import sys
from pathlib import Path
from typing import Any

from table_cells import cell, code  # this folder is on sys.path while MkDocs loads a hook

MARKER = "<!-- agentic:cli -->"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
_rendered: str | None = None


def _app() -> Any:
    """The `agentic` Click command, imported with the project's root first on the path and as the working folder
    (the app adds the project's commands from the folder it runs in)."""
    import typer

    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    before = os.getcwd()
    os.chdir(PROJECT_ROOT)
    try:
        from agentic_kit._operate.cli.app import app
    finally:
        os.chdir(before)
    return typer.main.get_command(app)




def _help_text(command: Any) -> str:
    """A command's whole help text, as paragraphs (Click's `\\b` no-rewrap markers dropped)."""
    text = inspect.cleandoc(command.help or "")
    return "\n".join(line for line in text.splitlines() if line.strip() != "\b")


def _render(command: Any, path: list[str], parent: Any, level: int, out: list[str]) -> None:
    """Append the section of one command (and of its subcommands) to out."""
    context = command.context_class(command, info_name=path[-1], parent=parent)
    name = " ".join(path)
    out += [f"{'#' * level} `{name}`", ""]
    if help_text := _help_text(command):
        out += [help_text, ""]
    out += ["```", command.get_usage(context).strip(), "```", ""]
    records = [(param, param.get_help_record(context)) for param in command.get_params(context)
               if not getattr(param, "hidden", False) and "--help" not in param.opts]
    arguments = [(param, record) for param, record in records if param.param_type_name == "argument" and record]
    options = [(param, record) for param, record in records if param.param_type_name == "option" and record]
    for title, rows in (("Argument", arguments), ("Option", options)):
        if rows:
            out += [f"| {title} | What it does |", "| --- | --- |"]
            out += [f"| {code(record[0])} | {cell(record[1])} |" for _, record in rows]
            out.append("")
    if hasattr(command, "list_commands"):
        names = command.list_commands(context)
        if names:
            out += ["| Command | What it does |", "| --- | --- |"]
            for sub_name in names:
                sub = command.get_command(context, sub_name)
                summary = sub.get_short_help_str(limit=200) if sub is not None else ""
                anchor = "-".join([*path, sub_name]).lower()
                out.append(f"| [`{' '.join([*path, sub_name])}`](#{anchor}) | {cell(summary)} |")
            out.append("")
        for sub_name in names:
            sub = command.get_command(context, sub_name)
            if sub is not None and not getattr(sub, "hidden", False):
                _render(sub, [*path, sub_name], context, min(level + 1, 4), out)


def render() -> str:
    """The whole reference, once per build process."""
    global _rendered
    if _rendered is None:
        out: list[str] = []
        _render(_app(), ["agentic"], None, 2, out)
        _rendered = "\n".join(out)
    return _rendered


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Replace the marker with the rendered reference."""
    return markdown.replace(MARKER, render()) if MARKER in markdown else markdown
