"""Write the generated example documents 14-18 into examples/documents/ (01-13 are written by hand).

Run `python -m examples.make_documents`. Every run writes the same bytes: the contract's variations come from a
seeded random generator, and the PDF and .docx files carry fixed dates (creation date, core properties, ZIP times).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .contract import contract_text
from .onboarding_guide import onboarding_guide_docx
from .product_page import PRODUCT_PAGE
from .quarterly_report import quarterly_report_pdf
from .scanned_receipt import scanned_receipt_pdf

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"

GENERATED: tuple[tuple[str, Callable[[], bytes]], ...] = (
    ("14-master-services-agreement.txt", lambda: contract_text().encode("utf-8")),
    ("15-quarterly-report.pdf", quarterly_report_pdf),
    ("16-onboarding-guide.docx", onboarding_guide_docx),
    ("17-product-page.html", lambda: PRODUCT_PAGE.encode("utf-8")),
    ("18-scanned-receipt.pdf", scanned_receipt_pdf),
)
"""The files this script writes, by name, and how each is made."""


def main() -> None:
    """Write each generated document and say what was written."""
    for name, make in GENERATED:
        raw = make()
        (DOCUMENTS / name).write_bytes(raw)
        words = f", {len(raw.decode('utf-8').split()):,} words" if name.endswith(".txt") else ""
        print(f"wrote examples/documents/{name}: {len(raw):,} bytes{words}")


if __name__ == "__main__":
    main()
