"""The values of the contract's clause-template fields."""

from __future__ import annotations

import random
from collections.abc import Callable

from .pools import (
    ADDRESSES,
    CLAUSE_REFERENCES,
    CUSTOMER_DOMAIN,
    CUSTOMER_PEOPLE,
    DATA_CENTRES,
    MONTHS,
    ORDINALS,
    ORGANISATIONS,
    PLACES,
    SUPPLIER_DOMAIN,
    SUPPLIER_PEOPLE,
    WEEKDAYS,
    email,
    long_date,
)


class Filler(dict[str, str]):
    """The values of a clause template's fields, a fresh one at each use of a field, drawn from a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng
        self.last: dict[tuple[str, ...], str] = {}
        self.draws: dict[str, Callable[[], str]] = {
            "place": lambda: self.distinct(PLACES), "place2": lambda: self.distinct(PLACES),
            "place_eu": lambda: self.distinct(DATA_CENTRES),
            "person_c": lambda: self.person(CUSTOMER_PEOPLE, CUSTOMER_DOMAIN, False),
            "person_s": lambda: self.person(SUPPLIER_PEOPLE, SUPPLIER_DOMAIN, False),
            "contact_c": lambda: self.person(CUSTOMER_PEOPLE, CUSTOMER_DOMAIN, True),
            "contact_s": lambda: self.person(SUPPLIER_PEOPLE, SUPPLIER_DOMAIN, True),
            "org": lambda: rng.choice(ORGANISATIONS), "address": lambda: rng.choice(ADDRESSES),
            "eur": lambda: f"€{rng.randrange(20, 800) * 500:,}",
            "eur_small": lambda: f"€{rng.randrange(19, 96) * 50:,}",
            "eur_big": lambda: f"€{rng.randrange(4, 25) * 250_000:,}", "days": lambda: str(rng.randint(2, 15)),
            "days30": lambda: str(rng.choice((14, 21, 28, 30, 45))), "days90": lambda: str(rng.choice((60, 90, 120))),
            "hours": lambda: str(rng.choice((2, 4, 6, 8, 12, 16, 24, 36, 48))),
            "pct_low": lambda: f"{rng.randint(2, 15)}%", "date": lambda: self.date(2026, 2027),
            "date_late": lambda: self.date(2029, 2031),
            "month": lambda: rng.choice(MONTHS), "weekday": lambda: rng.choice(WEEKDAYS),
            "time": lambda: f"{rng.randint(6, 11):02d}:{rng.choice((0, 15, 30, 45)):02d}",
            "ordinal": lambda: rng.choice(ORDINALS), "n": lambda: str(rng.randint(6, 40)),
            "n_small": lambda: str(rng.randint(2, 5)), "years": lambda: str(rng.randint(2, 7)),
            "months": lambda: str(rng.choice((3, 6, 9, 12, 18, 24))), "clause": lambda: rng.choice(CLAUSE_REFERENCES),
            "cr": lambda: str(rng.randint(100, 400)),
        }

    def __missing__(self, key: str) -> str:
        return self.draws[key]()

    def distinct(self, pool: tuple[str, ...]) -> str:
        """One of pool, other than the one drawn from it just before (so that "{place} and {place2}" are two)."""
        self.last[pool] = self.rng.choice([item for item in pool if item != self.last.get(pool)])
        return self.last[pool]

    def person(self, people: tuple[tuple[str, str], ...], domain: str, with_email: bool) -> str:
        """A person with their role, and their email address when asked for."""
        name, role = self.rng.choice(people)
        return f"{name} ({role}, {email(name, domain)})" if with_email else f"{name}, {role}"

    def date(self, first_year: int, last_year: int) -> str:
        """A date in the years given."""
        return long_date(self.rng.randint(first_year, last_year), self.rng.randint(1, 12), self.rng.randint(1, 28))
