"""Where a peer leaves its results, and how the bench reads them back.

A peer has no store: like a user's script it appends one JSON line per finished document to
`{AGENTIC_EXPORT_FOLDER}/results.jsonl`, and a document with no line there after the rerun is lost.
"""

from __future__ import annotations

import json
from pathlib import Path

RESULTS_FILE = "results.jsonl"


def results_path(export_folder: str | Path) -> Path:
    """The JSONL file a peer appends each finished document to."""
    return Path(export_folder) / RESULTS_FILE


def written_documents(export_folder: str | Path) -> set[str]:
    """The ids of the documents the results file has a line for (none when it does not exist)."""
    path = results_path(export_folder)
    if not path.exists():
        return set()
    return {json.loads(line)["document"] for line in path.read_text().splitlines() if line.strip()}
