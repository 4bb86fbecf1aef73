"""Write the generated example documents 14-18 into examples/documents/ (01-13 are written by hand).

Run `python -m examples.make_documents`. Every run writes the same bytes: the contract's variations come from a
seeded random generator, and the PDF and .docx files carry fixed dates (creation date, core properties, ZIP times).
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import docx
from fpdf import FPDF
from fpdf.enums import XPos, YPos

DOCUMENTS = Path(__file__).resolve().parent / "documents"
SEED = 20260314
"""Seeds the contract's variations, so that every run writes the same text."""
FIXED_TIME = datetime(2026, 3, 14, 9, 0, tzinfo=timezone.utc)
"""The creation and modification date written into the PDF and .docx files."""
ZIP_TIME = (2026, 3, 14, 9, 0, 0)
FIRST_GO_LIVE = date(2026, 6, 12)
"""When the first two sites (London and Rotterdam) go live; each further site follows a fortnight later."""
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


def _go_live(site: int, offset_days: int = 0) -> str:
    """The Service Commencement Date of a site (by its index in SITES), moved by offset_days."""
    day = FIRST_GO_LIVE + timedelta(days=14 * max(0, site - 1) + offset_days)
    return long_date(day.year, day.month, day.day)


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


ARTICLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("SERVICES", (
        "The Supplier shall provide the freight-analytics services described in Schedule 1 from the Service "
        "Commencement Date, including shipment tracking dashboards for the Customer's lanes between {place} and "
        "{place2}.",
        "The Supplier shall run the demand forecast for the Customer's container volumes every {weekday} by {time} "
        "Central European Time and publish it to the Customer's reporting portal.",
        "The Supplier shall provide up to forty hours of analyst support in each calendar month, delivered by named "
        "analysts working from the Supplier's office in {place}.",
        "The Customer may ask for additional reports or data feeds at any time. The Supplier shall answer each such "
        "request with a written proposal, stating the effort and the price, within {days} Business Days.",
        "The Supplier shall maintain the integrations with the Customer's warehouse management system and with the "
        "port community systems used at {place} and {place2}, and shall adapt them when those systems change.",
        "The Supplier shall train up to {n} members of the Customer's staff in each Contract Year, in sessions held "
        "in {place} or online, using training material approved in advance by {person_c}.",
        "The Supplier shall perform the Services with the skill, care and diligence expected of a leading provider of "
        "logistics analytics, in accordance with Good Industry Practice and the Policies.",
        "The Supplier shall not change the way in which the Services are delivered, or the location from which they "
        "are delivered, without the Customer's prior written consent, which shall not be unreasonably withheld.",
        "Where the Customer opens a new distribution hub, including the hub planned at {place} from {date}, the "
        "Supplier shall extend the Services to it on the terms of Schedule 3.",
    )),
    ("SERVICE LEVELS", (
        "The Supplier shall make the Platform available for at least 99.5% of the time in each Service Period, "
        "measured at the Customer's gateway in {place} and excluding Permitted Maintenance.",
        "Permitted Maintenance shall take place only between 01:00 and 05:00 UK time on Sundays, shall not exceed "
        "{hours} hours in any calendar month, and shall be announced at least {days} Business Days in advance.",
        "Each Incident shall be given a severity in accordance with Schedule 2. The Supplier shall acknowledge a "
        "Severity 1 Incident within 30 minutes and restore the affected Service within four hours.",
        "If the Supplier fails to meet a Service Level, the Customer shall be entitled to the Service Credits set out "
        "in Schedule 2, which shall be deducted from the next invoice.",
        "Service Credits in any Service Period shall not exceed {pct_low} of the Monthly Charges for that period, "
        "save that this cap shall not apply where the failure results from the Supplier's wilful default.",
        "The Supplier shall deliver a service level report to {person_c} by the {ordinal} Business Day of each "
        "month, showing performance against each Service Level and the root cause of each failure.",
        "Where a Service Level has been missed in three consecutive Service Periods, the Supplier shall prepare a "
        "remediation plan within {days} Business Days and present it to the Steering Committee.",
        "Service Credits are a price adjustment reflecting the reduced value of the Services and are without "
        "prejudice to the Customer's other rights and remedies.",
    )),
    ("FEES", (
        "In consideration of the Services the Customer shall pay the Charges set out in Schedule 3, which for the "
        "first Contract Year comprise an annual platform fee of €1,250,000.",
        "The Customer shall pay a one-time implementation fee of €386,500, of which fifty per cent is due on "
        "signature and the balance on acceptance of the integrations with the sites at {place} and {place2}.",
        "Analyst support beyond the hours included in the Monthly Charges shall be charged at the daily rates in "
        "Part B of Schedule 3, in units of one hour.",
        "Services delivered to the Customer's affiliate Northwind Freight Inc in the United States shall be charged "
        "at $48,000 per quarter, invoiced in US dollars.",
        "The Charges are fixed for the first two Contract Years. Thereafter the Supplier may increase them once in "
        "each Contract Year by no more than the change in the euro area HICP index for the preceding {month}, and in "
        "any event by no more than {pct_low}.",
        "All Charges are exclusive of value added tax, which the Customer shall pay at the applicable rate on receipt "
        "of a valid VAT invoice.",
        "Reasonable travel expenses shall be reimbursed only where travel to a site other than {place} has been "
        "approved in advance by {person_c}, and shall in no event exceed {eur_small} for a single visit.",
        "No Charges shall be payable for any Service that the Supplier has failed to provide, and the Supplier shall "
        "credit any such Charges already invoiced within {days} days.",
    )),
    ("INVOICING AND PAYMENT", (
        "The Supplier shall invoice the Monthly Charges monthly in arrears, on or after the last Business Day of "
        "each month, addressed to the Customer's accounts payable team at ap@northwind-freight.example.",
        "Each invoice shall state the purchase order number, the period to which it relates, the Services and "
        "Charges itemised by site, and any Service Credits deducted.",
        "The Customer shall pay each undisputed invoice within {days30} days of receipt, by bank transfer to the "
        "account notified in writing by the Supplier's finance department in Hamburg.",
        "If the Customer disputes an invoice in good faith, it shall notify the Supplier within {days} Business "
        "Days, giving its reasons, and shall pay the undisputed part in accordance with clause 6.3.",
        "Late payment shall bear interest at {pct_low} per annum above the main refinancing rate of the European "
        "Central Bank, accruing daily from the due date until payment is made.",
        "The Supplier shall not suspend the Services for non-payment unless an undisputed amount exceeding {eur} has "
        "remained unpaid for more than {days30} days after a written reminder to {person_c}.",
        "The Customer may set off against any sum due to the Supplier any amount that the Supplier owes to the "
        "Customer under this Agreement.",
        "Invoices in US dollars shall be paid from the Customer's account with Meridian Trust Bank in New York, and "
        "invoices in euro from its account with Baltic Clearing Bank in Hamburg.",
    )),
    ("TERM AND RENEWAL", (
        "This Agreement commences on the Effective Date and, unless terminated earlier, continues for an initial "
        "term of five years ending on 13 March 2031 (the \"Initial Term\").",
        "The Customer may extend the Initial Term by up to two further periods of twelve months each by giving the "
        "Supplier written notice at least {days90} days before the end of the then current term.",
        "The Service Commencement Date for the sites at London and Rotterdam shall be 12 June 2026, and for every "
        "other site the date set out in Schedule 8, unless the Implementation Plan sets a later date.",
        "If the Services at a site have not started {days30} days after its Service Commencement Date, the Customer "
        "may delay payment of the Charges for that site until they start.",
        "No renewal shall bind either party unless it is recorded in writing and signed by an authorised signatory "
        "of each party, who for the Customer is {person_c}.",
        "During the final six months of the term the parties shall meet at least monthly, in {place} or by video "
        "conference, to decide whether to renew, re-tender or bring the Services in-house.",
        "The expiry of this Agreement shall not affect the Services ordered under a Statement of Work then in "
        "progress, which shall continue until completed on the terms of this Agreement.",
    )),
    ("TERMINATION", (
        "Either party may terminate this Agreement with immediate effect by written notice if the other commits a "
        "material breach that cannot be remedied, or that is not remedied within {days30} days of a notice "
        "describing the breach.",
        "Either party may terminate this Agreement by written notice if the other becomes insolvent, has an "
        "administrator, receiver or liquidator appointed, or ceases to carry on business.",
        "The Customer may terminate this Agreement for convenience on not less than {days90} days' written notice, "
        "subject to payment of the termination fee in Part D of Schedule 3.",
        "The Customer may terminate this Agreement in whole or in part if the Supplier fails to meet the Service "
        "Level for Platform availability in any four Service Periods within a rolling twelve-month period.",
        "The Customer may terminate this Agreement by written notice if the Supplier comes under the control of a "
        "competitor of the Customer, provided that the notice is given within {days90} days of the Customer "
        "becoming aware of the change.",
        "The Supplier may terminate this Agreement only if undisputed Charges exceeding {eur} remain unpaid sixty "
        "days after a final demand sent to {contact_c}.",
        "A notice of termination shall name the clause relied on and the date on which termination takes effect, "
        "and shall be copied to the General Counsel of the receiving party.",
    )),
    ("CONSEQUENCES OF TERMINATION AND EXIT", (
        "On expiry or termination the Supplier shall provide the Exit Services set out in Schedule 7 for up to "
        "{months} months, at the rates in Schedule 3, so that the Services pass without interruption to the Customer "
        "or a Replacement Supplier.",
        "Within {days} Business Days after a notice of termination the Supplier shall deliver an updated exit plan "
        "to {person_c}, listing each data set, integration and report to be transferred.",
        "The Supplier shall return all Customer Data in a commonly used, machine-readable format, then delete it "
        "from its systems in {place_eu} and {place_eu} and certify the deletion in writing.",
        "The Supplier shall give any Replacement Supplier reasonable access to its staff and documentation, once "
        "the Replacement Supplier has signed a confidentiality undertaking in the form set out in Schedule 7.",
        "Clauses 9, 10, 11, 14, 15 and 30, and any other provision intended to survive, shall survive the expiry or "
        "termination of this Agreement.",
        "Termination shall not affect any rights or remedies that have accrued by the date of termination, "
        "including the right to claim damages for any breach that existed at or before that date.",
    )),
    ("LIMITATION OF LIABILITY", (
        "Nothing in this Agreement limits or excludes liability for death or personal injury caused by negligence, "
        "for fraud or fraudulent misrepresentation, or for any other liability that cannot be limited by law.",
        "Subject to clause 10.1, each party's total liability in each Contract Year arising under or in connection "
        "with this Agreement shall not exceed one hundred and fifty per cent of the Charges paid or payable in that "
        "Contract Year.",
        "Subject to clause 10.1, neither party shall be liable for loss of profits, loss of business, loss of "
        "goodwill or any indirect or consequential loss, however arising.",
        "The Supplier's liability for breach of clause 11 (Data Protection) or clause 14 (Confidentiality) shall be "
        "subject to a separate aggregate cap of {eur_big}.",
        "The following losses are recoverable by the Customer as direct losses: the cost of restoring lost Customer "
        "Data; the cost of procuring replacement services for up to {months} months; and regulatory fines to the "
        "extent that the law allows their recovery.",
        "Each party shall take reasonable steps to mitigate any loss for which it may claim, including, where the "
        "loss arises at a site such as {place}, by using the contingency arrangements in Schedule 7.",
        "No claim may be brought under this Agreement more than {years} years after the claimant became aware, or "
        "ought reasonably to have become aware, of the facts giving rise to it.",
    )),
    ("DATA PROTECTION", (
        "For Personal Data processed in the course of the Services the Customer is the controller and the Supplier "
        "is the processor. The particulars of the processing are set out in Schedule 6.",
        "The Supplier shall process Personal Data only on the documented instructions of the Customer, including as "
        "to transfers to a third country, unless the law requires otherwise, in which case it shall tell the "
        "Customer first.",
        "The Supplier shall host the Customer Data only in its data centres in {place_eu} and {place_eu}, and shall "
        "not transfer it outside the European Economic Area or the United Kingdom without the Customer's prior "
        "written consent.",
        "The Supplier shall notify the Customer's data protection team at privacy@northwind-freight.example without "
        "undue delay, and in any event within {hours} hours, after becoming aware of a Personal Data Breach.",
        "The Supplier shall ensure that every person authorised to process Personal Data is bound by a duty of "
        "confidentiality and has completed data protection training within the preceding twelve months.",
        "The Supplier shall assist the Customer, at no additional charge for up to {hours} hours in each Contract "
        "Year, in answering requests from data subjects and in carrying out data protection impact assessments.",
        "The Supplier's Data Protection Officer, Ms. Chiara Bellini (chiara.bellini@halvorsen-analytics.example), "
        "shall be the Customer's point of contact for all questions about the processing.",
        "The Customer may, on {days} Business Days' notice, audit the Supplier's compliance with this clause, itself "
        "or through an independent auditor bound by confidentiality, once in each Contract Year and at any time "
        "after a Personal Data Breach.",
    )),
    ("INFORMATION SECURITY", (
        "The Supplier shall hold ISO/IEC 27001 certification covering the whole of the Services throughout the "
        "term, and shall send a copy of each new certificate to {person_c} within {days} Business Days of its issue.",
        "The Supplier shall encrypt Customer Data in transit and at rest using industry-standard algorithms, and "
        "shall keep the encryption keys in a hardware security module located in {place_eu}.",
        "The Supplier shall commission an independent penetration test of the Platform at least once in each "
        "Contract Year, and shall remedy every critical finding within {days} days and every high finding within "
        "{days30} days.",
        "Access to the production environment shall be limited to named engineers of the Supplier in {place} and "
        "{place2}, shall require multi-factor authentication, and shall be logged.",
        "The Supplier shall keep security logs for at least {months} months and shall make them available on "
        "request to the Customer's security team, led by Mr. Daniel Okafor.",
        "The Supplier shall test its business continuity and disaster recovery plan at least twice a year, with a "
        "recovery time objective of {hours} hours and a recovery point objective of fifteen minutes.",
    )),
    ("SUBCONTRACTING AND ASSIGNMENT", (
        "The Supplier shall not subcontract any part of the Services without the Customer's prior written consent. "
        "The subcontractors listed in Schedule 5 are approved as at the Effective Date.",
        "The Supplier shall remain responsible for the acts and omissions of its subcontractors as if they were its "
        "own, and the approval of a subcontractor shall not relieve the Supplier of any obligation.",
        "Before engaging a new subprocessor of Personal Data the Supplier shall give the Customer at least {days30} "
        "days' notice, during which the Customer may object on reasonable grounds.",
        "Each subcontract shall contain terms on confidentiality, data protection, audit and information security "
        "that protect the Customer no less than those of this Agreement.",
        "The Supplier shall pay its subcontractors within {days30} days of receiving a valid invoice and shall "
        "include an equivalent payment term in each subcontract.",
        "The Customer's consent to the engagement of {org} for services delivered from {place} shall not extend to "
        "any affiliate of that company unless given separately in writing.",
        "Neither party may assign, novate or otherwise transfer this Agreement without the prior written consent of "
        "the other, save that the Customer may assign it to any member of the Northwind Freight group on notice.",
    )),
    ("CONFIDENTIALITY", (
        "Each party shall keep the other's Confidential Information confidential and shall use it only to perform "
        "its obligations or exercise its rights under this Agreement.",
        "A party may disclose Confidential Information to its employees, officers, professional advisers and "
        "subcontractors who need to know it, provided that they are bound by duties of confidentiality no less "
        "strict than this clause.",
        "This clause does not apply to information that is or becomes public other than through a breach of this "
        "Agreement, or that the recipient already held lawfully and without restriction.",
        "A party may disclose Confidential Information where the law, a court or a regulator requires it, provided "
        "that, where lawful, it gives the other party as much notice as it can.",
        "The terms of this Agreement, including the Charges, are Confidential Information of both parties. Neither "
        "party shall issue a press release about this Agreement without the approval of {person_c}.",
        "The duties in this clause continue for {years} years after the end of this Agreement, and without limit of "
        "time for trade secrets and Personal Data.",
    )),
    ("INTELLECTUAL PROPERTY AND ESCROW", (
        "All Intellectual Property Rights in the Platform and in the Supplier's forecasting models remain with the "
        "Supplier or its licensors.",
        "The Supplier grants the Customer and its Affiliates a non-exclusive, royalty-free licence to use the "
        "Platform and the Deliverables for their internal business purposes during the term and the exit period.",
        "All Intellectual Property Rights in the Customer Data and in reports prepared only for the Customer, "
        "including the lane profitability reports for {place} and {place2}, vest in the Customer on creation.",
        "The Supplier shall indemnify the Customer against all losses arising from any claim that the Platform "
        "infringes the Intellectual Property Rights of a third party, provided that the Customer tells the Supplier "
        "of the claim within {days} Business Days.",
        "If the Platform becomes, or in the Supplier's reasonable opinion is likely to become, the subject of an "
        "infringement claim, the Supplier shall at its own cost obtain the right to continue using it or change it "
        "so that it no longer infringes.",
        "The Supplier shall deposit the source code of the Platform and its build documentation with the Escrow "
        "Agent, and shall update the deposit after each major release and at least every {months} months.",
    )),
    ("INSURANCE", (
        "The Supplier shall maintain with reputable insurers professional indemnity insurance of not less than "
        "{eur_big} for each claim, and cyber liability insurance of not less than {eur_big} in the aggregate.",
        "The Supplier shall maintain employer's liability and public liability insurance as the law requires in "
        "each country from which the Services are delivered, including Germany, Norway and the United Kingdom.",
        "The Supplier's insurance is placed through Thamesgate Insurance Ltd in London. The Supplier shall give the "
        "Customer a broker's letter confirming cover on each renewal, the first no later than {date}.",
        "The Supplier shall do nothing that would invalidate its insurance and shall tell the Customer within {days} "
        "Business Days if any policy is cancelled or its cover reduced.",
        "The existence of insurance shall not limit the Supplier's liability under this Agreement.",
    )),
    ("FORCE MAJEURE", (
        "Neither party shall be liable for any delay or failure to perform caused by a Force Majeure Event, "
        "provided that it notifies the other party promptly and uses all reasonable efforts to resume performance.",
        "A Force Majeure Event does not include a failure of a subcontractor, unless that failure itself results "
        "from a Force Majeure Event, nor any event that the Supplier's business continuity plan should have "
        "prevented.",
        "If a Force Majeure Event prevents the Supplier from providing the Services at the sites in {place} or "
        "{place2} for more than {days30} consecutive days, the Customer may terminate the affected Services by "
        "written notice.",
        "During a Force Majeure Event the Customer need not pay for Services that are not provided, and may obtain "
        "them from a third party without breach of this Agreement.",
        "The party affected by a Force Majeure Event shall report weekly to the other party's contract manager, who "
        "for the Customer is {person_c}, on the steps being taken to overcome it.",
    )),
    ("CHANGE CONTROL", (
        "Either party may propose a change to the Services or to this Agreement by sending a Change Request in the "
        "form set out in Schedule 4 to the other party's contract manager.",
        "The Supplier shall assess each Change Request within {days} Business Days and provide an impact assessment "
        "covering the effect on the Services, the Service Levels, the Charges and the Implementation Plan.",
        "No change shall take effect unless recorded in a Change Note signed on behalf of both parties; a change "
        "with a value above {eur} must be signed for the Customer by {person_c}.",
        "The Supplier shall not charge for assessing a Change Request unless the assessment takes more than {hours} "
        "hours of effort and the Customer has agreed the cost in advance.",
        "Changes required by a change in law shall be made at the Supplier's cost where the change applies "
        "generally to providers of analytics services, and otherwise as agreed under this clause.",
        "The Supplier shall keep a change log, numbered in sequence from CR-{cr}, and shall present it at each "
        "monthly service review.",
    )),
    ("GOVERNANCE, REPORTING AND AUDIT", (
        "The parties shall establish a Steering Committee, chaired in turn by Ms. Priya Raman for the Customer and "
        "Dr. Ingrid Halvorsen for the Supplier, which shall meet every quarter in London, Hamburg or Oslo.",
        "The Service Managers shall hold a monthly service review, in {place} or by video conference, to review "
        "performance, open Incidents, the change log and the risk register.",
        "The Supplier shall deliver a quarterly business review pack to the Customer at least {days} Business Days "
        "before each Steering Committee meeting, including a forecast accuracy report for each trade lane.",
        "The Supplier shall keep complete and accurate records of the Services and the Charges for at least {years} "
        "years after the end of this Agreement.",
        "The Customer, its auditors and any regulator of the Customer may audit the Supplier's records, premises and "
        "systems on {days} Business Days' notice, and the Supplier shall give them all reasonable assistance.",
        "If an audit reveals an overcharge of more than {pct_low} of the Charges for the audited period, the "
        "Supplier shall repay the overcharge with interest and bear the reasonable cost of the audit.",
        "Each party shall replace its members of the Steering Committee only on {days30} days' notice, and shall "
        "ensure that each replacement has equivalent authority.",
    )),
    ("DISPUTE RESOLUTION", (
        "The parties shall try to resolve any dispute first through their Service Managers, who shall meet within "
        "{days} Business Days of a written request by either of them.",
        "A dispute not resolved within {days30} days shall go to the Steering Committee and then to Dr. Ingrid "
        "Halvorsen and Ms. Priya Raman, who shall meet in London or Hamburg within a further {days} Business Days.",
        "If the dispute remains unresolved, either party may refer it to mediation administered by the Centre for "
        "Effective Dispute Resolution in London, the mediator's costs being shared equally.",
        "Technical disputes about the measurement of Service Levels may, by agreement, be referred to an independent "
        "expert appointed by the parties, whose decision shall be final and binding save for manifest error.",
        "Nothing in this clause prevents a party from seeking urgent interim relief from a court, and the Supplier "
        "shall continue to provide the Services in full while any dispute is being resolved.",
    )),
    ("WARRANTIES", (
        "Each party warrants that it has full power and authority to enter into and perform this Agreement, and "
        "that this Agreement has been signed by its duly authorised representatives.",
        "The Supplier warrants that the Platform will perform materially in accordance with its documentation, and "
        "that each Deliverable will be free from material defects for {days90} days after its acceptance.",
        "The Supplier warrants that it will not knowingly introduce any virus or disabling code into the Customer's "
        "systems, and that it will scan every file it delivers with up-to-date anti-virus software.",
        "The Supplier warrants that the forecasting models used for the Customer were trained and tested on data it "
        "is entitled to use, and it shall tell the Customer of any material change to those models.",
        "The Supplier warrants that the information in its tender response of 14 November 2025, including the "
        "references it gave from {org}, was true and accurate.",
        "Except as expressly set out in this Agreement, all warranties, conditions and terms implied by statute or "
        "common law are excluded to the fullest extent the law permits.",
    )),
    ("CUSTOMER OBLIGATIONS", (
        "The Customer shall give the Supplier timely access to the data, systems and staff reasonably needed for "
        "the Services, including read access to the shipment database in its {place} data centre.",
        "The Customer shall appoint a Service Manager with authority to take day-to-day decisions, and shall tell "
        "the Supplier of any change of Service Manager within {days} Business Days.",
        "The Customer shall ensure, so far as it knows, that the data it supplies is accurate and complete, and "
        "shall correct any error the Supplier reports within {days} Business Days.",
        "The Customer is responsible for the use of the Platform by its users and shall ensure that they keep their "
        "passwords secret and do not share accounts.",
        "Where the Supplier's staff work at the Customer's premises, including those at {address}, the Customer "
        "shall provide desks, network access and a safety induction.",
        "If the Customer fails to perform any of these obligations, the Supplier is relieved of its own only to the "
        "extent that the failure prevents performance, and only if it tells the Customer promptly.",
    )),
    ("ACCEPTANCE", (
        "Each integration and each Deliverable that the Implementation Plan makes subject to acceptance shall be "
        "tested against the acceptance criteria set out in the Implementation Plan.",
        "The Supplier shall give the Customer at least {days} Business Days' notice that a Deliverable is ready for "
        "acceptance testing, with the test scripts and the test data to be used.",
        "The Customer shall carry out the acceptance tests within {days30} days, with the Supplier's support, at "
        "its offices in {place} or remotely.",
        "If a Deliverable fails an acceptance test, the Supplier shall correct the defect and submit it for a "
        "repeat test within {days} Business Days at no additional charge.",
        "If a Deliverable fails a third acceptance test, the Customer may reject it and recover the Charges paid "
        "for it, or accept it with a reasonable reduction in the Charges.",
        "Acceptance is confirmed by a certificate signed by {person_c}. Use of a Deliverable in live operation for "
        "more than {days30} days without objection counts as acceptance.",
    )),
    ("PERSONNEL", (
        "The Supplier shall ensure that the key personnel named in Schedule 4 give the Services the time stated "
        "there, and shall not remove them without the Customer's consent.",
        "The Supplier shall carry out background checks on every person who will have access to Customer Data, to "
        "the standard of BS 7858 or its equivalent in Germany and Norway.",
        "The Customer may, on reasonable grounds, require the Supplier to remove any person from the Services, and "
        "the Supplier shall provide a suitably qualified replacement within {days30} days.",
        "On the Customer's premises, including the sites at {place} and {place2}, the Supplier's staff shall follow "
        "the Customer's site rules, including its safety rules for yards and quays.",
        "The parties do not expect the Transfer of Undertakings (Protection of Employment) Regulations 2006 to "
        "apply at the start or end of this Agreement; if they do, the parties shall consult each other in good "
        "faith.",
        "Neither party shall, during the term and for six months after it, solicit any employee of the other who "
        "has been closely involved in the Services, save through a general advertisement.",
    )),
    ("COMPLIANCE, ANTI-BRIBERY AND MODERN SLAVERY", (
        "Each party shall comply with all laws that apply to it in connection with this Agreement, including the "
        "Bribery Act 2010 and the sanctions and export control laws of the United Kingdom, the European Union and "
        "Norway.",
        "The Supplier shall not offer the Customer's staff any gift or hospitality worth more than {eur_small} in a "
        "Contract Year without the prior approval of the Customer's General Counsel.",
        "The Supplier shall take reasonable steps to ensure that there is no slavery or human trafficking in its "
        "supply chains, and shall publish a modern slavery statement each year.",
        "The Supplier shall tell the Customer promptly if it or any of its subcontractors becomes subject to a "
        "sanction, or if any of its directors is investigated for bribery or fraud.",
        "The Supplier shall keep a register of the gifts and hospitality given or received in connection with this "
        "Agreement and make it available to the Customer on request.",
        "A breach of this clause is a material breach that cannot be remedied for the purposes of clause 8.1.",
    )),
    ("SUSTAINABILITY", (
        "The Supplier shall run the Platform in data centres powered by renewable electricity and shall report the "
        "energy used by the Services in each Contract Year.",
        "The Supplier shall support the Customer's target of cutting the emissions of its freight network by "
        "{pct_low} by {date_late}, including by providing the Emissions Reporting module to new sites at no extra "
        "charge.",
        "The Supplier shall propose at least {n_small} initiatives in each Contract Year that would reduce empty "
        "running or dwell time at the Customer's sites, each with an estimate of its savings.",
        "The Supplier's staff shall travel to the Customer's sites by rail where the journey takes less than six "
        "hours, as between Hamburg and Rotterdam or between Oslo and Gothenburg.",
        "The Supplier shall complete the sustainability questionnaire the Customer sends each year within {days30} "
        "days, and shall tell the Customer of any material change in its environmental performance.",
    )),
    ("BUSINESS CONTINUITY", (
        "The Supplier shall maintain a business continuity and disaster recovery plan for the Services, approved by "
        "the Customer, and shall update it at least once in each Contract Year.",
        "The plan shall provide for the Services to continue from the Supplier's secondary data centre in "
        "{place_eu} if the primary data centre becomes unavailable.",
        "The Supplier shall keep the weekly forecasts of the previous {months} months available offline, so that "
        "the Customer can plan its operations during an outage.",
        "The Supplier shall invoke the plan within {hours} hours of any event that threatens the Services, and "
        "shall tell {contact_c} at once when it does so.",
        "After each test or invocation of the plan, the Supplier shall report the results to the Steering "
        "Committee, with the actions it will take to correct any weakness found.",
    )),
    ("NOTICES", (
        "Any notice under this Agreement shall be in writing and delivered by hand, by recorded delivery or by "
        "email to the addresses set out in this clause.",
        "Notices to the Customer shall be addressed to Ms. Aisha Karimi, General Counsel, Northwind Freight Ltd, 88 "
        "Canary Wharf Road, London E14 5AB, with a copy by email to legal@northwind-freight.example.",
        "Notices to the Supplier shall be addressed to Dr. Ingrid Halvorsen, Managing Director, Halvorsen Analytics "
        "GmbH, Große Elbstraße 145, 22767 Hamburg, with a copy by email to contracts@halvorsen-analytics.example.",
        "A notice delivered by hand is received on delivery; a notice sent by recorded delivery is received at "
        "09:00 on the {ordinal} Business Day after posting; an email is received when sent, if sent in business "
        "hours.",
        "Either party may change its address for notices by giving the other at least {days} Business Days' notice "
        "of the change.",
        "A notice of termination or of a claim shall not be valid if given by email alone; it shall also be "
        "delivered by hand or by recorded delivery.",
    )),
    ("GOVERNING LAW AND JURISDICTION", (
        "This Agreement and any dispute or claim arising out of or in connection with it, including non-contractual "
        "disputes, shall be governed by the law of England and Wales.",
        "The courts of England and Wales sitting in London shall have exclusive jurisdiction, save that either party "
        "may enforce a judgment in the courts of Germany or Norway.",
        "The Supplier irrevocably appoints Ludgate Process Agents Ltd, 20 Fenchurch Street, London EC3M 3BY, as its "
        "agent to receive service of process in England.",
        "The United Nations Convention on Contracts for the International Sale of Goods shall not apply to this "
        "Agreement.",
    )),
    ("GENERAL", (
        "This Agreement, with its Schedules and any Statement of Work, is the entire agreement between the parties "
        "and supersedes all earlier agreements between them, including the pilot agreement dated 19 August 2024.",
        "No variation of this Agreement shall be effective unless it is in writing and signed by authorised "
        "signatories of both parties.",
        "No failure or delay by a party in exercising a right shall be a waiver of it, nor shall a single or "
        "partial exercise of a right prevent its further exercise.",
        "If any provision of this Agreement is found invalid or unenforceable, it shall be modified to the minimum "
        "extent needed to make it valid, and the rest of the Agreement shall not be affected.",
        "Nothing in this Agreement creates a partnership or joint venture between the parties, and neither party may "
        "bind the other.",
        "A person who is not a party has no right under the Contracts (Rights of Third Parties) Act 1999 to enforce "
        "any term of this Agreement, save for members of the Northwind Freight group.",
        "This Agreement may be signed in counterparts, including by electronic signature, each of which is an "
        "original and which together are one agreement.",
        "Each party shall pay its own costs of negotiating and signing this Agreement.",
    )),
)
"""The clauses after the definitions, numbered from 3: a title and the templates of its sub-clauses."""

