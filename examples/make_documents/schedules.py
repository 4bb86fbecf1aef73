"""The contract's eleven schedules, written from the facts in schedule_data."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from .pools import CUSTOMER_DOMAIN, CUSTOMER_PEOPLE, SUPPLIER_DOMAIN, SUPPLIER_PEOPLE, email, long_date
from .schedule_data import (
    CARRIERS,
    DATA_PARTICULARS,
    EXIT_STEPS,
    LANE_MODES,
    MILESTONES,
    MODULES,
    REPORTS,
    ROLES,
    SECURITY_REQUIREMENTS,
    SERVICE_LEVELS,
    SEVERITIES,
    SITES,
    SUBCONTRACTORS,
)

FIRST_GO_LIVE = date(2026, 6, 12)
"""When the first two sites (London and Rotterdam) go live; each further site follows a fortnight later."""


def _go_live(site: int, offset_days: int = 0) -> str:
    """The Service Commencement Date of a site (by its index in SITES), moved by offset_days."""
    day = FIRST_GO_LIVE + timedelta(days=14 * max(0, site - 1) + offset_days)
    return long_date(day.year, day.month, day.day)


def _service_description(rng: random.Random) -> list[str]:
    """Schedule 1: the modules of the Platform and the sites they serve."""
    paragraphs = ["Part A – Modules of the Platform"]
    paragraphs += [f"A.{number} {name}. The {name} module provides {description}. It is hosted in {{place_eu}} and "
                   f"supported by {{person_s}}; release notes for it are sent to {{contact_c}} at least {{days}} "
                   f"Business Days before any change." for number, (name, description) in enumerate(MODULES, 1)]
    paragraphs.append("Part B – Sites")
    for number, (site, city) in enumerate(SITES, start=1):
        modules = ", ".join(name for name, _ in rng.sample(MODULES, rng.randint(3, 6)))
        carriers = " and ".join(rng.sample(CARRIERS, 2))
        paragraphs.append(
            f"B.{number} The {site} in {city}. Service Commencement Date: {_go_live(number - 1)}. Expected volume: "
            f"{rng.randint(18, 240) * 100:,} container or trailer movements a month, carried mainly by {carriers}. "
            f"Modules: {modules}. Customer site lead: {{person_c}}. The Supplier's analyst for the site works from "
            f"{{place}}.")
    paragraphs += [
        "Part C – Integrations",
        ("C.1 The Customer's SAP S/4HANA system, for orders, invoices and master data, by a daily batch file and an "
        "hourly delta."),
        ("C.2 The Customer's warehouse management system at each site, for stock positions and dock appointments, by "
        "a message queue."),
        ("C.3 The port community systems Portbase (Rotterdam), DAKOSY (Hamburg) and NxtPort (Antwerp), for container "
        "status events."),
        "C.4 The telematics services of the carriers named in Part B, for vehicle positions every five minutes.",
        ("C.5 The customs systems of the United Kingdom, Germany and Norway, for the status of declarations made by "
        "the Customer's brokers."),
        "C.6 The Customer's identity provider, for single sign-on of its users, managed by {person_c}.",
        "Part D – Trade lanes forecast",
    ]
    cities = [city for _, city in SITES]
    for number in range(1, 17):
        origin, destination = rng.sample(cities, 2)
        paragraphs.append(
            f"D.{number} {origin} to {destination}: {rng.choice(LANE_MODES)}, about {rng.randint(12, 420)} units a "
            f"week, planned transit time {rng.randint(9, 96)} hours, main carrier {rng.choice(CARRIERS)}. The "
            f"forecast for the lane is reviewed with {{person_c}} every {rng.choice(('month', 'quarter'))}.")
    return paragraphs


def _service_levels(rng: random.Random) -> list[str]:
    """Schedule 2: severities, service levels and how service credits are worked out."""
    paragraphs = ["Part A – Severity of Incidents", *(f"A.{n} {text}" for n, text in enumerate(SEVERITIES, 1)),
                  "Part B – Service Levels"]
    for number, (name, target, measure) in enumerate(SERVICE_LEVELS, start=1):
        credit = rng.choice((1, 2, 2.5, 3, 4, 5))
        paragraphs.append(f"SL{number} {name}. Target: {target}. Measured from {measure}, and reported monthly. "
                          f"Service Credit: {credit}% of the Monthly Charges for the affected Service for each Service "
                          f"Period in which the target is missed.")
    paragraphs += [
        "Part C – Calculation of Service Credits",
        ("C.1 Service Credits are calculated for each Service Period separately and shown on the invoice for the "
        "following Service Period."),
        ("C.2 Where one Incident causes more than one Service Level to be missed, only the highest Service Credit "
        "applies."),
        ("C.3 By way of example, if availability in {month} is 99.1% against a target of 99.5% and the Monthly Charges "
        "for the Platform are €104,167, the Service Credit is 5% of that sum, that is €5,208."),
        ("C.4 No Service Credit is due for a failure caused by the Customer, by Permitted Maintenance or by a Force "
        "Majeure Event."),
    ]
    return paragraphs


def _charges(rng: random.Random) -> list[str]:
    """Schedule 3: recurring charges, rate card, milestones, termination fees and US charges."""
    paragraphs = [
        "Part A – Recurring Charges",
        ("A.1 Annual platform fee: €1,250,000 for the first Contract Year, payable in twelve monthly instalments of "
        "€104,167, the last adjusted to €104,163."),
    ]
    for number, (site, city) in enumerate(SITES, start=2):
        paragraphs.append(f"A.{number} Site charge for the {site}, {city}: €{rng.randrange(24, 190) * 100:,} a month "
                          f"from its Service Commencement Date, covering up to {rng.randint(20, 120)} named users.")
    paragraphs.append("Part B – Rate card for additional services")
    paragraphs += [f"B.{number} {role}: €{rate:,} a day, or £{round(rate * 0.86):,} a day for work done in the United "
                   f"Kingdom; travel time is charged at half the rate." for number, (role, rate) in enumerate(ROLES, 1)]
    paragraphs.append("Part C – Implementation fee of €386,500, payable by milestone")
    paragraphs += [f"C.{number} {name}: €{amount:,}, due on or after {long_date(*date)}."
                   for number, (name, amount, date) in enumerate(MILESTONES, start=1)]
    paragraphs += [
        "Part D – Termination fee on termination for convenience",
        ("D.1 In the first Contract Year: €420,000. In the second Contract Year: €280,000. In the third Contract "
        "Year: €140,000. Thereafter: nothing."),
        "D.2 The termination fee is reduced by any Service Credits paid in the twelve months before the notice.",
        "Part E – Charges in US dollars",
        ("E.1 Services for Northwind Freight Inc, 400 Harbor Boulevard, Newark NJ 07114: $48,000 per quarter, "
        "invoiced in advance to ap-us@northwind-freight.example."),
        "E.2 Additional analyst days for Northwind Freight Inc: $1,150 a day.",
    ]
    return paragraphs


def _governance(rng: random.Random) -> list[str]:
    """Schedule 4: key personnel, meetings and the forms for changes and statements of work."""
    paragraphs = ["Part A – Key personnel"]
    people = [(name, role, "Northwind Freight Ltd", CUSTOMER_DOMAIN, "London") for name, role in CUSTOMER_PEOPLE]
    people += [(name, role, "Halvorsen Analytics GmbH", SUPPLIER_DOMAIN, rng.choice(("Hamburg", "Oslo")))
               for name, role in SUPPLIER_PEOPLE]
    paragraphs += [f"A.{number} {name}, {role}, {company}, based in {office}, {email(name, domain)}."
                   for number, (name, role, company, domain, office) in enumerate(people, start=1)]
    paragraphs += [
        ("A.15 The Supplier shall not replace Dr. Henrik Vogel, Mr. Tomas Eriksen or Ms. Sophie Lindqvist during the "
        "first two Contract Years except for illness, resignation or dismissal."),
        "Part B – Meetings",
        ("B.1 Monthly service review: the Service Managers, in {place} or by video conference, in the second week of "
        "each month."),
        "B.2 Quarterly Steering Committee: in London, Hamburg or Oslo in turn, the first on {date}.",
        "B.3 Annual executive review: Ms. Priya Raman and Dr. Ingrid Halvorsen, each December, in London.",
        "Part C – Form of Change Request",
        ("C.1 A Change Request states its number, its author, the date, the change proposed, the reason for it, the "
        "sites affected, the effect on the Service Levels and the Charges, and the date by which a decision is "
        "needed."),
        "Part D – Form of Statement of Work",
        ("D.1 A Statement of Work states the project's scope, Deliverables, acceptance criteria, timetable, staff, "
        "price and payment milestones, and is signed by both Service Managers."),
    ]
    return paragraphs


def _subcontractors(rng: random.Random) -> list[str]:
    """Schedule 5: the subcontractors approved at the Effective Date."""
    return [f"{number}. {name}, {city}: {service}. "
            + ("Processes Personal Data as a subprocessor. " if personal else "Receives no Personal Data. ")
            + f"Approved on {long_date(2026, rng.randint(1, 3), rng.randint(1, 13))}; contract owner {{person_s}}."
            for number, (name, city, service, personal) in enumerate(SUBCONTRACTORS, start=1)]


def _data_processing(_: random.Random) -> list[str]:
    """Schedule 6: the particulars of the processing of Personal Data."""
    return [f"{number}. {name}: {text}." for number, (name, text) in enumerate(DATA_PARTICULARS, start=1)]


def _exit_plan(_: random.Random) -> list[str]:
    """Schedule 7: the steps of the exit and the confidentiality undertaking."""
    return ["Part A – Exit steps", *(f"A.{number} {step}" for number, step in enumerate(EXIT_STEPS, start=1)),
            "Part B – Confidentiality undertaking of a Replacement Supplier",
            ("B.1 The Replacement Supplier undertakes to Halvorsen Analytics GmbH to use the Supplier's documentation "
            "only to take over the Services, to disclose it only to its staff who need it, and to return or destroy "
            "it when the exit is complete.")]


def _implementation_plan(rng: random.Random) -> list[str]:
    """Schedule 8: when each site goes live, and the steps before and after."""
    paragraphs = [
        "1. This outline is the basis of the Implementation Plan. The dates below may move only by a Change Note.",
        ("2. Each site passes through discovery, integration, acceptance, training and go-live, followed by thirty "
        "days of hypercare in which the Supplier's analysts review every forecast before it is published."),
    ]
    for number, (site, city) in enumerate(SITES, start=3):
        index = number - 3
        paragraphs.append(
            f"{number}. The {site}, {city}. Discovery workshop: {_go_live(index, -56)}. Integrations ready for "
            f"acceptance: {_go_live(index, -21)}. Training of {rng.randint(8, 60)} users in {city}: week of "
            f"{_go_live(index, -7)}. Service Commencement Date: {_go_live(index)}. Hypercare until "
            f"{_go_live(index, 30)}, led by {{person_s}} with {{person_c}} for the Customer.")
    return paragraphs


def _reports(_: random.Random) -> list[str]:
    """Schedule 9: the reports the Supplier delivers, how often and to whom."""
    formats = ("PDF and Excel", "the reporting portal and CSV", "PDF")
    return [f"{number}. {name} ({frequency}): {content}. Sent to {{contact_c}} as {formats[number % len(formats)]}."
            for number, (name, frequency, content) in enumerate(REPORTS, start=1)]


def _security_requirements(_: random.Random) -> list[str]:
    """Schedule 10: the security measures the Supplier keeps throughout the term."""
    return [f"{number}. {requirement}" for number, requirement in enumerate(SECURITY_REQUIREMENTS, start=1)]


def _escrow(_: random.Random) -> list[str]:
    """Schedule 11, the last: the escrow of the Platform's source code, the only part that names the escrow bank."""
    return [
        ("1. The Escrow Agent is Fjordline Escrow Bank, Haakon VIIs gate 9, 0161 Oslo, Norway, acting through its "
        "software escrow department (escrow@fjordline-escrow.example)."),
        ("2. Within thirty days of the Effective Date the Supplier, the Customer and Fjordline Escrow Bank shall sign "
        "a three-party escrow agreement in the bank's standard form, amended to reflect this Schedule."),
        ("3. The deposit comprises the source code of the Platform, its build scripts, the database schemas, the "
        "deployment configuration and a written guide enabling a competent engineer to build and run the Platform."),
        ("4. Fjordline Escrow Bank shall verify each deposit by building the Platform from it, at least once in each "
        "Contract Year, and shall send its verification report to Ms. Priya Raman and Dr. Henrik Vogel."),
        ("5. The deposit shall be released to the Customer if the Supplier becomes insolvent, ceases to support the "
        "Platform, or fails to remedy a Severity 1 Incident within ten Business Days of a written demand."),
        ("6. The escrow fees of Fjordline Escrow Bank, currently €18,400 a year and €6,500 for each full "
        "verification, are shared equally between the Customer and the Supplier."),
        ("7. On release the Customer may use the deposit only to support and maintain the Platform for its own "
        "business and that of its Affiliates, for the rest of the term and any exit period."),
    ]


SCHEDULES: tuple[tuple[str, Callable[[random.Random], list[str]]], ...] = (
    ("SERVICE DESCRIPTION", _service_description), ("SERVICE LEVELS AND SERVICE CREDITS", _service_levels),
    ("CHARGES", _charges), ("GOVERNANCE, KEY PERSONNEL AND FORMS", _governance),
    ("APPROVED SUBCONTRACTORS", _subcontractors), ("DATA PROCESSING PARTICULARS", _data_processing),
    ("EXIT PLAN", _exit_plan), ("OUTLINE IMPLEMENTATION PLAN", _implementation_plan), ("REPORTS", _reports),
    ("SECURITY REQUIREMENTS", _security_requirements), ("SOURCE CODE ESCROW", _escrow),
)
"""The schedules in order; the escrow schedule comes last."""
