"""Example document 18: a scanned receipt, a PDF with no text layer."""

from __future__ import annotations

import random

from fpdf import FPDF

from .fixed import FIXED_TIME, SEED


def scanned_receipt_pdf() -> bytes:
    """A receipt as a scanner makes it: shapes only, no text layer, so the pipeline must refuse it."""
    rng = random.Random(SEED)
    pdf = FPDF(unit="mm", format=(80, 180))
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_creator("examples.make_documents")
    pdf.add_page()
    pdf.set_fill_color(236, 234, 228)
    pdf.rect(0, 0, 80, 180, style="F")
    pdf.set_fill_color(40, 40, 40)
    pdf.rect(22, 8, 36, 12, style="F")  # the shop's logo
    y = 28.0
    for _ in range(22):  # the printed lines, each a dark bar where the scan shows words
        pdf.rect(6, y, rng.uniform(18, 44), 2.2, style="F")
        pdf.rect(rng.uniform(56, 62), y, rng.uniform(10, 14), 2.2, style="F")
        y += rng.choice((4.5, 4.5, 6.0))
    pdf.set_draw_color(60, 60, 60)
    pdf.set_line_width(0.3)
    pdf.set_dash_pattern(dash=1.5, gap=1)
    pdf.line(4, y + 2, 76, y + 2)
    pdf.set_dash_pattern()
    pdf.rect(40, y + 6, 34, 5, style="F")  # the total, printed large
    x = 10.0
    while x < 70:  # the barcode
        width = rng.choice((0.3, 0.5, 0.8))
        pdf.rect(x, y + 18, width, 14, style="F")
        x += width + rng.choice((0.4, 0.6, 0.9))
    return bytes(pdf.output())