FOLLOW_UPS = (
    "Any notice given under this sub-clause shall be copied to {contact_c}.",
    "The Supplier shall record what it does under this sub-clause in the service log kept at its {place} "
    "operations centre and show the entries to the Customer within {days} Business Days of a request.",
    "Where the amount at stake exceeds {eur}, the matter shall first be referred to the Steering Committee.",
    "This obligation applies from {date} to every site served from {place}.",
    "For the avoidance of doubt, this sub-clause applies equally to Services delivered to the Customer's Affiliates "
    "in {place} and {place2}.",
    "The Supplier shall bear its own costs of complying with this sub-clause unless the Customer has agreed "
    "otherwise in writing.",
    "Any consent required under this sub-clause may be given for the Customer by {person_c}.",
    "Where the Customer's operations at {place} are affected, the Supplier shall give that site priority.",
    "The Supplier shall confirm its compliance with this sub-clause in each quarterly business review pack.",
    "Any period in this sub-clause shall be extended by the length of any delay caused by the Customer.",
    "A failure to comply with this sub-clause on more than {n_small} occasions in a Contract Year shall be a "
    "material breach.",
    "The Customer's contact for matters under this sub-clause is {contact_c}; the Supplier's is {contact_s}.",
    "If the parties cannot agree how this sub-clause applies within {days} Business Days, either may refer the "
    "question to the procedure in clause 20.",
    "Records made under this sub-clause shall be kept for at least {years} years.",
    "The Supplier shall adopt any reasonable recommendation the Customer makes under this sub-clause within "
    "{days30} days, or explain in writing why it cannot.",
    "The parties shall review this sub-clause at the Steering Committee meeting held in {place} each {month}.",
    "Where the Services are delivered from more than one location, this sub-clause applies to each of them "
    "separately.",
    "The Supplier shall brief its staff in {place} on this sub-clause within {days} Business Days of the "
    "Effective Date.",
    "Any sum payable under this sub-clause shall be paid in euro unless it relates to Services invoiced in US "
    "dollars.",
    "The rights in this sub-clause are in addition to, and not instead of, the Customer's rights under {clause}.",
    "By way of example, an outage at the {place} hub on a {weekday} in {month} lasting {hours} hours would fall "
    "within this sub-clause.",
    "The Customer shall co-operate with the Supplier, acting reasonably, to allow it to meet this obligation, "
    "including by giving access to its premises at {address}.",
    "Questions from the Supplier's subcontractors about this sub-clause shall be raised through {person_s}.",
    "The Supplier may not rely on any act or omission of {org} as an excuse for failing to comply with this "
    "sub-clause.",
    "The Supplier shall give the Customer at least {days} Business Days' notice before relying on this sub-clause.",
    "Both parties shall act in good faith in applying this sub-clause.",
    "Nothing in this sub-clause obliges the Customer to disclose information about its own customers beyond what "
    "the Services need.",
    "Where this sub-clause counts days, days on which the port of {place} is closed for a public holiday do not "
    "count.",
    "A report required by this sub-clause shall be sent to {contact_c} as a PDF and in a machine-readable format.",
    "The Supplier shall name a deputy for each role involved in this sub-clause, based in {place} or {place2}.",
    "Charges for work under this sub-clause shall not exceed {eur_small} in any calendar month without the prior "
    "approval of {person_c}.",
    "The Supplier acknowledges that the Customer entered into this Agreement relying on this commitment.",
    "This sub-clause applies whether the Service concerned is provided by the Supplier itself or by a "
    "subcontractor such as {org}.",
    "The Supplier's Service Manager shall report on this sub-clause at each monthly service review, the next of "
    "which is due on {date}.",
    "This sub-clause does not apply to the pilot Services delivered in {place} before the Effective Date.",
    "The Customer's internal auditors may check compliance with this sub-clause as part of their annual audit plan.",
    "Where this sub-clause sets a period, the Supplier shall tell {contact_c} as soon as it sees that the period "
    "will not be met.",
    "The Supplier shall keep its practice under this sub-clause in line with Good Industry Practice as it develops.",
    "In {month} of each Contract Year the Supplier shall confirm in writing that it has complied with this "
    "sub-clause.",
    "For a site opened after the Effective Date, this sub-clause applies from that site's Service Commencement "
    "Date.",
    "The Supplier may not charge for anything it does under this sub-clause unless Schedule 3 provides for it.",
    "Where a subcontractor such as {org} is involved, the Supplier shall pass the terms of this sub-clause on to it.",
    "A dispute about this sub-clause shall not delay the payment of undisputed Charges.",
    "The Customer's Service Manager may waive this requirement for a single occasion by email; no waiver extends to "
    "later occasions.",
    "This sub-clause was settled at the negotiation meeting held in {place} on 19 February 2026.",
    "Either party may ask for a meeting about this sub-clause, to be held within {days} Business Days in {place} or "
    "by video conference.",
    "If the Supplier fails to comply with this sub-clause, it shall say in writing, within {days} Business Days, how "
    "it will prevent the failure from recurring.",
    "The obligations in this sub-clause apply equally at the Supplier's offices in Hamburg and Oslo.",
    "Nothing in this sub-clause limits the Supplier's obligations under clause 11 (Data Protection).",
)
"""Sentences that follow a sub-clause's own, drawn in turn so that no two sub-clauses read alike."""

