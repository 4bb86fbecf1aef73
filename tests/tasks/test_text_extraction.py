"""What extract_text reads in each format, and how it refuses, in plain words naming the file, what it cannot read.

The PDF, .docx and ZIP inputs are built here at test time (fpdf2, pypdf, python-docx), so each test says exactly
what its file holds; the example documents are then read as the pipeline reads them.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pypdf
import pytest
from fpdf import FPDF

from agentic_kit._domain.errors import InvalidInput
from agentic_kit._steps.text_extraction import READ_FORMATS, extract_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "documents"
SCANNED = "18-scanned-receipt.pdf"
PDF_SYNTAX = re.compile(r"\b(?:obj|endobj|endstream|startxref|xref)\b|/Type\b|/Font\b|%PDF-")
MARKUP = re.compile(r"<(?![\w.+-]+@[\w.-]+>)/?[A-Za-z]")
"""A "<" before a letter, as a tag opens; not an email address in angle brackets, as a person writes one."""
PAGES = ("Tidewater Instruments reports revenue of 18.4 million pounds.", "Callum Fraser leads the Aberdeen team.")
ARTICLE = ("The AeroSense 3 is an air quality monitor made by Solvik Instruments GmbH in Munich.",
           "It goes on sale on 12 May 2026 at a price of 349 euros, with a three-year warranty.")
PAGE = f"""<!DOCTYPE html><html><head><title>AeroSense 3</title>
<style>nav {{ display: flex; }} .price {{ color: #c00; }}</style>
<script>window.dataLayer = []; function trackClick(label) {{ dataLayer.push(label); }}</script></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/shop">Shop all sensors</a></li>
<li><a href="/support">Support centre</a></li></ul></nav>
<main><article><h1>Solvik AeroSense 3</h1><p>{ARTICLE[0]}</p><p>{ARTICLE[1]}</p></article></main>
<footer><p>© 2026 Solvik Instruments GmbH. All rights reserved.</p>
<p>We use cookies to measure visits to this site. Manage cookie settings.</p></footer></body></html>"""
LATIN = ("Grüße aus München! Die Straße vor dem Büro ist für drei Wochen gesperrt, weil die Brücke über die Isar "
         "erneuert wird. Bitte kommen Sie über den Hof, Frau Weiß öffnet Ihnen gern.")
CP1252 = "„Die Rechnung über 1.250 € ist bezahlt“, sagte Jürgen – “thanks for the quick transfer”."


def text_pdf(*pages: str) -> bytes:
    """A PDF with a text layer, one page for each text, in a core font."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def drawn_pdf() -> bytes:
    """A PDF of shapes only, as a scan is: pages without a text layer."""
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 120, 8, style="F")
        pdf.line(20, 40, 180, 40)
    return bytes(pdf.output())


def encrypted_pdf(user_password: str, owner_password: str) -> bytes:
    """A text PDF encrypted by pypdf; with user password "" it opens without one (only editing is restricted)."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(text_pdf(*PAGES))))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def word_document() -> bytes:
    """A .docx with a heading, paragraphs and a table between them, two of its cells equal and two merged."""
    document = docx.Document()
    document.add_heading("Site visit report", level=1)
    document.add_paragraph("Ms. Priya Raman visited the Rotterdam terminal on 14 March 2026.")
    table = document.add_table(rows=3, cols=3)
    for row, cells in zip(table.rows, (("Site", "Trucks", "Trains"), ("Rotterdam", "40", "40"))):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    table.cell(2, 0).merge(table.cell(2, 1)).text = "Hamburg (closed for works)"
    table.cell(2, 2).text = "0"
    document.add_paragraph("The next visit is planned for Hamburg in May.")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    """A ZIP archive of these members."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return output.getvalue()


def damaged_word_document() -> bytes:
    """A .docx whose word/document.xml holds garbage instead of XML."""
    with zipfile.ZipFile(io.BytesIO(word_document())) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return zipped({**members, "word/document.xml": b"<w:document><<< not xml at all"})


def bad_xref_pdf() -> bytes:
    """A text PDF whose cross-reference table claims far more objects than the file holds."""
    return re.sub(rb"xref\n0 \d+", b"xref\n0 999999", text_pdf(*PAGES), count=1)


REFUSALS = [
    pytest.param(lambda: encrypted_pdf("secret", "owner"), "report.pdf", None, ("encrypted", "password"),
                 id="encrypted-pdf"),
    pytest.param(drawn_pdf, "scan.pdf", None, ("no text layer", "2 pages", "OCR"), id="pdf-without-text"),
    pytest.param(lambda: b"%PDF-1.7\n" + b"\x8f garbage \x00 bytes " * 40, "garbage.pdf", None,
                 ("not a readable PDF",), id="pdf-garbage-body"),
    pytest.param(lambda: text_pdf(*PAGES)[:700], "truncated.pdf", None, ("not a readable PDF",), id="pdf-truncated"),
    pytest.param(bad_xref_pdf, "bad-xref.pdf", None, ("not a readable PDF",), id="pdf-bad-xref"),
    pytest.param(damaged_word_document, "minutes.docx", None, ("not a readable Word .docx",), id="docx-corrupt"),
    pytest.param(lambda: zipped({"notes.txt": b"hello", "photo.jpg": b"\xff\xd8\xff"}), "bundle.zip", None,
                 ("ZIP archive", READ_FORMATS), id="random-zip"),
    pytest.param(lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "letter.doc", None,
                 ("legacy Office", ".docx"), id="ole2-legacy-office"),
    pytest.param(lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png", None, ("image", "PNG", "OCR"),
                 id="png"),
    pytest.param(lambda: b"MZ\x90\x00\x03\x00\x00\x00" * 64, "tool.exe", None, ("binary", "NUL"), id="nul-binary"),
    pytest.param(lambda: b"not really an image", "avatar", "image/png", ("image/png", READ_FORMATS),
                 id="content-type-image"),
    pytest.param(lambda: b"<html><body>Moved</body></html>", "invoice", "application/pdf", ("not a readable PDF",),
                 id="content-type-pdf-without-pdf"),
    pytest.param(lambda: b"", "blank.txt", None, ("empty document",), id="empty"),
    pytest.param(lambda: b" \n\t\n ", "spaces.txt", None, ("empty document",), id="whitespace-only"),
]


@pytest.mark.parametrize(("make", "name", "content_type", "reasons"), REFUSALS)
def test_what_cannot_be_read_is_refused_with_its_reason_and_the_file_named(
    make: Callable[[], bytes], name: str, content_type: str | None, reasons: tuple[str, ...]
) -> None:
    source = f"inbox/{name}"
    with pytest.raises(InvalidInput) as refused:
        extract_text(make(), source, content_type)
    message = str(refused.value)
    assert message.startswith(f"{source}: "), message
    for reason in reasons:
        assert reason in message, message


READINGS = [
    pytest.param(lambda: text_pdf(*PAGES), "q3.pdf", None, None, "pdf", None, PAGES, id="text-pdf"),
    pytest.param(lambda: text_pdf(*PAGES), "q3.txt", None, None, "pdf", None, PAGES, id="pdf-named-txt"),
    pytest.param(lambda: text_pdf(*PAGES), "download", "application/pdf", None, "pdf", None, PAGES,
                 id="content-type-pdf"),
    pytest.param(lambda: encrypted_pdf("", "owner-only"), "locked.pdf", None, None, "pdf", None, PAGES,
                 id="owner-password-only-pdf"),
    pytest.param(lambda: PAGE.encode(), "aerosense.html", None, None, "html", "utf-8", ARTICLE, id="html"),
    pytest.param(lambda: PAGE.replace("<!DOCTYPE html>", "").encode(), "https://shop.test/p/3", "text/html", None,
                 "html", "utf-8", ARTICLE, id="content-type-html"),
    pytest.param(lambda: b"# Visit notes\n\n- Rotterdam on *Monday*\n- Hamburg on Friday\n", "notes.md", None, None,
                 "markdown", "utf-8", ("# Visit notes\n\n- Rotterdam on *Monday*",), id="markdown"),
    pytest.param(lambda: LATIN.encode("latin-1"), "brief.txt", None, None, "text", "cp1252", (LATIN,), id="latin-1"),
    pytest.param(lambda: CP1252.encode("cp1252"), "quittung.txt", None, None, "text", "cp1252", (CP1252,),
                 id="cp1252-quotes-and-euro"),
    pytest.param(lambda: LATIN.encode("utf-16"), "brief-utf16.txt", None, None, "text", "utf-16", (LATIN,),
                 id="utf-16-bom"),
    pytest.param(lambda: codecs.BOM_UTF8 + CP1252.encode(), "bom.txt", None, None, "text", "utf-8-sig", (CP1252,),
                 id="utf-8-bom"),
    pytest.param(lambda: "Привет из Осло: поставка прибудет в пятницу.".encode("koi8_r"), "https://ru.test/note",
                 "text/plain", "koi8-r", "text", "koi8-r", ("Привет из Осло: поставка прибудет в пятницу.",),
                 id="http-charset"),
]


@pytest.mark.parametrize(("make", "source", "content_type", "charset", "text_format", "encoding", "phrases"),
                         READINGS)
def test_each_format_is_read_as_a_person_reads_it(
    make: Callable[[], bytes], source: str, content_type: str | None, charset: str | None, text_format: str,
    encoding: str | None, phrases: tuple[str, ...]
) -> None:
    extracted = extract_text(make(), source, content_type, charset)
    assert (extracted.format, extracted.encoding) == (text_format, encoding)
    for phrase in phrases:
        assert phrase in extracted.text, extracted.text
    assert not PDF_SYNTAX.search(extracted.text) and not extracted.text.startswith("\ufeff")
    if text_format == "html":
        noise = ("<", "dataLayer", "function", "display:", "Shop all sensors", "Support centre", "rights reserved",
                 "cookie")
        assert not [word for word in noise if word in extracted.text], extracted.text


def test_a_word_document_is_read_in_order_with_every_cell_of_its_table() -> None:
    extracted = extract_text(word_document(), "visit.docx")
    assert (extracted.format, extracted.encoding) == ("docx", None)
    assert extracted.text.split("\n\n") == [
        "Site visit report", "Ms. Priya Raman visited the Rotterdam terminal on 14 March 2026.",
        "Site | Trucks | Trains", "Rotterdam | 40 | 40", "Hamburg (closed for works) | 0",
        "The next visit is planned for Hamburg in May."]


EXAMPLE_PHRASES = {
    "13-delivery-note-latin1.txt": "Große Elbstraße 210", "14-master-services-agreement.txt": "Fjordline Escrow Bank",
    "15-quarterly-report.pdf": "Revenue rose 14% to £18.4 million", "16-onboarding-guide.docx": "Tuesday | 10:00",
    "17-product-page.html": "at a price of €349",
}
"""A phrase that each of the newer example documents must yield, read as a person reads it."""


@pytest.mark.parametrize("path", sorted(p for p in EXAMPLES.iterdir() if p.is_file() and p.name != SCANNED),
                         ids=lambda path: path.name)
def test_every_example_document_reads_as_text_without_markup(path: Path) -> None:
    extracted = extract_text(path.read_bytes(), str(path))
    assert extracted.text.strip()
    assert not MARKUP.search(extracted.text) and not PDF_SYNTAX.search(extracted.text)
    assert EXAMPLE_PHRASES.get(path.name, "") in extracted.text


def test_the_scanned_example_receipt_is_refused_for_want_of_a_text_layer() -> None:
    with pytest.raises(InvalidInput, match=f"{SCANNED}: a PDF with no text layer .*OCR"):
        extract_text((EXAMPLES / SCANNED).read_bytes(), str(EXAMPLES / SCANNED))
