"""Example document 16: an onboarding guide as a Word .docx file."""

from __future__ import annotations

import io
import zipfile

import docx

from .fixed import FIXED_TIME

ZIP_TIME = (2026, 3, 14, 9, 0, 0)


def onboarding_guide_docx() -> bytes:
    """A Word onboarding guide with headings, paragraphs and one table, with fixed dates throughout."""
    document = docx.Document()
    properties = document.core_properties
    properties.title, properties.author = "Onboarding Guide", "Ms. Fiona MacLeod"
    properties.last_modified_by, properties.revision = "Ms. Fiona MacLeod", 1
    properties.created = properties.modified = properties.last_printed = FIXED_TIME.replace(tzinfo=None)
    document.add_heading("Welcome to Kestrel Harbour Services Ltd", level=0)
    document.add_paragraph(
        "This guide is for everyone joining our Edinburgh office at Ocean Point, Leith, in February 2026. Your first "
        "day is Monday 2 February 2026; please arrive at 09:00 and ask at reception for Ms. Fiona MacLeod, Head of "
        "People, who will show you round.")
    document.add_heading("Before your first day", level=1)
    document.add_paragraph(
        "Send a copy of your passport or driving licence to people@kestrel-harbour.example so that we can confirm "
        "your right to work. Mr. Arjun Mehta of the IT service desk will post your laptop to your home address in "
        "the week before you start.")
    document.add_heading("Your first week", level=1)
    document.add_paragraph("Each day of the first week has a short programme, set out in the table below.")
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Day", "Time", "Activity", "Contact")):
        cell.text = text
    for row in ONBOARDING_WEEK:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    document.add_heading("Working with us", level=1)
    document.add_paragraph(
        "Our office is open from 08:00 to 18:00, Monday to Friday. Most teams work from the office on Tuesdays and "
        "Thursdays and from home on the other days. Expenses are claimed through the finance portal and approved by "
        "your line manager.")
    document.add_paragraph(
        "If you have questions about pay, pensions or holidays, write to Ms. Fiona MacLeod. For anything about your "
        "laptop, accounts or phone, contact Mr. Arjun Mehta on extension 4410.")
    saved = io.BytesIO()
    document.save(saved)
    return _fixed_zip(saved.getvalue())


ONBOARDING_WEEK = (
    ("Monday", "09:00", "Welcome, building tour and safety induction", "Ms. Fiona MacLeod"),
    ("Tuesday", "10:00", "Laptop set-up and systems training", "Mr. Arjun Mehta"),
    ("Wednesday", "11:30", "Visit to the Port of Leith operations room", "Mr. Ewan Stewart"),
    ("Thursday", "14:00", "Meeting with your line manager to agree objectives", "Your line manager"),
    ("Friday", "12:30", "Team lunch at The Shore", "Ms. Niamh Doyle"),
)


def _fixed_zip(raw: bytes) -> bytes:
    """A ZIP file's members rewritten in the same order with a fixed time, so that the bytes never change."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=ZIP_TIME)
            info.compress_type, info.create_system, info.external_attr = zipfile.ZIP_DEFLATED, 0, 0
            target.writestr(info, source.read(member))
    return output.getvalue()