DEFINITIONS = (
    ('Affiliate', "any company that controls, is controlled by or is under common control with a party from time to "
                  "time"),
    ('Business Day', "a day other than a Saturday, a Sunday or a public holiday in England, in Hamburg or in Norway"),
    ('Change Note', "a written record of an agreed change, signed by both parties under clause 18"),
    ('Change Request', "a request for a change made under clause 18"),
    ('Charges', "the charges set out in Schedule 3"),
    ('Confidential Information', "all information of a confidential nature disclosed by or for a party, in any "
                                 "form, including the terms of this Agreement, prices, forecasts, customer lists and "
                                 "technical data"),
    ('Contract Year', "each period of twelve months starting on the Effective Date or on an anniversary of it"),
    ('Customer Data', "all data, including Personal Data, supplied by or for the Customer or generated by the "
                      "Services from such data, including shipment records, container movements and warehouse stock "
                      "positions"),
    ('Deliverables', "all reports, dashboards, forecasts, models configured for the Customer and other materials "
                     "supplied as part of the Services"),
    ('Effective Date', "14 March 2026"),
    ('Escrow Agent', "the escrow agent named in Schedule 11, or any replacement the parties agree in writing"),
    ('Exit Services', "the services described in Schedule 7"),
    ('Force Majeure Event', "an event beyond the reasonable control of the party affected, including flood, fire, "
                            "epidemic, war, terrorism, strikes by third parties and the failure of a public "
                            "electricity grid, but excluding the events described in clause 17.2"),
    ('Good Industry Practice', "the skill, care, prudence and foresight that would reasonably be expected of a "
                               "skilled and experienced provider of similar services in Europe"),
    ('Implementation Plan', "the plan for bringing the Services into operation at each site, to be agreed by the "
                            "parties no later than 30 April 2026"),
    ('Incident', "any unplanned interruption to, or reduction in the quality of, a Service"),
    ('Intellectual Property Rights', "patents, copyright, database rights, rights in software, trade marks, design "
                                     "rights, know-how and all similar rights anywhere in the world, whether "
                                     "registered or not"),
    ('Monthly Charges', "the recurring Charges payable for each calendar month under Part A of Schedule 3"),
    ('Permitted Maintenance', "maintenance carried out in accordance with clause 4.2"),
    ('Personal Data', "has the meaning given in the UK GDPR and in Regulation (EU) 2016/679, as do \"Personal Data "
                      "Breach\", \"controller\" and \"processor\""),
    ('Platform', "the Supplier's Halvorsen Horizon freight-analytics platform, including its forecasting engine, "
                 "dashboards and programming interfaces and all updates to them"),
    ('Policies', "the Customer's information security, supplier conduct and travel policies, as notified to the "
                 "Supplier from time to time"),
    ('Replacement Supplier', "any third party appointed by the Customer to provide services in place of any of the "
                             "Services"),
    ('Service Commencement Date', "the date on which the Services start at a site under clause 7.3"),
    ('Service Credit', "a sum calculated under Schedule 2 for a failure to meet a Service Level"),
    ('Service Level', "each performance standard set out in Schedule 2"),
    ('Service Manager', "the person each party appoints under Schedule 4 to manage the Services from day to day"),
    ('Service Period', "a calendar month"),
    ('Services', "the services described in clause 3 and Schedule 1, with the Exit Services and any services added "
                 "under clause 18"),
    ('Statement of Work', "a document in the form set out in Schedule 4 describing a project to be carried out "
                          "under this Agreement"),
    ('Steering Committee', "the committee established under clause 19.1"),
)

