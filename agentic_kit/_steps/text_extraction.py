"""What a person reads in a file: its text by format, in whatever encoding it was written.

The format is taken from the bytes first (a PDF or a .docx says what it is in its first bytes), then from what the
web server or the file name says, so a PDF saved as .txt is still read as a PDF and its syntax never reaches the
model. Maintained libraries do the reading: pypdf (PDF), python-docx (Word .docx), trafilatura (the main text of an
HTML page: no markup, navigation or script) and charset-normalizer (the encoding of a text that is not UTF-8).
Markdown and plain text are read as they are. What cannot be read is refused with the reason in plain words.

A document's text is capped (AGENTIC_MAX_DOCUMENT_CHARACTERS) while it is read, never after: a few kilobytes can
expand to a hundred million characters (a PDF whose pages all draw one large content stream, a .docx of one paragraph
repeated), so a PDF is read page by page (and inside a page, text piece by text piece), a .docx paragraph by paragraph
as its XML streams out of the ZIP, and a text decoded a megabyte at a time, each stopping as soon as the text passes
the cap.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any, cast

import charset_normalizer
import pypdf
import trafilatura
from docx.oxml.ns import qn
from docx.oxml.parser import element_class_lookup
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.table import Table, _Row
from docx.types import ProvidesStoryPart
from lxml import etree
from lxml.etree import LxmlError
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from agentic_kit._domain.errors import InvalidInput
from agentic_kit._domain.models.documents import DocumentFormat, ExtractedText
from agentic_kit._domain.settings import current_settings

READ_FORMATS = "plain text, Markdown, HTML, PDF (with a text layer) and Word .docx"
"""The formats read, as refusals name them."""
BINARY_CONTROL_RATIO = 0.1
"""Text with more than this share of control characters is taken for binary."""
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
"""Byte-order marks and the codec that reads past them (UTF-32 first: its LE mark starts like UTF-16's)."""
REFUSED_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ("a legacy Office file (.doc, .xls or .ppt); save it as .docx and send "
                                           "it again")),
    (b"\x89PNG", "an image (PNG); images are not read, as no OCR is done here"),
    (b"\xff\xd8\xff", "an image (JPEG); images are not read, as no OCR is done here"),
    (b"GIF8", "an image (GIF); images are not read, as no OCR is done here"),
)
WESTERN = "cp1252"
"""Named as the encoding when it reads a text exactly as the detector's guess does: texts in Western European
languages often read the same in several code pages, and cp1252 (Latin-1's superset) is what they were written in."""
PDF_MAGIC = re.compile(rb"^\s{0,1024}%PDF-")
HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL)
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
PDF_TEXT_OPERATORS = re.compile(rb"T[jJ]|Do|['\"]")
"""What can put text on a PDF page (showing a string, drawing a form): a page whose content has none is not read, as
pypdf itself skips it unless a visitor must see every operator (the cap's count is one)."""
PDF_ERRORS = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError)
"""What pypdf raises on a damaged file (it is strict in places and lenient in others)."""
DOCX_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, LxmlError, zlib.error, EOFError, NotImplementedError)
"""What reading a damaged .docx raises: its ZIP (a bad CRC, a cut-off or unknown compression) or its XML."""
DOCX_MAIN = "word/document.xml"
W_BODY, W_TEXT, W_RUN, W_HYPERLINK = qn("w:body"), qn("w:t"), qn("w:r"), qn("w:hyperlink")
W_RUN_CONTENT = tuple(qn(f"w:{name}") for name in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab"))
"""What python-docx reads a run's text from (each rendered by its element class: a tab as "\\t" …)."""
READ_CHUNK_BYTES = 1 << 20
"""How much of a .docx's XML is parsed, or of a text decoded, at a time."""
NO_STORY = cast(ProvidesStoryPart, None)
"""The parent a .docx table is read with: reading its text never asks the table for its story part."""


class _PastTheCap(BaseException):
    """Stops reading a document whose text passed the cap. A BaseException, so that no `except Exception` on the
    way (pypdf catches those around a page's form XObjects and reads on) can swallow it; extract_text turns it into
    InvalidInput."""


@dataclass
class _Characters:
    """The characters of text read so far, against the cap."""

    cap: int
    read: int = 0

    def add(self, count: int) -> None:
        """Count text read; past the cap, stop reading (_PastTheCap)."""
        self.read += count
        if self.read > self.cap:
            raise _PastTheCap

    def settle(self, provisional: int, actual: int) -> None:
        """Replace what was counted while a piece was read (`provisional`) by its text's length once read."""
        self.read -= provisional
        self.add(actual)

    def refusal(self, source: str) -> InvalidInput:
        """Why the document is not read, with its figures and the setting to raise."""
        return InvalidInput(
            f"{source}: more than {self.cap:,} characters of text (read {self.read:,} before stopping); raise "
            "AGENTIC_MAX_DOCUMENT_CHARACTERS or the flow's max_document_characters to read it")


def extract_text(raw: bytes, source: str, content_type: str | None = None, charset: str | None = None,
                 max_characters: int | None = None) -> ExtractedText:
    """The text a person reads in raw, with the format it was read as and the encoding detected.

    `source` (a path or URL) hints at the format by its suffix; `content_type` and `charset` are what a web
    server said of the bytes. InvalidInput says in plain words why there is no text to read, or that the text is
    longer than `max_characters` (unset: AGENTIC_MAX_DOCUMENT_CHARACTERS), which reading stops at.
    """
    characters = _Characters(current_settings().max_document_characters if max_characters is None else max_characters)
    try:
        extracted = _extract(raw, source, (content_type or "").lower(), charset, characters)
    except _PastTheCap:
        raise characters.refusal(source) from None
    except InvalidInput as exc:
        raise InvalidInput(f"{source}: {exc}") from None
    if not extracted.text.strip():
        raise InvalidInput(f"{source}: " + ("no readable text in the page" if extracted.format == "html"
                                           else "empty document (no text)"))
    return extracted


def _extract(raw: bytes, source: str, content_type: str, charset: str | None,
             characters: _Characters) -> ExtractedText:
    """Read raw by the format its bytes, its content type or its name say (InvalidInput without the source)."""
    if PDF_MAGIC.match(raw):
        return ExtractedText(text=_pdf_text(raw, characters), format="pdf")
    if raw.startswith(b"PK\x03\x04"):
        return ExtractedText(text=_docx_text(raw, characters), format="docx")
    for magic, what in REFUSED_MAGIC:
        if raw.startswith(magic):
            raise InvalidInput(f"{what} (formats read: {READ_FORMATS})")
    if content_type == "application/pdf":
        raise InvalidInput("not a readable PDF (it does not start with a PDF header)")
    if content_type and not _text_type(content_type):
        raise InvalidInput(f"content type {content_type} is not one the pipeline reads ({READ_FORMATS})")
    text, encoding = decode_text(raw, charset, characters)
    suffix = PurePosixPath(source.split("?", 1)[0]).suffix.lower()
    if content_type in HTML_TYPES or suffix in HTML_SUFFIXES or HTML_START.match(text):
        return ExtractedText(text=html_main_text(text), format="html", encoding=encoding)
    text_format: DocumentFormat = "markdown" if content_type == "text/markdown" or suffix in MARKDOWN_SUFFIXES \
        else "text"
    return ExtractedText(text=text, format=text_format, encoding=encoding)


def _text_type(content_type: str) -> bool:
    """Whether a media type is text we read, or says nothing (octet-stream: the bytes decide)."""
    return content_type.startswith("text/") or content_type in HTML_TYPES or content_type == "application/octet-stream"


def decode_text(raw: bytes, charset: str | None = None, characters: _Characters | None = None) -> tuple[str, str]:
    """The text of raw and its encoding's name: a byte-order mark decides, then the declared charset, then UTF-8,
    then charset-normalizer's best guess; InvalidInput when raw is not text at all. With `characters`, decoding
    stops as soon as the text passes their cap."""
    for bom, codec in BOMS:
        if raw.startswith(bom):
            text = _decoded(raw, codec, characters, errors="replace").removeprefix("\ufeff")
            return _checked(text), codecs.lookup(codec).name
    if b"\x00" in raw:
        raise InvalidInput("binary content (NUL bytes), not a text document")
    for encoding in (charset, "utf-8"):
        if encoding and _known(encoding):
            try:
                return _checked(_decoded(raw, encoding, characters)), codecs.lookup(encoding).name
            except UnicodeDecodeError:
                continue
    best = charset_normalizer.from_bytes(raw).best()
    if best is None:
        raise InvalidInput(f"binary content, not a text document in any encoding (formats read: {READ_FORMATS})")
    text = _decoded(raw, best.encoding, characters)
    if _decodes_to(raw, WESTERN, text):
        return _checked(text), WESTERN
    return _checked(text), codecs.lookup(best.encoding).name


def _decoded(raw: bytes, encoding: str, characters: _Characters | None, errors: str = "strict") -> str:
    """raw in this encoding, decoded a chunk at a time and counted, so that a text past the cap stops being decoded
    (a failed attempt, UnicodeDecodeError, counts nothing)."""
    if characters is None:
        return raw.decode(encoding, errors)
    decoder = codecs.getincrementaldecoder(encoding)(errors)
    view, pieces, start = memoryview(raw), [], characters.read
    try:
        for offset in range(0, len(raw), READ_CHUNK_BYTES):
            pieces.append(decoder.decode(view[offset:offset + READ_CHUNK_BYTES],
                                         final=offset + READ_CHUNK_BYTES >= len(raw)))
            characters.add(len(pieces[-1]))
        pieces.append(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        characters.read = start
        raise
    return "".join(pieces)


def _decodes_to(raw: bytes, encoding: str, text: str) -> bool:
    """Whether raw in this single-byte encoding is exactly this text (a byte a character: other lengths are not)."""
    try:
        return len(raw) == len(text) and raw.decode(encoding) == text
    except UnicodeDecodeError:
        return False


def _known(encoding: str) -> bool:
    """Whether Python knows the encoding as a text encoding."""
    try:
        return codecs.lookup(encoding)._is_text_encoding
    except LookupError:
        return False


def _checked(text: str) -> str:
    """The text, unless so many of its characters are control characters that it must be binary."""
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if text and controls / len(text) > BINARY_CONTROL_RATIO:
        raise InvalidInput(f"binary content ({controls} control characters), not a text document")
    return text


def html_main_text(html: str) -> str:
    """The main text of an HTML page, without its markup, navigation, script or footer."""
    extracted = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True)
    return extracted or trafilatura.html2txt(html) or ""


def _pdf_text(raw: bytes, characters: _Characters) -> str:
    """The text layer of a PDF, page after page, stopping once it passes the cap (counted inside a page too, as its
    text comes); refused when encrypted, damaged or without text."""
    pages: list[str] = []
    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InvalidInput("an encrypted PDF: it needs a password to open; send an unencrypted copy")
        read_before: dict[Hashable, str] = {}

        def count(piece: str, *_: Any) -> None:
            characters.add(len(piece))

        for page in reader.pages:
            drawing = _drawing(page)
            text = read_before.get(drawing)
            if text is None:
                before_page = characters.read
                text = read_before[drawing] = _page_text(page, count)
                characters.read = before_page  # the pieces were counted as they came; the page's text counts now
            if text:
                characters.add(len(text) + (2 if characters.read else 0))
            pages.append(text)
    except InvalidInput:
        raise
    except PDF_ERRORS as exc:
        raise InvalidInput(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if not any(pages):
        raise InvalidInput(f"a PDF with no text layer ({len(pages)} page{'s' if len(pages) != 1 else ''} of images, "
                           "a scan perhaps); OCR is not done here, so there is no text to read")
    return "\n\n".join(page for page in pages if page)


def _page_text(page: pypdf.PageObject, count: Callable[..., None]) -> str:
    """A page's text, each piece passed to `count` as it comes; a page whose content shows no text is not read."""
    contents = page.get_contents()
    if contents is None or PDF_TEXT_OPERATORS.search(contents.get_data()) is None:
        return ""
    return (page.extract_text(visitor_text=count) or "").strip()


def _drawing(page: pypdf.PageObject) -> Hashable:
    """What a page's text is read from: its content streams and its resources. pypdf reads the same text from the
    same content with the same resources, so a page drawing what a page before drew is not read again (an 18 KB
    PDF can draw one 1 MB content stream on each of 100 pages)."""
    return _identity(dict.get(page, "/Contents")), _identity(dict.get(page, "/Resources"))


def _identity(value: Any) -> Hashable:
    """A PDF object as a hashable value: an indirect object by its number, a direct dictionary or array by what it
    holds, anything else by its type and value (a direct stream, which a valid PDF never has, by itself)."""
    if isinstance(value, IndirectObject):
        return value.idnum, value.generation
    if isinstance(value, StreamObject):
        return id(value)
    if isinstance(value, DictionaryObject):
        return tuple(sorted((str(key), _identity(item)) for key, item in dict.items(value)))
    if isinstance(value, ArrayObject):
        return tuple(_identity(item) for item in list.__iter__(value))
    return type(value).__name__, repr(value)


def _docx_text(raw: bytes, characters: _Characters) -> str:
    """The paragraphs and table rows of a Word .docx in document order; refused when the ZIP is not a Word document.

    Its XML is parsed as it streams out of the ZIP, and each paragraph or table of the body is read (as python-docx
    reads one) and dropped once it ends, so neither the document's tree nor its text is ever whole in memory before
    the cap is checked; the text of a long paragraph counts as it comes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise InvalidInput(f"a damaged ZIP file ({exc}), not a document we read ({READ_FORMATS})") from exc
    with archive:
        if DOCX_MAIN not in archive.namelist():
            raise InvalidInput(f"a ZIP archive, not a document (formats read: {READ_FORMATS})")
        try:
            with archive.open(DOCX_MAIN) as xml:
                return "\n\n".join(_docx_blocks(xml, characters))
        except DOCX_ERRORS as exc:
            raise InvalidInput(f"not a readable Word .docx file ({type(exc).__name__}: {exc})") from exc


def _docx_blocks(xml: IO[bytes], characters: _Characters) -> Iterator[str]:
    """The non-blank paragraphs and table rows of a .docx body's XML, counted against the cap as they are read."""
    parser = etree.XMLPullParser(events=("end",), remove_blank_text=True, resolve_entities=False, no_network=True)
    parser.set_element_class_lookup(element_class_lookup)
    in_block = 0  # the text of the block being read, counted run by run until the block is read whole
    yielded = 0
    while chunk := xml.read(READ_CHUNK_BYTES):
        parser.feed(chunk)
        for _, element in parser.read_events():
            if element.tag == W_TEXT:
                in_block += len(element.text or "")
                characters.add(len(element.text or ""))
                continue
            body = element.getparent()
            if body is None or body.tag != W_BODY:
                continue
            blocks = [_row_text(row) for row in Table(element, NO_STORY).rows] if isinstance(element, CT_Tbl) \
                else [_paragraph_text(element)] if isinstance(element, CT_P) else []
            blocks = [block for block in blocks if block.strip()]
            characters.settle(in_block, len("\n\n".join(blocks)) + (2 if blocks and yielded else 0))
            in_block, yielded = 0, yielded + len(blocks)
            body.remove(element)  # read: drop it, so the tree never holds more than the block being read
            yield from blocks
    parser.close()


def _paragraph_text(paragraph: CT_P) -> str:
    """A paragraph's text as python-docx's Paragraph.text reads it (its runs' and its hyperlinks' runs' text, tabs
    and breaks, each rendered by python-docx's element class), found without XPath: python-docx's XPath per
    paragraph and run costs 50 µs, the whole time of reading a .docx of short paragraphs."""
    runs = (run for child in paragraph.iterchildren(W_RUN, W_HYPERLINK)
            for run in ((child,) if child.tag == W_RUN else child.iterchildren(W_RUN)))
    return "".join(str(content) for run in runs for content in run.iterchildren(*W_RUN_CONTENT))


def _row_text(row: _Row) -> str:
    """A table row's cells, joined by " | " (a merged cell once, though it spans several columns)."""
    cells = {id(cell): cell for cell in row.cells}.values()
    return " | ".join(text for cell in cells if (text := cell.text.strip()))
