"""Example document 14: the master services agreement, some 21,000 words of seeded variations."""

from __future__ import annotations

import random
from collections.abc import Iterator

from .clauses import ARTICLES, DEFINITIONS, FOLLOW_UPS, INTERPRETATION
from .filler import Filler
from .fixed import SEED
from .schedules import SCHEDULES


def contract_text() -> str:
    """The master services agreement: parties, definitions, clauses 3-30, signatures and eleven schedules."""
    rng = random.Random(SEED)
    fill = Filler(rng)
    follow_ups = _deck(rng, FOLLOW_UPS)
    paragraphs = ["MASTER SERVICES AGREEMENT", "Agreement No. NWF-HA-2026-014", *_parties(), ("2. DEFINITIONS AND "
                  "INTERPRETATION"), "2.1 In this Agreement the following words have the following meanings:"]
    paragraphs += [f'"{term}" means {meaning}.' if not meaning.startswith("has ") else f'"{term}" {meaning}.'
                   for term, meaning in DEFINITIONS]
    paragraphs += [f"2.{number} {text}" for number, text in enumerate(INTERPRETATION, start=2)]
    for number, (title, templates) in enumerate(ARTICLES, start=3):
        paragraphs.append(f"{number}. {title}")
        for sub, template in enumerate(templates, start=1):
            sentences = [template] + [next(follow_ups) for _ in range(rng.choice((1, 2, 3, 3)))]
            paragraphs.append(f"{number}.{sub} " + " ".join(sentences).format_map(fill))
    paragraphs += _signatures()
    for number, (title, schedule) in enumerate(SCHEDULES, start=1):
        paragraphs.append(f"SCHEDULE {number} – {title}")
        paragraphs += [paragraph.format_map(fill) for paragraph in schedule(rng)]
    return "\n\n".join(paragraphs) + "\n"


def _deck(rng: random.Random, items: tuple[str, ...]) -> Iterator[str]:
    """The items in a shuffled order, shuffled again each time all have been dealt."""
    while True:
        dealt = list(items)
        rng.shuffle(dealt)
        yield from dealt


def _parties() -> list[str]:
    """Clause 1: who signs, and why."""
    return [
        "1. PARTIES AND BACKGROUND",
        ("1.1 This Master Services Agreement (the \"Agreement\") is dated 14 March 2026 and is made between Northwind "
        "Freight Ltd, a company registered in England and Wales under number 09417263 whose registered office is at "
        "88 Canary Wharf Road, London E14 5AB (the \"Customer\"), and Halvorsen Analytics GmbH, a company registered "
        "with the local court of Hamburg under HRB 174520 whose office is at Große Elbstraße 145, 22767 Hamburg, "
        "Germany (the \"Supplier\")."),
        ("1.2 (A) The Customer runs road, rail and short-sea freight services between the United Kingdom, the "
        "Netherlands, Belgium, Germany and the Nordic countries, from thirteen sites including London, Rotterdam, "
        "Hamburg and Oslo."),
        ("(B) The Supplier develops and operates the Halvorsen Horizon platform for freight analytics and demand "
        "forecasting, and has offices in Hamburg and Oslo."),
        ("(C) Between 2 September 2024 and 28 February 2025 the Supplier ran a pilot of the Platform for the "
        "Customer's Rotterdam and Felixstowe sites, and the Customer now wishes to use the Platform across its "
        "network."),
        ("(D) Following a tender run by Mr. Oluwaseun Adeyemi for the Customer, in which Keller Datentechnik GmbH and "
        "Pinecrest Software Inc also took part, the Customer selected the Supplier on 9 January 2026."),
        "(E) The parties have agreed that the Supplier shall provide the Services on the terms of this Agreement.",
    ]


def _signatures() -> list[str]:
    """The signature block between the clauses and the schedules."""
    return [
        "SIGNED by the parties on 14 March 2026.",
        ("Signed for and on behalf of Northwind Freight Ltd by Ms. Priya Raman, Chief Operating Officer, in London. "
        "Witnessed by Ms. Aisha Karimi, General Counsel."),
        ("Signed for and on behalf of Halvorsen Analytics GmbH by Dr. Ingrid Halvorsen, Managing Director, in "
        "Hamburg. Witnessed by Dr. Henrik Vogel, Chief Technology Officer."),
    ]