INTERPRETATION = (
    "Clause, Schedule and paragraph headings do not affect the interpretation of this Agreement. The Schedules form "
    "part of this Agreement.",
    "If the clauses and the Schedules conflict, the clauses prevail, save that Schedule 6 prevails as to the "
    "processing of Personal Data.",
    "A reference to a statute is to it as amended or re-enacted from time to time, and includes subordinate "
    "legislation made under it.",
    "Words such as \"including\" and \"in particular\" illustrate and do not limit the words before them.",
    "A reference to writing includes email but no other form of electronic message.",
    "Where an amount in euro must be converted, it shall be converted at the reference rate of the European Central "
    "Bank on the date of the invoice.",
)

MODULES = (
    ("Shipment Visibility", "live tracking of containers, trailers and rail wagons across the Customer's network, "
                            "with estimated times of arrival refreshed every fifteen minutes"),
    ("Demand Forecasting", "weekly forecasts of inbound and outbound volumes for each site, by product family and "
                           "by customer, over a horizon of twenty-six weeks"),
    ("Capacity Planning", "scenario models of dock doors, yard slots and labour shifts, used to plan for peak "
                          "seasons"),
    ("Carrier Performance", "scorecards for each road, rail and ocean carrier covering punctuality, damage rates, "
                            "claims and cost per unit"),
    ("Emissions Reporting", "greenhouse gas emissions per shipment calculated under the GLEC Framework, with "
                            "quarterly reports for the Customer's sustainability disclosures"),
    ("Customs Analytics", "monitoring of customs declarations and clearance times at each border crossing, with an "
                          "alert for any shipment held for more than four hours"),
    ("Inventory Insight", "daily stock positions for each warehouse, with an ageing analysis and alerts for stock "
                          "at risk of becoming obsolete"),
    ("Cost-to-Serve", "allocation of transport, handling and storage costs to each customer and lane, refreshed "
                      "monthly"),
    ("Exception Management", "a queue of late, damaged or misrouted shipments with suggested actions, linked to the "
                             "Customer's customer service tools"),
    ("Analyst Services", "a team of analysts who answer questions, build bespoke reports and present their findings "
                         "at the monthly service review"),
)
SITES = (
    ("London Gateway distribution centre", "London"), ("Maasvlakte container terminal", "Rotterdam"),
    ("Waltershof cross-dock", "Hamburg"), ("Sydhavna warehouse", "Oslo"), ("North Sea terminal", "Antwerp"),
    ("Skandia harbour depot", "Gothenburg"), ("Trinity terminal yard", "Felixstowe"), ("Dokken cold store", "Bergen"),
    ("Eurogate rail hub", "Bremerhaven"), ("Port Salford warehouse", "Manchester"),
    ("Nordhavn parcel centre", "Copenhagen"), ("Dublin Port East depot", "Dublin"),
    ("Risavika offshore base", "Stavanger"),
)
CARRIERS = ("Brightwater Logistics Ltd", "Elbe Rail Cargo GmbH", "Atlantic Box Lines Inc", "Skagerrak Feeder Ltd",
            "Lowlands Trucking GmbH", "Pennine Haulage Ltd")
