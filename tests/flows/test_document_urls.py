"""Documents by URL: fetched within the fetch policy, read by their content type, refused in plain words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fpdf import FPDF
from sqlmodel import Session, select

from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import DocumentRow
from agentic_kit.testing import EnrichmentServer, ModelServer
from agentic_kit.testing.page_server import Page, PageServer, redirect
from flows.document_pipeline import document_pipeline

PAGE = b"""<!doctype html><html><head><style>body { color: red }</style><script>trackVisitor();</script></head>
<body><nav><a href="/">Home</a> <a href="/shop">Shop</a></nav><article><h1>The Tidewater kettle</h1>
<p>Halvorsen Analytics GmbH released the Tidewater kettle in Hamburg on 3 March 2026 for 89 euros.</p>
<p>Dr. Ingrid Halvorsen said the kettle boils a litre in ninety seconds and switches itself off.</p>
</article><footer>Copyright 2026. This site uses cookies.</footer></body></html>"""


def _pdf() -> bytes:
    """A one-page text PDF."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "Quarterly note: Northwind Freight Ltd shipped 4,200 pallets from Rotterdam in May 2026.")
    return bytes(pdf.output())


@pytest.fixture
def pages(monkeypatch: pytest.MonkeyPatch) -> Iterator[PageServer]:
    with PageServer({
        "/kettle": Page(PAGE),
        "/note.pdf": Page(_pdf(), "application/pdf"),
        "/photo": Page(b"\x89PNG\r\n\x1a\n", "image/png"),
        "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
    }) as server:
        monkeypatch.setenv("AGENTIC_FETCH_ALLOWED_HOSTS", "127.0.0.1")
        yield server


async def test_urls_are_fetched_read_by_content_type_and_refused_in_plain_words(
    served_environment: tuple[ModelServer, EnrichmentServer], pages: PageServer
) -> None:
    urls = [pages.url(path) for path in ("/kettle", "/note.pdf", "/photo", "/to-metadata")]

    state = await document_pipeline(urls=urls, return_state=True)
    report = await state.aresult()

    assert state.is_completed(), state.message
    by_url = {o.source.rsplit("/", 1)[-1]: o for o in report.outcomes}
    assert {name: o.status for name, o in by_url.items()} == {
        "kettle": "processed", "note.pdf": "processed", "photo": "rejected", "to-metadata": "rejected"}
    assert (by_url["kettle"].format, by_url["note.pdf"].format) == ("html", "pdf")
    assert "content type image/png is not one the pipeline reads" in (by_url["photo"].error or "")
    assert "not fetched" in (by_url["to-metadata"].error or "") and "metadata" in (by_url["to-metadata"].error or "")
    with Session(PipelineStore.from_environment().engine()) as session:
        stored = {Path(row.source).name: row for row in session.exec(select(DocumentRow)).all()}
    kettle, note = stored["kettle"].text or "", stored["note.pdf"].text or ""
    assert "boils a litre in ninety seconds" in kettle and "Rotterdam" in note
    assert not any(markup in kettle for markup in ("<", "trackVisitor", "color: red", "cookies", "Shop"))
    assert not any(syntax in note for syntax in ("%PDF", "endobj", "/Type"))
    assert (stored["kettle"].format, stored["note.pdf"].format, stored["note.pdf"].encoding) == ("html", "pdf", None)
