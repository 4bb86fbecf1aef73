"""What the reference hooks put in a markdown table cell (imported by them; not a hook itself)."""

from __future__ import annotations

import html


def cell(text: str) -> str:
    """Text for one markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def code(text: str) -> str:
    """Code for one markdown table cell: a pipe inside a code span would split the cell, and escaped it would show
    its backslash, so the span is HTML with the pipe as an entity."""
    return "<code>" + html.escape(" ".join(text.split())).replace("|", "&#124;") + "</code>"