LANE_MODES = ("road", "rail", "road and short-sea ferry", "short-sea container feeder", "rail and road")
SERVICE_LEVELS = (
    ("Platform availability", "99.5% in each Service Period", "the share of five-minute probes answered"),
    ("Forecast publication", "every weekly forecast published by 08:00 CET on its due day",
     "the publication time recorded by the portal"),
    ("Forecast accuracy", "a weighted mean absolute percentage error below {pct_low} over each quarter",
     "actual volumes against the forecast made four weeks earlier"),
    ("Tracking freshness", "95% of positions no older than fifteen minutes", "the age of each position on display"),
    ("Severity 1 response", "acknowledgement within 30 minutes", "the ticket time stamps"),
    ("Severity 1 resolution", "service restored within four hours", "the ticket time stamps"),
    ("Severity 2 resolution", "service restored within one Business Day", "the ticket time stamps"),
    ("Data feed latency", "each feed processed within thirty minutes of receipt", "the integration logs"),
    ("Report delivery", "each monthly report delivered by the {ordinal} Business Day", "the date of the email"),
    ("Analyst response", "each analyst request acknowledged within four business hours", "the request log"),
    ("Customer satisfaction", "an average score of at least 4 out of 5 in the quarterly survey",
     "the survey of the Customer's users"),
    ("Security patching", "critical patches applied within {days} days of release", "the patch register"),
)
SEVERITIES = (
    "Severity 1: the Platform is unavailable, or a Service used at two or more sites cannot be used, or Customer "
    "Data may have been disclosed. The Supplier works on the Incident around the clock until it is resolved.",
    "Severity 2: a Service is seriously degraded at one site, or a forecast or report is late by more than one "
    "Business Day. The Supplier works on the Incident during extended business hours, 07:00 to 22:00 CET.",
    "Severity 3: a fault that affects some users but has a workaround, such as a dashboard that shows stale "
    "figures for one lane. The Supplier resolves it within five Business Days.",
    "Severity 4: a cosmetic fault or a question about how to use a Service. The Supplier answers within ten "
    "Business Days or schedules a fix for the next release.",
)
ROLES = (("Analyst", 720), ("Senior Analyst", 940), ("Data Scientist", 1_120), ("Lead Data Scientist", 1_380),
         ("Integration Engineer", 980), ("Solution Architect", 1_450), ("Project Manager", 1_050),
         ("Trainer", 680), ("Security Consultant", 1_290), ("Managing Consultant", 1_720))
