"""Distinct synthetic documents (names, firms, places, figures vary), so every cache key differs, and a long one
whose pages each name their own company."""

from __future__ import annotations

import random
from pathlib import Path

SYLLABLES = ["ka", "lo", "mi", "te", "ru", "bo", "sa", "ne", "vi", "da", "ro", "li", "fa", "zu", "pe", "no",
             "ta", "gi", "me", "ya"]
FIRST = ["Amara", "Lukas", "Priya", "Daniel", "Ingrid", "Mei", "Tomas", "Sofia", "Kwame", "Elena",
         "Hiro", "Nadia", "Oscar", "Leila", "Rafael", "Greta", "Jonas", "Aisha", "Mateo", "Freya"]
LAST = ["Okafor", "Brandt", "Raman", "Whitcombe", "Halvorsen", "Foster", "Novak", "Rossi", "Mensah",
        "Petrova", "Tanaka", "Haddad", "Lindqvist", "Moreau", "Silva", "Keller", "Berg", "Osei"]
FIRMS = ["Northwind Traders Ltd", "Brightwater Systems Inc", "Halvorsen Analytics GmbH", "Kestrel Freight Ltd",
         "Meridian Capital Partners", "Coastline Grocers Ltd", "Aster Robotics Corp", "Bluefin Holdings"]
PLACES = ["Bristol", "Hamburg", "Portland", "Lisbon", "Cardiff", "Munich", "Dublin", "Toronto", "Oslo"]
PRODUCTS = ["ColdTrack", "Halvorsen Horizon", "FreshLedger", "PalletPulse", "ShelfSense"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def unique_name(index: int) -> str:
    """A made-up two-word name, different for every index below 8,000."""
    first = "".join(SYLLABLES[(index // 20**k) % 20] for k in range(3))
    last = "".join(SYLLABLES[(index * 7 + k * 3) % 20] for k in range(2)) + first[::-1]
    return f"{first.title()} {last.title()}"


def document(index: int, rng: random.Random) -> str:
    """One business note of a few sentences whose first name is its own, so its entities differ too."""
    person, other = unique_name(index), f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    firm, partner = rng.sample(FIRMS, 2)
    place, product = rng.choice(PLACES), rng.choice(PRODUCTS)
    amount, units = rng.randint(20, 990) / 10, rng.randint(3, 400)
    date = f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2019, 2025)}"
    return (
        f"{person} of {firm} met {other} of {partner} in {place} on {date} (reference BX-{index:06d}).\n\n"
        f"They agreed that {firm} will buy {units} units of {product} for ${amount} million, "
        f"delivered to the {place} warehouse within {rng.randint(2, 26)} weeks. "
        f"{other} said the first pilot cut spoilage by {rng.randint(2, 40)} percent. "
        f"Questions go to {person.split()[0].lower()}.{index}@example.com before the board meets again. "
        f"The contract runs for {rng.randint(1, 5)} years and renews unless either side objects in writing.\n"
    )


def write_documents(folder: Path, count: int, seed: int = 0) -> Path:
    """Write count distinct documents into folder (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    width = len(str(count))
    for index in range(count):
        (folder / f"doc-{index:0{width}d}.txt").write_text(document(index, rng))
    return folder


FILLER = ["The parties confirm the schedule of deliveries for the quarter and the terms of payment that apply", "Each invoice is due thirty days after receipt and carries the reference of the order it settles", "Late payment accrues interest at two percent above the base rate until the sum is paid in full", "The supplier keeps records of every shipment and makes them available on reasonable notice", ""]


def page_company(page: int) -> str:
    """The company a page names (pages count from 1)."""
    return f"Ledger-{page:03d} Ltd"


def long_document(pages: int = 300, seed: int = 7) -> str:
    """A document of `pages` pages of about 1,500 characters, page N naming page_company(N) in its first line."""
    rng = random.Random(seed)
    text = []
    for page in range(1, pages + 1):
        sentences = [rng.choice(FILLER).strip().rstrip(".") + "." for _ in range(12)]
        text.append(f"Page {page}. This page records the account of {page_company(page)} with the fund.\n\n"
                    + " ".join(sentences[:6]) + "\n\n" + " ".join(sentences[6:]))
    return "\n\n".join(text)


def write_long_document(folder: Path, pages: int) -> Path:
    """Write one long_document of `pages` pages into folder (created) and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"ledger-{pages}-pages.txt").write_text(long_document(pages))
    return folder
