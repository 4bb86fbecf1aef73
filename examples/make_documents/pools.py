"""The names, places and dates that the contract's fields are drawn from, and how they are written."""

from __future__ import annotations

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
ORDINALS = ("second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "tenth")

CUSTOMER_DOMAIN = "northwind-freight.example"
SUPPLIER_DOMAIN = "halvorsen-analytics.example"
CUSTOMER_PEOPLE = (("Ms. Priya Raman", "Chief Operating Officer"), ("Ms. Aisha Karimi", "General Counsel"),
                   ("Mr. Oluwaseun Adeyemi", "Head of Procurement"), ("Mr. James Whitfield", "Finance Director"),
                   ("Mr. Daniel Okafor", "Information Security Manager"),
                   ("Mr. Rafael Moreno", "Logistics Systems Lead"), ("Ms. Hannah Becker", "Head of Warehousing"))
SUPPLIER_PEOPLE = (("Dr. Ingrid Halvorsen", "Managing Director"), ("Mr. Tomas Eriksen", "Head of Service Delivery"),
                   ("Ms. Chiara Bellini", "Data Protection Officer"), ("Dr. Henrik Vogel", "Chief Technology Officer"),
                   ("Ms. Mette Solberg", "Account Manager"), ("Ms. Sophie Lindqvist", "Service Manager"),
                   ("Mr. Lars Nygaard", "Lead Data Scientist"))
PLACES = ("London", "Hamburg", "Oslo", "Rotterdam", "Antwerp", "Gothenburg", "Felixstowe", "Bergen", "Bremerhaven",
          "Manchester", "Copenhagen", "Dublin", "Stavanger")
DATA_CENTRES = ("Frankfurt", "Hamburg", "Oslo", "Amsterdam", "Dublin", "Stockholm")
ORGANISATIONS = ("Nordhavn Hosting GmbH", "Cobalt Cloud Services Inc", "Keller Datentechnik GmbH",
                 "Pinecrest Software Inc", "Kestrel Translation Ltd", "Rhine Valley Security GmbH",
                 "Solent Data Recovery Ltd")
ADDRESSES = ("Unit 7, Thames Gateway Park, London RM9 6SL", "Waalhaven Zuidzijde 21, 3089 JH Rotterdam",
             "Am Sandtorkai 40, 20457 Hamburg", "Dronning Eufemias gate 16, 0191 Oslo",
             "Noorderlaan 147, 2030 Antwerp", "Kajvagen 4, 418 34 Gothenburg")
CLAUSE_REFERENCES = ("clause 4.4 (Service Credits)", "clause 8.1 (termination for breach)",
                     "clause 10.2 (limits of liability)", "clause 11.4 (notice of a Personal Data Breach)",
                     "clause 19.5 (audit)", "clause 9.1 (Exit Services)")


def email(name: str, domain: str) -> str:
    """The address of a person such as "Dr. Ingrid Halvorsen" at a domain: ingrid.halvorsen@domain."""
    return ".".join(name.split()[1:]).lower() + "@" + domain


def long_date(year: int, month: int, day: int) -> str:
    """A date as a contract writes it: 14 March 2026."""
    return f"{day} {MONTHS[month - 1]} {year}"