MILESTONES = (("M1 Signature of this Agreement", 193_250, (2026, 3, 14)),
              ("M2 Implementation Plan agreed", 38_650, (2026, 4, 30)),
              ("M3 Integrations with London and Rotterdam accepted", 57_975, (2026, 6, 12)),
              ("M4 First weekly forecast published", 38_650, (2026, 7, 6)),
              ("M5 Integrations with Hamburg, Oslo and Antwerp accepted", 38_650, (2026, 7, 24)),
              ("M6 All remaining sites live", 19_325, (2026, 11, 27)))
"""Implementation milestones; their amounts add up to the implementation fee of €386,500."""
SUBCONTRACTORS = (
    ("Nordhavn Hosting GmbH", "Frankfurt", "primary data centre hosting of the Platform", True),
    ("Cobalt Cloud Services Inc", "Dublin", "secondary cloud hosting and disaster recovery", True),
    ("Keller Datentechnik GmbH", "Bremen", "development and support of the integrations with port systems", True),
    ("Pinecrest Software Inc", "Boston", "monitoring software used to measure availability, receiving no Customer "
                                         "Data beyond technical logs", False),
    ("Kestrel Translation Ltd", "Manchester", "translation of training material into Dutch, German and Norwegian",
     False),
    ("Rhine Valley Security GmbH", "Cologne", "the annual independent penetration test", False),
    ("Solent Data Recovery Ltd", "Southampton", "encrypted off-site backup of the Platform's databases", True),
)
EXIT_STEPS = (
    "Within ten Business Days of a notice of termination, the Service Managers meet to confirm the exit timetable "
    "and name the people responsible for each step.",
    "The Supplier delivers an inventory of all Customer Data, listing each database, file store and backup, its "
    "location and its size.",
    "The Supplier exports the historical shipment records, forecasts and carrier scorecards in CSV and Parquet "
    "formats, with a data dictionary for each table.",
    "The Supplier documents each integration: the message formats, the endpoints, the schedules and the error "
    "handling, so that a Replacement Supplier can rebuild it.",
    "The Supplier runs the Services in parallel with the Replacement Supplier for up to two Service Periods, and "
    "the Service Levels continue to apply during that time.",
    "The Supplier hands over the configuration of every dashboard and report, including the definitions of each "
    "measure and the filters applied.",
    "The Supplier's analysts hold up to ten knowledge-transfer sessions with the Customer's staff or the "
    "Replacement Supplier, in London or online.",
    "The Supplier transfers the Customer's user accounts and access rights in a form the Replacement Supplier can "
    "import, and then disables them on the Platform.",
    "The Customer confirms in writing that the data received is complete, or lists what is missing within ten "
    "Business Days of receipt.",
    "The Supplier deletes all Customer Data from its production systems within thirty days of the Customer's "
    "confirmation, and from its backups within ninety days.",
    "The Supplier's Data Protection Officer certifies the deletion in writing, naming each system and the date of "
    "deletion.",
    "The parties meet for a final review of the exit, close any open Change Requests and settle the final invoice.",
)
REPORTS = (
    ("Weekly demand forecast", "weekly", "volumes by site, product family and customer for the next twenty-six weeks"),
    ("Service level report", "monthly", "performance against each Service Level, the Service Credits and the root "
                                        "causes of failures"),
    ("Incident report", "after each Severity 1 or 2 Incident", "the timeline, cause, impact and preventive actions"),
    ("Carrier scorecard", "monthly", "punctuality, damage, claims and cost for each carrier"),
    ("Emissions report", "quarterly", "greenhouse gas emissions by lane and mode under the GLEC Framework"),
    ("Capacity outlook", "monthly", "the use of docks, yards and labour at each site over the next eight weeks"),
    ("Customs clearance report", "weekly", "clearance times and held shipments at each border crossing"),
    ("Inventory ageing report", "weekly", "stock by age band, and stock at risk, at each warehouse"),
    ("Cost-to-serve report", "monthly", "the costs allocated to each customer and lane, with the change on the "
                                        "previous month"),
    ("Forecast accuracy report", "quarterly", "the forecast error by site and lane, with the causes of the largest "
                                              "errors"),
    ("Security report", "quarterly", "vulnerabilities found and fixed, access reviews and security incidents"),
    ("Change log", "monthly", "every Change Request and its status"),
    ("Risk register", "monthly", "the risks to the Services, their owners and their mitigations"),
    ("Quarterly business review pack", "quarterly", "a summary of all the above for the Steering Committee"),
)
SECURITY_REQUIREMENTS = (
    "Access to Customer Data is granted on the principle of least privilege and reviewed every quarter by the "
    "Supplier's security officer.",
    "All administrative access uses multi-factor authentication with hardware keys.",
    "Laptops used by the Supplier's staff are encrypted, centrally managed and patched within fourteen days of a "
    "patch's release.",
    "Production and test environments are kept apart, and Customer Data is used for testing only once masked.",
    "Backups are encrypted, kept for thirty-five days and restored in a test at least once a quarter.",
    "Vulnerability scans of all internet-facing systems run weekly, and critical findings are fixed within {days} "
    "days.",
    "Security events go to a monitoring service staffed around the clock and operated from {place_eu}.",
    "The Supplier's staff complete security awareness training when they join and every year after that.",
    "Suppliers of the Supplier that handle Customer Data are assessed before they are engaged and every two years.",
    "Security incidents are reported to the Customer's security team at security@northwind-freight.example within "
    "{hours} hours.",
)
DATA_PARTICULARS = (
    ("Subject matter", "the analysis of freight movements, warehouse operations and carrier performance for the "
                       "Customer"),
    ("Duration", "the term of this Agreement and the exit period, and then until deletion under Schedule 7"),
    ("Nature and purpose", "collection from the Customer's systems, storage, analysis, forecasting and reporting, "
                           "for the purpose of providing the Services"),
    ("Data subjects", "the Customer's employees, drivers employed by carriers, consignees named on shipments and "
                      "the Customer's customer contacts"),
    ("Personal Data", "names, business contact details, driver identifiers, vehicle registration numbers, delivery "
                      "addresses and signatures captured on proof of delivery"),
    ("Special categories", "none; the Customer shall not send special category data to the Platform"),
    ("Locations", "the Supplier's data centres in Frankfurt and Dublin and its offices in Hamburg and Oslo, and no "
                  "other location without the Customer's written consent"),
    ("Retention", "shipment records are kept for seven years and proof-of-delivery signatures for eighteen months, "
                  "unless the Customer instructs otherwise"),
    ("Security measures", "the measures in clause 12, including encryption, multi-factor authentication and "
                          "logging of all access"),
)


