"""Validation turns bad input into clear, per-document errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentic_kit._domain.errors import InvalidInput
from agentic_kit._domain.models.common import content_id
from agentic_kit._domain.models.documents import Document, Rejection
from tasks.documents.ingest import ingest, validate


def test_a_text_becomes_a_document_named_by_its_content_hash() -> None:
    document = validate(b"Call back tomorrow.", "note.txt")
    assert document.text == "Call back tomorrow."
    assert document.id == content_id("Call back tomorrow.") == content_id(b"Call back tomorrow.")


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"", "empty document"),
        (b"  \n\t ", "empty document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "an image"),
        (b"\x01\x02\x03\x04\x05 abc", "binary content"),
        (b"x" * 101, "over the limit of 100 bytes"),
    ],
)
def test_bad_input_is_rejected_in_plain_words(raw: bytes, says: str) -> None:
    with pytest.raises(InvalidInput, match=says) as caught:
        validate(raw, "upload.bin", max_bytes=100)
    assert "upload.bin" in str(caught.value)


def test_a_byte_order_mark_is_not_part_of_the_text() -> None:
    assert validate("\ufeffHello".encode(), "bom.txt").text == "Hello"


def test_a_folder_outside_the_ingest_roots_is_refused_and_a_path_outside_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowed, elsewhere = tmp_path / "inbox", tmp_path / "elsewhere"
    for folder in (allowed, elsewhere):
        folder.mkdir()
        (folder / f"{folder.name}.txt").write_text(f"A note in {folder.name}.")
    (allowed / "sneaky.txt").symlink_to(elsewhere / "elsewhere.txt")
    monkeypatch.setenv("AGENTIC_INGEST_ROOTS", str(allowed))
    with pytest.raises(InvalidInput, match="folder refused: .* is outside the folders documents may be read from"):
        ingest.fn(folder=str(elsewhere))
    items = ingest.fn(folder=str(allowed), paths=[str(elsewhere / "elsewhere.txt"), "/etc/passwd"])
    read = {Path(item.source).name: item for item in items}
    assert isinstance(read["inbox.txt"], Document) and read["inbox.txt"].text == "A note in inbox."
    refused = [item for item in items if isinstance(item, Rejection)]
    print(f"{len(items)} sources: {len(items) - len(refused)} read, {len(refused)} refused outside the roots")
    assert sorted(Path(item.source).name for item in refused) == ["elsewhere.txt", "passwd", "sneaky.txt"]
    assert all("AGENTIC_INGEST_ROOTS" in item.error for item in refused)


def test_a_latin1_text_is_read_and_its_id_is_the_hash_of_its_raw_bytes() -> None:
    raw = "Grüße aus München: Jürgen Weiß liefert die Ware an die Große Elbstraße.".encode("latin-1")
    document = validate(raw, "lieferung.txt")
    assert document.text.startswith("Grüße aus München")
    assert (document.format, document.encoding) == ("text", "cp1252")
    assert document.id == content_id(raw)
