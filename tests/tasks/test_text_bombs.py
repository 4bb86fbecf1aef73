"""Text bombs: files of a few kilobytes whose text expands to tens of millions of characters are refused while they
are read, at the cap on a document's characters (AGENTIC_MAX_DOCUMENT_CHARACTERS); the chunker never plans more parts
than AGENTIC_MAX_DOCUMENT_PARTS; a document its pipeline's shared budget cannot cover is refused before its first
model call.

The bombs are built here: a PDF of 100 pages that all draw ONE content stream of 1 MB of text operators (16 KB on
disk, 100 million characters of text), and a .docx whose body repeats one paragraph 300,000 times (about 290 KB,
56 million characters). Before the caps, the PDF took 43.5 s to read to its 100 million characters, the .docx
1,177 MiB. Each is read at the default caps in a fresh process (MEASURE), which reports the CPU and wall seconds the
read took and how far its resident set rose (the kernel's high-water mark, reset just before the read). Measured on
a loaded 2-core machine: the PDF is refused after 0.67-0.73 s of CPU (1.9-2.0 s wall) and 5.5 MiB, the .docx after
0.39-0.67 s of CPU (1.2-1.8 s wall) and 14-15 MiB. The bound asserted is on CPU seconds, which other processes on
the machine do not inflate; the wall time is printed beside it.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from agentic_kit._blocks.budget_ledger import period_row
from agentic_kit._blocks.dead_letters import BUDGET_ERROR_TYPE, DeadLetters
from agentic_kit._blocks.model_budget import ModelBudget
from agentic_kit._blocks.sql import utc_now
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tokenizers import EstimatedCounter
from agentic_kit._domain.errors import InvalidInput
from agentic_kit._domain.models.documents import Document
from agentic_kit._domain.settings import Settings
from agentic_kit._steps.text_extraction import _row_text, extract_text
from flows.document_pipeline import document_pipeline
from tasks.documents.chunking import estimated_parts, split_document, split_text
from tasks.documents.report import PipelineReport
from tests.conftest import run_python
from tests.support.budgets import saved_budget
from tests.tasks.test_text_extraction import EXAMPLES, word_document

CAP = Settings().max_document_characters
"""The default cap on a document's characters, which the bombs meet."""
MAX_CPU_SECONDS = 2.0
MAX_GROWTH_MIB = 50.0
TEXT_LINE = b"(" + b"Lorem ipsum dolor sit amet " * 36 + b") Tj T*\n"
"""One line of text operators: a string of 972 characters shown, then the next line."""
PARAGRAPH = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et "
             "dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco.")
W_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MEASURE = """
import json, re, resource, sys, time
from pathlib import Path
from agentic_kit._domain.errors import InvalidInput
from agentic_kit._steps.text_extraction import extract_text

def kib(field):
    return int(re.search(rf"^{field}:\\s+(\\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE).group(1))

for path in sys.argv[1:]:  # first a small file of its kind: pypdf and python-docx import parts on first use
    raw = Path(path).read_bytes()
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM back to the resident set (Linux 4.0 and later)
    resident, usage, start = kib("VmRSS"), resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    try:
        outcome = f"read {len(extract_text(raw, Path(path).name).text):,} characters"
    except InvalidInput as exc:
        outcome = f"refused: {exc}"
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
print(json.dumps({"outcome": outcome, "cpu_seconds": round(cpu, 3), "wall_seconds": round(wall, 3),
                  "growth_mib": round((kib("VmHWM") - resident) / 1024, 1), "file_bytes": len(raw)}))
"""
"""Reads each file named at the default caps, as the pipeline's validate does (extract_text), and prints how the
last one ended: its CPU and wall seconds and how far the process's resident set rose (its high-water mark, reset
just before)."""


