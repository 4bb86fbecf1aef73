"""What a person reads in a file: its text by format, in whatever encoding it was written.

The format is taken from the bytes first (a PDF or a .docx says what it is in its first bytes), then from what the
web server or the file name says, so a PDF saved as .txt is still read as a PDF and its syntax never reaches the
model. Maintained libraries do the reading: pypdf (PDF), python-docx (Word .docx), trafilatura (the main text of an
HTML page: no markup, navigation or script) and charset-normalizer (the encoding of a text that is not UTF-8).
Markdown and plain text are read as they are. What cannot be read is refused with the reason in plain words.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import PurePosixPath

import charset_normalizer
import docx
import pypdf
import trafilatura
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table, _Row
from lxml.etree import LxmlError
from pypdf.errors import PyPdfError

from agentic_kit._domain.errors import InvalidInput
from agentic_kit._domain.models.documents import DocumentFormat, ExtractedText

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
PDF_ERRORS = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError)
"""What pypdf raises on a damaged file (it is strict in places and lenient in others)."""
DOCX_ERRORS = (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, LxmlError)


def extract_text(raw: bytes, source: str, content_type: str | None = None, charset: str | None = None) -> ExtractedText:
    """The text a person reads in raw, with the format it was read as and the encoding detected.

    `source` (a path or URL) hints at the format by its suffix; `content_type` and `charset` are what a web
    server said of the bytes. InvalidInput says in plain words why there is no text to read.
    """
    try:
        extracted = _extract(raw, source, (content_type or "").lower(), charset)
    except InvalidInput as exc:
        raise InvalidInput(f"{source}: {exc}") from None
    if not extracted.text.strip():
        raise InvalidInput(f"{source}: " + ("no readable text in the page" if extracted.format == "html"
                                           else "empty document (no text)"))
    return extracted


def _extract(raw: bytes, source: str, content_type: str, charset: str | None) -> ExtractedText:
    """Read raw by the format its bytes, its content type or its name say (InvalidInput without the source)."""
    if PDF_MAGIC.match(raw):
        return ExtractedText(text=_pdf_text(raw), format="pdf")
    if raw.startswith(b"PK\x03\x04"):
        return ExtractedText(text=_docx_text(raw), format="docx")
    for magic, what in REFUSED_MAGIC:
        if raw.startswith(magic):
            raise InvalidInput(f"{what} (formats read: {READ_FORMATS})")
    if content_type == "application/pdf":
        raise InvalidInput("not a readable PDF (it does not start with a PDF header)")
    if content_type and not _text_type(content_type):
        raise InvalidInput(f"content type {content_type} is not one the pipeline reads ({READ_FORMATS})")
    text, encoding = decode_text(raw, charset)
    suffix = PurePosixPath(source.split("?", 1)[0]).suffix.lower()
    if content_type in HTML_TYPES or suffix in HTML_SUFFIXES or HTML_START.match(text):
        return ExtractedText(text=html_main_text(text), format="html", encoding=encoding)
    text_format: DocumentFormat = "markdown" if content_type == "text/markdown" or suffix in MARKDOWN_SUFFIXES \
        else "text"
    return ExtractedText(text=text, format=text_format, encoding=encoding)


def _text_type(content_type: str) -> bool:
    """Whether a media type is text we read, or says nothing (octet-stream: the bytes decide)."""
    return content_type.startswith("text/") or content_type in HTML_TYPES or content_type == "application/octet-stream"


def decode_text(raw: bytes, charset: str | None = None) -> tuple[str, str]:
    """The text of raw and its encoding's name: a byte-order mark decides, then the declared charset, then UTF-8,
    then charset-normalizer's best guess; InvalidInput when raw is not text at all."""
    for bom, codec in BOMS:
        if raw.startswith(bom):
            return _checked(raw.decode(codec, errors="replace").removeprefix("\ufeff")), codecs.lookup(codec).name
    if b"\x00" in raw:
        raise InvalidInput("binary content (NUL bytes), not a text document")
    for encoding in (charset, "utf-8"):
        if encoding and _known(encoding):
            try:
                return _checked(raw.decode(encoding)), codecs.lookup(encoding).name
            except UnicodeDecodeError:
                continue
    best = charset_normalizer.from_bytes(raw).best()
    if best is None:
        raise InvalidInput(f"binary content, not a text document in any encoding (formats read: {READ_FORMATS})")
    text = str(best)
    if _decodes_to(raw, WESTERN, text):
        return _checked(text), WESTERN
    return _checked(text), codecs.lookup(best.encoding).name


def _decodes_to(raw: bytes, encoding: str, text: str) -> bool:
    """Whether raw in this encoding is exactly this text."""
    try:
        return raw.decode(encoding) == text
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


def _pdf_text(raw: bytes) -> str:
    """The text layer of a PDF, page after page; refused when encrypted, damaged or without text."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InvalidInput("an encrypted PDF: it needs a password to open; send an unencrypted copy")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except InvalidInput:
        raise
    except PDF_ERRORS as exc:
        raise InvalidInput(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if not any(pages):
        raise InvalidInput(f"a PDF with no text layer ({len(pages)} page{'s' if len(pages) != 1 else ''} of images, "
                           "a scan perhaps); OCR is not done here, so there is no text to read")
    return "\n\n".join(page for page in pages if page)


def _docx_text(raw: bytes) -> str:
    """The paragraphs and table rows of a Word .docx in document order; refused when the ZIP is not a Word document."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise InvalidInput(f"a damaged ZIP file ({exc}), not a document we read ({READ_FORMATS})") from exc
    if "word/document.xml" not in names:
        raise InvalidInput(f"a ZIP archive, not a document (formats read: {READ_FORMATS})")
    try:
        document = docx.Document(io.BytesIO(raw))
    except DOCX_ERRORS as exc:
        raise InvalidInput(f"not a readable Word .docx file ({type(exc).__name__}: {exc})") from exc
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend(_row_text(row) for row in item.rows)
        else:
            blocks.append(item.text)
    return "\n\n".join(block for block in blocks if block.strip())


def _row_text(row: _Row) -> str:
    """A table row's cells, joined by " | " (a merged cell once, though it spans several columns)."""
    cells = {id(cell): cell for cell in row.cells}.values()
    return " | ".join(text for cell in cells if (text := cell.text.strip()))
