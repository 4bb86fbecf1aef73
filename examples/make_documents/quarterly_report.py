"""Example document 15: a quarterly report as a PDF with a text layer."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .fixed import FIXED_TIME


def quarterly_report_pdf() -> bytes:
    """A two-page quarterly report with a text layer, in Helvetica (Latin-1 only)."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_title("Tidewater Instruments Ltd - Quarterly Report Q3 2025")
    pdf.set_author("Tidewater Instruments Ltd")
    pdf.set_creator("examples.make_documents")
    pdf.set_margins(20, 20, 20)
    for page in REPORT_PAGES:
        pdf.add_page()
        for kind, text in page:
            pdf.set_font("Helvetica", "B" if kind != "p" else "", {"h1": 18, "h2": 13, "p": 11}[kind])
            pdf.multi_cell(0, {"h1": 10, "h2": 8, "p": 6}[kind], text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(3)
    return bytes(pdf.output())


REPORT_PAGES = (
    (("h1", "Tidewater Instruments Ltd"),
     ("h2", "Quarterly Report for the three months ended 30 September 2025"),
     ("p", ("Aberdeen, 12 November 2025. Tidewater Instruments Ltd, which designs and makes subsea pressure and "
           "temperature sensors for the offshore energy and aquaculture industries, today reports its results for "
           "the third quarter of 2025.")),
     ("h2", "Highlights"),
     ("p", ("Revenue rose 14% to £18.4 million, compared with £16.1 million in the third quarter of 2024. Operating "
           "profit was £2.9 million, up from £2.1 million, and the operating margin improved to 15.8%.")),
     ("p", ("The order book stood at £41.7 million on 30 September 2025, helped by a five-year supply agreement with "
           "Nordkapp Aquaculture AS of Tromsø worth £6.2 million, signed on 4 August 2025.")),
     ("p", ("Cash at the end of the quarter was £9.3 million after capital expenditure of £1.1 million on the new "
           "calibration laboratory at the Dyce site.")),
     ("h2", "Message from the Chief Executive"),
     ("p", ("Mr. Callum Fraser, Chief Executive, said: \"Our customers are replacing ageing sensors faster than we "
           "expected, and our new TX-40 range has won business in Norway and Canada. We delivered a record quarter "
           "while keeping our prices steady.\"")),
     ("h2", "Financial summary"),
     ("p", ("Revenue: £18.4 million (Q3 2024: £16.1 million)\nGross profit: £7.6 million (Q3 2024: £6.5 million)\n"
           "Operating profit: £2.9 million (Q3 2024: £2.1 million)\nProfit before tax: £2.6 million (Q3 2024: "
           "£1.8 million)\nEarnings per share: 11.2 pence (Q3 2024: 7.9 pence)"))),
    (("h2", "Review by segment"),
     ("p", ("Energy: revenue of £11.8 million, up 9%, as operators in the North Sea extended the life of existing "
           "fields. Deliveries to a new drilling contractor in Stavanger began in September.")),
     ("p", ("Aquaculture: revenue of £5.1 million, up 31%, driven by demand for oxygen and temperature monitoring in "
           "salmon farms in Norway, Scotland and the Faroe Islands.")),
     ("p", ("Services: revenue of £1.5 million, flat on last year, from calibration and repair work carried out in "
           "Aberdeen and at the service centre in Halifax, Nova Scotia.")),
     ("h2", "Outlook"),
     ("p", ("The board expects revenue for the full year 2025 of between £70 million and £73 million. The new "
           "calibration laboratory opens on 15 January 2026 and will double the company's testing capacity.")),
     ("p", ("Dr. Elspeth Munro, Chief Financial Officer, added: \"We will keep investing in research, which took "
           "6.1% of revenue this quarter, and we expect to pay an interim dividend of 3.5 pence per share on "
           "9 January 2026.\"")),
     ("h2", "Financial calendar"),
     ("p", ("Trading update for the fourth quarter: 21 January 2026\nFull-year results: 18 March 2026\n"
           "Annual general meeting: 14 May 2026, at the Granite Quay Hotel, Aberdeen")),
     ("h2", "Contacts"),
     ("p", ("Investor relations: Ms. Isla Campbell, investors@tidewater-instruments.example, +44 1224 555 0142\n"
           "Tidewater Instruments Ltd, 3 Wellheads Crescent, Dyce, Aberdeen AB21 7GA, Scotland"))),
)
"""The report's pages: (kind, text) blocks, where kind is h1, h2 or p."""