def contract_text() -> str:
    """The master services agreement: parties, definitions, clauses 3-23, signatures and eight schedules."""
    rng = random.Random(SEED)
    fill = Filler(rng)
    follow_ups = _deck(rng, FOLLOW_UPS)
    paragraphs = ["MASTER SERVICES AGREEMENT", "Agreement No. NWF-HA-2026-014", *_parties(), "2. DEFINITIONS AND "
                  "INTERPRETATION", "2.1 In this Agreement the following words have the following meanings:"]
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
        "1.1 This Master Services Agreement (the \"Agreement\") is dated 14 March 2026 and is made between Northwind "
        "Freight Ltd, a company registered in England and Wales under number 09417263 whose registered office is at "
        "88 Canary Wharf Road, London E14 5AB (the \"Customer\"), and Halvorsen Analytics GmbH, a company registered "
        "with the local court of Hamburg under HRB 174520 whose office is at Große Elbstraße 145, 22767 Hamburg, "
        "Germany (the \"Supplier\").",
        "1.2 (A) The Customer runs road, rail and short-sea freight services between the United Kingdom, the "
        "Netherlands, Belgium, Germany and the Nordic countries, from thirteen sites including London, Rotterdam, "
        "Hamburg and Oslo.",
        "(B) The Supplier develops and operates the Halvorsen Horizon platform for freight analytics and demand "
        "forecasting, and has offices in Hamburg and Oslo.",
        "(C) Between 2 September 2024 and 28 February 2025 the Supplier ran a pilot of the Platform for the "
        "Customer's Rotterdam and Felixstowe sites, and the Customer now wishes to use the Platform across its "
        "network.",
        "(D) Following a tender run by Mr. Oluwaseun Adeyemi for the Customer, in which Keller Datentechnik GmbH and "
        "Pinecrest Software Inc also took part, the Customer selected the Supplier on 9 January 2026.",
        "(E) The parties have agreed that the Supplier shall provide the Services on the terms of this Agreement.",
    ]


def _signatures() -> list[str]:
    """The signature block between the clauses and the schedules."""
    return [
        "SIGNED by the parties on 14 March 2026.",
        "Signed for and on behalf of Northwind Freight Ltd by Ms. Priya Raman, Chief Operating Officer, in London. "
        "Witnessed by Ms. Aisha Karimi, General Counsel.",
        "Signed for and on behalf of Halvorsen Analytics GmbH by Dr. Ingrid Halvorsen, Managing Director, in "
        "Hamburg. Witnessed by Dr. Henrik Vogel, Chief Technology Officer.",
    ]


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
        "C.1 The Customer's SAP S/4HANA system, for orders, invoices and master data, by a daily batch file and an "
        "hourly delta.",
        "C.2 The Customer's warehouse management system at each site, for stock positions and dock appointments, by "
        "a message queue.",
        "C.3 The port community systems Portbase (Rotterdam), DAKOSY (Hamburg) and NxtPort (Antwerp), for container "
        "status events.",
        "C.4 The telematics services of the carriers named in Part B, for vehicle positions every five minutes.",
        "C.5 The customs systems of the United Kingdom, Germany and Norway, for the status of declarations made by "
        "the Customer's brokers.",
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
        "C.1 Service Credits are calculated for each Service Period separately and shown on the invoice for the "
        "following Service Period.",
        "C.2 Where one Incident causes more than one Service Level to be missed, only the highest Service Credit "
        "applies.",
        "C.3 By way of example, if availability in {month} is 99.1% against a target of 99.5% and the Monthly Charges "
        "for the Platform are €104,167, the Service Credit is 5% of that sum, that is €5,208.",
        "C.4 No Service Credit is due for a failure caused by the Customer, by Permitted Maintenance or by a Force "
        "Majeure Event.",
    ]
    return paragraphs


def _charges(rng: random.Random) -> list[str]:
    """Schedule 3: recurring charges, rate card, milestones, termination fees and US charges."""
    paragraphs = [
        "Part A – Recurring Charges",
        "A.1 Annual platform fee: €1,250,000 for the first Contract Year, payable in twelve monthly instalments of "
        "€104,167, the last adjusted to €104,163.",
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
        "D.1 In the first Contract Year: €420,000. In the second Contract Year: €280,000. In the third Contract "
        "Year: €140,000. Thereafter: nothing.",
        "D.2 The termination fee is reduced by any Service Credits paid in the twelve months before the notice.",
        "Part E – Charges in US dollars",
        "E.1 Services for Northwind Freight Inc, 400 Harbor Boulevard, Newark NJ 07114: $48,000 per quarter, "
        "invoiced in advance to ap-us@northwind-freight.example.",
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
        "A.15 The Supplier shall not replace Dr. Henrik Vogel, Mr. Tomas Eriksen or Ms. Sophie Lindqvist during the "
        "first two Contract Years except for illness, resignation or dismissal.",
        "Part B – Meetings",
        "B.1 Monthly service review: the Service Managers, in {place} or by video conference, in the second week of "
        "each month.",
        "B.2 Quarterly Steering Committee: in London, Hamburg or Oslo in turn, the first on {date}.",
        "B.3 Annual executive review: Ms. Priya Raman and Dr. Ingrid Halvorsen, each December, in London.",
        "Part C – Form of Change Request",
        "C.1 A Change Request states its number, its author, the date, the change proposed, the reason for it, the "
        "sites affected, the effect on the Service Levels and the Charges, and the date by which a decision is "
        "needed.",
        "Part D – Form of Statement of Work",
        "D.1 A Statement of Work states the project's scope, Deliverables, acceptance criteria, timetable, staff, "
        "price and payment milestones, and is signed by both Service Managers.",
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
            "B.1 The Replacement Supplier undertakes to Halvorsen Analytics GmbH to use the Supplier's documentation "
            "only to take over the Services, to disclose it only to its staff who need it, and to return or destroy "
            "it when the exit is complete."]