def shared_stream_pdf(pages: int = 100, stream_bytes: int = 1_000_000) -> bytes:
    """A PDF whose pages all draw ONE content stream of about stream_bytes of text operators (as many characters of
    text each) in Helvetica, which every page inherits from the page tree: deflated, 16 KB for 100 pages."""
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 10 Tf 12 TL 72 720 Td\n" + TEXT_LINE * max(1, stream_bytes // len(TEXT_LINE)) + b"ET\n")
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        del writer.add_blank_page(612, 792)[NameObject("/Resources")]
    first = writer.pages[0]
    first.replace_contents(content.flate_encode(level=9))
    for page in writer.pages[1:]:
        page[NameObject("/Contents")] = first.raw_get("/Contents")  # the same stream object, not a copy
    helvetica = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                  NameObject("/Subtype"): NameObject("/Type1"),
                                  NameObject("/BaseFont"): NameObject("/Helvetica")})
    writer.root_object["/Pages"][NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): helvetica})})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def repeated_paragraph_docx(paragraphs: int) -> bytes:
    """A .docx (python-docx's own package) whose body is one paragraph repeated `paragraphs` times, deflated as it is
    written: 300,000 repeats are 56 million characters in about 290 KB."""
    template = io.BytesIO()
    docx.Document().save(template)
    paragraph = f"<w:p><w:r><w:t>{PARAGRAPH}</w:t></w:r></w:p>".encode()
    output = io.BytesIO()
    with zipfile.ZipFile(template) as source, \
            zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for member in source.infolist():
            if member.filename != "word/document.xml":
                bomb.writestr(member, source.read(member.filename))
        with bomb.open("word/document.xml", "w") as xml:
            xml.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                      f'<w:document xmlns:w="{W_NAMESPACE}"><w:body>'.encode())
            for start in range(0, paragraphs, 1000):
                xml.write(paragraph * min(1000, paragraphs - start))
            xml.write(b"</w:body></w:document>")
    return output.getvalue()


def _measured(tmp_path: Path, name: str, bomb: bytes, small: bytes) -> dict[str, Any]:
    """The figures of reading `bomb` in a fresh process."""
    (tmp_path / name).write_bytes(bomb)
    (tmp_path / f"small-{name}").write_bytes(small)
    process = run_python("-c", MEASURE, str(tmp_path / f"small-{name}"), str(tmp_path / name))
    assert process.returncode == 0, process.stderr[-3000:]
    figures: dict[str, Any] = json.loads(process.stdout.strip().splitlines()[-1])
    print(f"{name}: {figures}")
    return figures


def _refused_at_the_cap(figures: dict[str, Any], name: str) -> None:
    outcome = figures["outcome"]
    read = re.fullmatch(rf"refused: {re.escape(name)}: more than {CAP:,} characters of text \(read ([\d,]+) before "
                        r"stopping\); raise AGENTIC_MAX_DOCUMENT_CHARACTERS or the flow's max_document_characters to "
                        r"read it", outcome)
    assert read is not None, outcome
    assert CAP < int(read.group(1).replace(",", "")) < CAP + 1_100_000, "stopped within a page (1M characters) of it"
    assert figures["cpu_seconds"] < MAX_CPU_SECONDS, f"{name} took {figures} to refuse"
    assert figures["growth_mib"] < MAX_GROWTH_MIB, f"{name} grew the process by {figures}"


def test_a_pdf_whose_100_pages_share_one_content_stream_is_refused_at_the_cap(tmp_path: Path) -> None:
    bomb = shared_stream_pdf()
    assert len(bomb) < 20_000, "an 18.8 KB-class file"
    figures = _measured(tmp_path, "shared-stream.pdf", bomb, shared_stream_pdf(pages=1, stream_bytes=2_000))
    _refused_at_the_cap(figures, "shared-stream.pdf")


def test_a_docx_of_one_paragraph_repeated_300000_times_is_refused_at_the_cap(tmp_path: Path) -> None:
    bomb = repeated_paragraph_docx(300_000)
    assert len(bomb) < 400_000, "a 370 KB-class file"
    figures = _measured(tmp_path, "repeated.docx", bomb, repeated_paragraph_docx(3))
    _refused_at_the_cap(figures, "repeated.docx")


