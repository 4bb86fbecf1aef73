"""Ingest and validate: turn folders, paths and inline texts into documents, or into clear rejections.

A file is read by its format (agentic_kit/_steps/text_extraction.py): PDF, Word .docx, HTML, Markdown or text in any encoding.
It is opened beneath an ingest root without following links and checked once open (agentic_kit/_steps/safe_open.py),
so a file swapped for a link, or a hard link to a file elsewhere, is never read; a path that cannot be read (not a
valid path, outside the roots, not a regular file) is a rejection of that path, and the rest of the batch goes on.
"""

from __future__ import annotations

from pathlib import Path

from prefect import task

from agentic_kit import (
    LOCAL_READ,
    InvalidInput,
    current_settings,
    extract_text,
    outside_roots,
    read_beneath,
    shown_path,
)
from agentic_kit.models import Document, Rejection, content_id

DEFAULT_MAX_DOCUMENT_BYTES = 25_000_000
"""Files larger than this are rejected before they are read (a text PDF of a few hundred pages is a few MB)."""


def validate(raw: bytes, source: str, max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES, content_type: str | None = None,
             charset: str | None = None, max_characters: int | None = None) -> Document:
    """A document from a file's raw bytes (its id) and the text a person reads in them, or InvalidInput saying in
    plain words why there is none; `content_type` and `charset` are what a web server said of the bytes. Reading
    stops once the text passes `max_characters` (unset: AGENTIC_MAX_DOCUMENT_CHARACTERS), and the file is refused."""
    if len(raw) > max_bytes:
        raise InvalidInput(f"{source}: {len(raw):,} bytes, over the limit of {max_bytes:,} bytes")
    return Document.from_extracted(raw, extract_text(raw, source, content_type, charset, max_characters), source)


def source_files(folder: str | None, paths: list[str] | None, roots: list[Path]) -> list[Path]:
    """The files to read: every visible file of the folder (sorted), then the paths given."""
    files: list[Path] = []
    if folder:
        root = Path(folder)
        if reason := outside_roots(root, roots):
            raise InvalidInput(f"folder refused: {reason}")
        if not root.is_dir():
            raise InvalidInput(f"folder {shown_path(folder)!r} does not exist or is not a folder")
        files += sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith("."))
    files += [Path(p) for p in paths or []]
    return files


@task(name="ingest", **LOCAL_READ)
def ingest(
    folder: str | None = None,
    paths: list[str] | None = None,
    texts: list[str] | None = None,
    sources: list[str] | None = None,
    max_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    max_characters: int | None = None,
) -> list[Document | Rejection]:
    """Read every source and validate it; one unreadable or invalid source never stops the others.

    Inline texts are named by `sources` (same order) where given, else "inline text #N". Files are read only inside
    the ingest roots (AGENTIC_INGEST_ROOTS): a folder outside them fails the run; a path outside them, not valid (a
    NUL byte), swapped for a link while it is opened or a hard link is rejected, and the rest are read.
    """
    items: list[Document | Rejection] = []
    roots = current_settings().ingest_root_paths
    for path in source_files(folder, paths, roots):
        try:
            raw = read_beneath(path, roots)
        except InvalidInput as exc:
            items.append(Rejection(source=shown_path(path), error=str(exc)))
            continue
        items.append(validated(raw, str(path), max_bytes, max_characters=max_characters))
    names = sources or []
    for index, text in enumerate(texts or []):
        name = names[index] if index < len(names) and names[index] else f"inline text #{index + 1}"
        items.append(validated(text.encode("utf-8"), name, max_bytes, max_characters=max_characters))
    return items


def validated(raw: bytes, source: str, max_bytes: int, content_type: str | None = None,
              charset: str | None = None, max_characters: int | None = None) -> Document | Rejection:
    """The document, or its rejection keyed by the hash of the raw bytes."""
    try:
        return validate(raw, source, max_bytes, content_type, charset, max_characters)
    except InvalidInput as exc:
        return Rejection(source=source, error=str(exc), document_id=content_id(raw))