def _implementation_plan(rng: random.Random) -> list[str]:
    """Schedule 8: when each site goes live, and the steps before and after."""
    paragraphs = [
        "1. This outline is the basis of the Implementation Plan. The dates below may move only by a Change Note.",
        "2. Each site passes through discovery, integration, acceptance, training and go-live, followed by thirty "
        "days of hypercare in which the Supplier's analysts review every forecast before it is published.",
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
        "1. The Escrow Agent is Fjordline Escrow Bank, Haakon VIIs gate 9, 0161 Oslo, Norway, acting through its "
        "software escrow department (escrow@fjordline-escrow.example).",
        "2. Within thirty days of the Effective Date the Supplier, the Customer and Fjordline Escrow Bank shall sign "
        "a three-party escrow agreement in the bank's standard form, amended to reflect this Schedule.",
        "3. The deposit comprises the source code of the Platform, its build scripts, the database schemas, the "
        "deployment configuration and a written guide enabling a competent engineer to build and run the Platform.",
        "4. Fjordline Escrow Bank shall verify each deposit by building the Platform from it, at least once in each "
        "Contract Year, and shall send its verification report to Ms. Priya Raman and Dr. Henrik Vogel.",
        "5. The deposit shall be released to the Customer if the Supplier becomes insolvent, ceases to support the "
        "Platform, or fails to remedy a Severity 1 Incident within ten Business Days of a written demand.",
        "6. The escrow fees of Fjordline Escrow Bank, currently €18,400 a year and €6,500 for each full "
        "verification, are shared equally between the Customer and the Supplier.",
        "7. On release the Customer may use the deposit only to support and maintain the Platform for its own "
        "business and that of its Affiliates, for the rest of the term and any exit period.",
    ]


SCHEDULES: tuple[tuple[str, Callable[[random.Random], list[str]]], ...] = (
    ("SERVICE DESCRIPTION", _service_description), ("SERVICE LEVELS AND SERVICE CREDITS", _service_levels),
    ("CHARGES", _charges), ("GOVERNANCE, KEY PERSONNEL AND FORMS", _governance),
    ("APPROVED SUBCONTRACTORS", _subcontractors), ("DATA PROCESSING PARTICULARS", _data_processing),
    ("EXIT PLAN", _exit_plan), ("OUTLINE IMPLEMENTATION PLAN", _implementation_plan), ("REPORTS", _reports),
    ("SECURITY REQUIREMENTS", _security_requirements), ("SOURCE CODE ESCROW", _escrow),
)
"""The schedules in order; the escrow schedule comes last."""


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
     ("p", "Aberdeen, 12 November 2025. Tidewater Instruments Ltd, which designs and makes subsea pressure and "
           "temperature sensors for the offshore energy and aquaculture industries, today reports its results for "
           "the third quarter of 2025."),
     ("h2", "Highlights"),
     ("p", "Revenue rose 14% to £18.4 million, compared with £16.1 million in the third quarter of 2024. Operating "
           "profit was £2.9 million, up from £2.1 million, and the operating margin improved to 15.8%."),
     ("p", "The order book stood at £41.7 million on 30 September 2025, helped by a five-year supply agreement with "
           "Nordkapp Aquaculture AS of Tromsø worth £6.2 million, signed on 4 August 2025."),
     ("p", "Cash at the end of the quarter was £9.3 million after capital expenditure of £1.1 million on the new "
           "calibration laboratory at the Dyce site."),
     ("h2", "Message from the Chief Executive"),
     ("p", "Mr. Callum Fraser, Chief Executive, said: \"Our customers are replacing ageing sensors faster than we "
           "expected, and our new TX-40 range has won business in Norway and Canada. We delivered a record quarter "
           "while keeping our prices steady.\""),
     ("h2", "Financial summary"),
     ("p", "Revenue: £18.4 million (Q3 2024: £16.1 million)\nGross profit: £7.6 million (Q3 2024: £6.5 million)\n"
           "Operating profit: £2.9 million (Q3 2024: £2.1 million)\nProfit before tax: £2.6 million (Q3 2024: "
           "£1.8 million)\nEarnings per share: 11.2 pence (Q3 2024: 7.9 pence)")),
    (("h2", "Review by segment"),
     ("p", "Energy: revenue of £11.8 million, up 9%, as operators in the North Sea extended the life of existing "
           "fields. Deliveries to a new drilling contractor in Stavanger began in September."),
     ("p", "Aquaculture: revenue of £5.1 million, up 31%, driven by demand for oxygen and temperature monitoring in "
           "salmon farms in Norway, Scotland and the Faroe Islands."),
     ("p", "Services: revenue of £1.5 million, flat on last year, from calibration and repair work carried out in "
           "Aberdeen and at the service centre in Halifax, Nova Scotia."),
     ("h2", "Outlook"),
     ("p", "The board expects revenue for the full year 2025 of between £70 million and £73 million. The new "
           "calibration laboratory opens on 15 January 2026 and will double the company's testing capacity."),
     ("p", "Dr. Elspeth Munro, Chief Financial Officer, added: \"We will keep investing in research, which took "
           "6.1% of revenue this quarter, and we expect to pay an interim dividend of 3.5 pence per share on "
           "9 January 2026.\""),
     ("h2", "Financial calendar"),
     ("p", "Trading update for the fourth quarter: 21 January 2026\nFull-year results: 18 March 2026\n"
           "Annual general meeting: 14 May 2026, at the Granite Quay Hotel, Aberdeen"),
     ("h2", "Contacts"),
     ("p", "Investor relations: Ms. Isla Campbell, investors@tidewater-instruments.example, +44 1224 555 0142\n"
           "Tidewater Instruments Ltd, 3 Wellheads Crescent, Dyce, Aberdeen AB21 7GA, Scotland")),
)
"""The report's pages: (kind, text) blocks, where kind is h1, h2 or p."""


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


PRODUCT_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Solvik AeroSense 3 – Solvik Instruments GmbH</title>
  <style>
    body { font-family: Arial, sans-serif; margin: 0; color: #1d2a33; }
    nav ul { display: flex; gap: 1.5rem; list-style: none; background: #0b3954; padding: 1rem; }
    nav a { color: #ffffff; text-decoration: none; }
    article { max-width: 48rem; margin: 2rem auto; line-height: 1.6; }
    footer { font-size: 0.8rem; background: #eef2f5; padding: 1rem; }
  </style>
  <script>
    window.dataLayer = window.dataLayer || [];
    function trackClick(label) { window.dataLayer.push({ event: "click", label: label }); }
  </script>
</head>
<body>
  <nav>
    <ul>
      <li><a href="/">Home</a></li>
      <li><a href="/shop">Shop all sensors</a></li>
      <li><a href="/support">Support centre</a></li>
      <li><a href="/blog">Our blog</a></li>
      <li><a href="/contact">Contact us</a></li>
    </ul>
  </nav>
  <main>
    <article>
      <h1>Solvik AeroSense 3 indoor air quality monitor</h1>
      <p>Solvik Instruments GmbH released the AeroSense 3 in Munich on 22 April 2026. It is the third generation of
      the indoor air quality monitor that the company makes at its factory in Munich. It measures carbon dioxide,
      fine particles, humidity and volatile organic compounds, and shows the air quality of a room on a small
      e-paper display that can be read from across the room.</p>
      <p>The monitor goes on sale on 12 May 2026 at a price of €349 including VAT. Schools and offices that order
      more than twenty units receive a discount of 15 per cent, and every monitor comes with a three-year
      warranty.</p>
      <p>Dr. Katrin Aumüller, who leads product development at Solvik, says the new model uses a laser particle
      sensor that lasts twice as long as the one in the AeroSense 2. A single battery charge now runs the monitor
      for nine months, and readings can be sent to building management systems over Wi-Fi or Thread.</p>
      <p>The AeroSense 3 was tested for a year in classrooms in Munich and Vienna before its release. Teachers in the
      trial opened windows more often when the display turned amber, and the average carbon dioxide level in the
      rooms fell by a quarter.</p>
      <h2>Technical data</h2>
      <table>
        <tr><th>Sensors</th><td>CO2 (NDIR), PM2.5, humidity, VOC</td></tr>
        <tr><th>Battery life</th><td>nine months</td></tr>
        <tr><th>Size</th><td>110 × 110 × 32 mm</td></tr>
      </table>
    </article>
  </main>
  <footer>
    <p>© 2026 Solvik Instruments GmbH. All rights reserved. Imprint · Privacy policy · Terms of sale</p>
    <p>We use cookies to improve your experience and to measure visits to this site. By continuing to browse you
    accept our use of cookies. <a href="/cookies">Manage cookie settings</a></p>
  </footer>
  <script>document.querySelectorAll("nav a").forEach(a => a.addEventListener("click", () => trackClick(a.href)));
  </script>
</body>
</html>
"""
"""A product page with the noise a real one has: style, script, navigation, footer and cookie notice."""


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