def test_documents_just_under_the_cap_are_read_whole() -> None:
    page = extract_text(shared_stream_pdf(pages=1), "page.pdf").text
    four_pages = extract_text(shared_stream_pdf(pages=4), "four.pdf").text
    assert len(page) > 900_000 and four_pages == "\n\n".join([page] * 4) and len(four_pages) <= CAP

    paragraphs = (CAP + 2) // (len(PARAGRAPH) + 2)
    text = extract_text(repeated_paragraph_docx(paragraphs), "long.docx").text
    assert text == "\n\n".join([PARAGRAPH] * paragraphs) and CAP - len(PARAGRAPH) - 2 < len(text) <= CAP


def _python_docx_text(raw: bytes) -> str:
    """A .docx's text as python-docx reads it whole: the reading the streamed one must give."""
    blocks: list[str] = []
    for item in docx.Document(io.BytesIO(raw)).iter_inner_content():
        blocks.extend([_row_text(row) for row in item.rows] if isinstance(item, docx.table.Table) else [item.text])
    return "\n\n".join(block for block in blocks if block.strip())


def _tabs_breaks_and_a_link() -> bytes:
    """A .docx whose paragraphs hold a tab, a line break and a hyperlink's run (python-docx reads all three)."""
    document = docx.Document()
    document.add_paragraph().add_run("Contact:\tPriya Raman").add_break()
    paragraph = document.add_paragraph("See ")
    link = docx.oxml.parse_xml(f'<w:hyperlink xmlns:w="{W_NAMESPACE}"><w:r><w:t>the handbook</w:t></w:r></w:hyperlink>')
    paragraph._p.append(link)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


@pytest.mark.parametrize("make", [word_document, _tabs_breaks_and_a_link,
                                  lambda: (EXAMPLES / "16-onboarding-guide.docx").read_bytes()],
                         ids=["tables", "tabs-breaks-links", "example"])
def test_a_streamed_docx_reads_as_python_docx_reads_it_whole(make: Callable[[], bytes]) -> None:
    raw = make()
    assert extract_text(raw, "streamed.docx").text == _python_docx_text(raw)


@pytest.mark.parametrize(("raw", "source"), [
    pytest.param(b"a" * 1_000, "notes.txt", id="utf-8"),
    pytest.param("\u00e9".encode("cp1252") * 1_000, "brief.txt", id="cp1252-guessed"),
    pytest.param("\u00e9".encode("utf-16") + "\u00e9".encode("utf-16-le") * 999, "utf16.txt", id="utf-16-bom"),
])
def test_a_text_is_capped_as_it_is_decoded(raw: bytes, source: str) -> None:
    assert len(extract_text(raw, source, max_characters=1_000).text) == 1_000, "exactly at the cap: read"
    with pytest.raises(InvalidInput, match=re.escape(f"{source}: more than 999 characters of text (read 1,000 ")):
        extract_text(raw, source, max_characters=999)


def test_an_html_page_is_capped_on_its_decoded_markup() -> None:
    page = ("<html><body><main><p>" + "Northwind Traders ships freight to Hamburg. " * 50 + "</p></main></body></html>")
    assert "Northwind" in extract_text(page.encode(), "page.html", max_characters=len(page)).text
    with pytest.raises(InvalidInput, match=r"page\.html: more than 2,000 characters of text"):
        extract_text(page.encode(), "page.html", max_characters=2_000)


class _NoCounting:
    """A token counter the chunker must not use: the estimate refuses before anything is counted."""

    name = "none"

    def count(self, text: str) -> int:
        raise AssertionError("the text was counted: the estimate should have refused it before splitting")


