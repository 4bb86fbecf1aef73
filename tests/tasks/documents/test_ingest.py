"""Validation turns bad input into clear, per-document errors."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.models.common import content_id
from tasks.documents.ingest import validate


def test_a_text_becomes_a_document_named_by_its_content_hash() -> None:
    document = validate(b"Call back tomorrow.", "note.txt")
    assert document.text == "Call back tomorrow."
    assert document.id == content_id("Call back tomorrow.") == content_id(b"Call back tomorrow.")


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"", "empty document"),
        (b"  \n\t ", "empty document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content"),
        (b"\x01\x02\x03\x04\x05 abc", "binary content"),
        ("Gr\u00fc\u00dfe aus M\u00fcnchen".encode("latin-1"), "not valid UTF-8"),
        (b"x" * 101, "over the limit of 100 bytes"),
    ],
)
def test_bad_input_is_rejected_in_plain_words(raw: bytes, says: str) -> None:
    with pytest.raises(InvalidInput, match=says) as caught:
        validate(raw, "upload.bin", max_bytes=100)
    assert "upload.bin" in str(caught.value)


def test_a_byte_order_mark_is_not_part_of_the_text() -> None:
    assert validate("\ufeffHello".encode(), "bom.txt").text == "Hello"