def test_the_chunker_never_plans_more_parts_than_the_cap() -> None:
    counter, room = EstimatedCounter(), 1_000
    long = Document.from_text("A sentence of the agreement, clause by clause. " * 20_000, "long.txt")
    assert estimated_parts(len(long.text), room) > 200
    with pytest.raises(InvalidInput, match=r"long\.txt: about [\d,]+ parts of 1,000 tokens at this model's window, "
                                           r"over the limit of 200 parts; raise AGENTIC_MAX_DOCUMENT_PARTS"):
        split_document(long, _NoCounting(), room, max_parts=200)

    dense = Document.from_text(" ".join(f"Item {n:05d}: 7.{n % 97:02d} kg at 3.{n % 89:02d} EUR." for n in range(600)),
                               "ledger.txt")
    exact = len(split_text(dense.text, counter, room))
    assert estimated_parts(len(dense.text), room) < exact, "token-dense text: the estimate errs low"
    cap = exact - 1
    assert estimated_parts(len(dense.text), room) <= cap
    assert len(split_text(dense.text, counter, room, max_parts=cap)) == cap + 1, "planning stops one part past it"
    with pytest.raises(InvalidInput, match=rf"ledger\.txt: more than {cap} parts of 1,000 tokens"):
        split_document(dense, counter, room, max_parts=cap)
    assert len(split_document(dense, counter, room, max_parts=exact)) == exact, "exactly at the cap: read"


async def test_a_run_rejects_documents_over_its_caps_before_any_model_call() -> None:
    over_characters, over_parts = "Kestrel Freight signed. " * 3_000, "Amara Okafor met Lukas Brandt. " * 1_600
    state = await document_pipeline(texts=[over_characters, over_parts, "Amara Okafor met Lukas Brandt in Hamburg."],
                                    sources=["long.txt", "parts.txt", "short.txt"], max_document_characters=60_000,
                                    max_document_parts=1, return_state=True)
    report = await state.aresult(raise_on_failure=False)
    assert isinstance(report, PipelineReport) and state.is_completed(), state.message
    outcomes = {o.source: o for o in report.outcomes}
    assert outcomes["short.txt"].status == "processed"
    for source, reason in (("long.txt", "more than 60,000 characters of text (read 72,000 before stopping)"),
                           ("parts.txt", "about 2 parts of ")):
        outcome = outcomes[source]
        assert (outcome.status, outcome.failed_step, outcome.model_calls) == ("rejected", "validate", 0), outcome
        assert outcome.error is not None and outcome.error.startswith(f"{source}: {reason}"), outcome.error
    assert "over the limit of 1 parts; raise AGENTIC_MAX_DOCUMENT_PARTS" in str(outcomes["parts.txt"].error)
    assert report.usage.calls == outcomes["short.txt"].model_calls


async def test_a_document_the_budget_cannot_cover_fails_at_validate_before_its_first_call() -> None:
    text = "Amara Okafor of Northwind Traders met Lukas Brandt in Hamburg to sign a freight contract. " * 40
    budget = ModelBudget(pipeline=document_pipeline.name, max_tokens=2_000, period_start=utc_now())
    async with saved_budget(budget):
        state = await document_pipeline(texts=[text], sources=["contract.txt"], return_state=True)
    report = await state.aresult(raise_on_failure=False)
    assert isinstance(report, PipelineReport) and state.is_failed()
    (outcome,) = report.outcomes
    assert (outcome.status, outcome.failed_step, outcome.model_calls) == ("failed", "validate", 0), outcome
    assert outcome.error is not None and re.match(
        r"BudgetExhausted: contract\.txt: reading it takes at least 3 model calls sending [\d,]+ tokens "
        r"\(\$0\.0000\); the document-pipeline budget of 2,000 tokens a day has 2,000 tokens left until ",
        outcome.error), outcome.error
    assert report.usage.calls == 0
    store = PipelineStore.from_environment()
    (letter,) = DeadLetters(store).list(status="open")
    assert (letter.error_type, letter.step, letter.document_id) == (BUDGET_ERROR_TYPE, "validate", outcome.document_id)
    period = period_row(store, document_pipeline.name, budget.period_bounds(utc_now())[0])
    assert period is not None and (period.refused, period.calls) == (1, 0), "counted as a refused call is"

