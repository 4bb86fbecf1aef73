"""Clauses 3-13 of the contract: services, service levels, money, term, ending, liability, data, subcontracting."""

from __future__ import annotations

OPERATIONAL_ARTICLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("SERVICES", (
        ("The Supplier shall provide the freight-analytics services described in Schedule 1 from the Service "
        "Commencement Date, including shipment tracking dashboards for the Customer's lanes between {place} and "
        "{place2}."),
        ("The Supplier shall run the demand forecast for the Customer's container volumes every {weekday} by {time} "
        "Central European Time and publish it to the Customer's reporting portal."),
        ("The Supplier shall provide up to forty hours of analyst support in each calendar month, delivered by named "
        "analysts working from the Supplier's office in {place}."),
        ("The Customer may ask for additional reports or data feeds at any time. The Supplier shall answer each such "
        "request with a written proposal, stating the effort and the price, within {days} Business Days."),
        ("The Supplier shall maintain the integrations with the Customer's warehouse management system and with the "
        "port community systems used at {place} and {place2}, and shall adapt them when those systems change."),
        ("The Supplier shall train up to {n} members of the Customer's staff in each Contract Year, in sessions held "
        "in {place} or online, using training material approved in advance by {person_c}."),
        ("The Supplier shall perform the Services with the skill, care and diligence expected of a leading provider of "
        "logistics analytics, in accordance with Good Industry Practice and the Policies."),
        ("The Supplier shall not change the way in which the Services are delivered, or the location from which they "
        "are delivered, without the Customer's prior written consent, which shall not be unreasonably withheld."),
        ("Where the Customer opens a new distribution hub, including the hub planned at {place} from {date}, the "
        "Supplier shall extend the Services to it on the terms of Schedule 3."),
    )),
    ("SERVICE LEVELS", (
        ("The Supplier shall make the Platform available for at least 99.5% of the time in each Service Period, "
        "measured at the Customer's gateway in {place} and excluding Permitted Maintenance."),
        ("Permitted Maintenance shall take place only between 01:00 and 05:00 UK time on Sundays, shall not exceed "
        "{hours} hours in any calendar month, and shall be announced at least {days} Business Days in advance."),
        ("Each Incident shall be given a severity in accordance with Schedule 2. The Supplier shall acknowledge a "
        "Severity 1 Incident within 30 minutes and restore the affected Service within four hours."),
        ("If the Supplier fails to meet a Service Level, the Customer shall be entitled to the Service Credits set out "
        "in Schedule 2, which shall be deducted from the next invoice."),
        ("Service Credits in any Service Period shall not exceed {pct_low} of the Monthly Charges for that period, "
        "save that this cap shall not apply where the failure results from the Supplier's wilful default."),
        ("The Supplier shall deliver a service level report to {person_c} by the {ordinal} Business Day of each "
        "month, showing performance against each Service Level and the root cause of each failure."),
        ("Where a Service Level has been missed in three consecutive Service Periods, the Supplier shall prepare a "
        "remediation plan within {days} Business Days and present it to the Steering Committee."),
        ("Service Credits are a price adjustment reflecting the reduced value of the Services and are without "
        "prejudice to the Customer's other rights and remedies."),
    )),
    ("FEES", (
        ("In consideration of the Services the Customer shall pay the Charges set out in Schedule 3, which for the "
        "first Contract Year comprise an annual platform fee of €1,250,000."),
        ("The Customer shall pay a one-time implementation fee of €386,500, of which fifty per cent is due on "
        "signature and the balance on acceptance of the integrations with the sites at {place} and {place2}."),
        ("Analyst support beyond the hours included in the Monthly Charges shall be charged at the daily rates in "
        "Part B of Schedule 3, in units of one hour."),
        ("Services delivered to the Customer's affiliate Northwind Freight Inc in the United States shall be charged "
        "at $48,000 per quarter, invoiced in US dollars."),
        ("The Charges are fixed for the first two Contract Years. Thereafter the Supplier may increase them once in "
        "each Contract Year by no more than the change in the euro area HICP index for the preceding {month}, and in "
        "any event by no more than {pct_low}."),
        ("All Charges are exclusive of value added tax, which the Customer shall pay at the applicable rate on receipt "
        "of a valid VAT invoice."),
        ("Reasonable travel expenses shall be reimbursed only where travel to a site other than {place} has been "
        "approved in advance by {person_c}, and shall in no event exceed {eur_small} for a single visit."),
        ("No Charges shall be payable for any Service that the Supplier has failed to provide, and the Supplier shall "
        "credit any such Charges already invoiced within {days} days."),
    )),
    ("INVOICING AND PAYMENT", (
        ("The Supplier shall invoice the Monthly Charges monthly in arrears, on or after the last Business Day of "
        "each month, addressed to the Customer's accounts payable team at ap@northwind-freight.example."),
        ("Each invoice shall state the purchase order number, the period to which it relates, the Services and "
        "Charges itemised by site, and any Service Credits deducted."),
        ("The Customer shall pay each undisputed invoice within {days30} days of receipt, by bank transfer to the "
        "account notified in writing by the Supplier's finance department in Hamburg."),
        ("If the Customer disputes an invoice in good faith, it shall notify the Supplier within {days} Business "
        "Days, giving its reasons, and shall pay the undisputed part in accordance with clause 6.3."),
        ("Late payment shall bear interest at {pct_low} per annum above the main refinancing rate of the European "
        "Central Bank, accruing daily from the due date until payment is made."),
        ("The Supplier shall not suspend the Services for non-payment unless an undisputed amount exceeding {eur} has "
        "remained unpaid for more than {days30} days after a written reminder to {person_c}."),
        ("The Customer may set off against any sum due to the Supplier any amount that the Supplier owes to the "
        "Customer under this Agreement."),
        ("Invoices in US dollars shall be paid from the Customer's account with Meridian Trust Bank in New York, and "
        "invoices in euro from its account with Baltic Clearing Bank in Hamburg."),
    )),
    ("TERM AND RENEWAL", (
        ("This Agreement commences on the Effective Date and, unless terminated earlier, continues for an initial "
        "term of five years ending on 13 March 2031 (the \"Initial Term\")."),
        ("The Customer may extend the Initial Term by up to two further periods of twelve months each by giving the "
        "Supplier written notice at least {days90} days before the end of the then current term."),
        ("The Service Commencement Date for the sites at London and Rotterdam shall be 12 June 2026, and for every "
        "other site the date set out in Schedule 8, unless the Implementation Plan sets a later date."),
        ("If the Services at a site have not started {days30} days after its Service Commencement Date, the Customer "
        "may delay payment of the Charges for that site until they start."),
        ("No renewal shall bind either party unless it is recorded in writing and signed by an authorised signatory "
        "of each party, who for the Customer is {person_c}."),
        ("During the final six months of the term the parties shall meet at least monthly, in {place} or by video "
        "conference, to decide whether to renew, re-tender or bring the Services in-house."),
        ("The expiry of this Agreement shall not affect the Services ordered under a Statement of Work then in "
        "progress, which shall continue until completed on the terms of this Agreement."),
    )),
    ("TERMINATION", (
        ("Either party may terminate this Agreement with immediate effect by written notice if the other commits a "
        "material breach that cannot be remedied, or that is not remedied within {days30} days of a notice "
        "describing the breach."),
        ("Either party may terminate this Agreement by written notice if the other becomes insolvent, has an "
        "administrator, receiver or liquidator appointed, or ceases to carry on business."),
        ("The Customer may terminate this Agreement for convenience on not less than {days90} days' written notice, "
        "subject to payment of the termination fee in Part D of Schedule 3."),
        ("The Customer may terminate this Agreement in whole or in part if the Supplier fails to meet the Service "
        "Level for Platform availability in any four Service Periods within a rolling twelve-month period."),
        ("The Customer may terminate this Agreement by written notice if the Supplier comes under the control of a "
        "competitor of the Customer, provided that the notice is given within {days90} days of the Customer "
        "becoming aware of the change."),
        ("The Supplier may terminate this Agreement only if undisputed Charges exceeding {eur} remain unpaid sixty "
        "days after a final demand sent to {contact_c}."),
        ("A notice of termination shall name the clause relied on and the date on which termination takes effect, "
        "and shall be copied to the General Counsel of the receiving party."),
    )),
    ("CONSEQUENCES OF TERMINATION AND EXIT", (
        ("On expiry or termination the Supplier shall provide the Exit Services set out in Schedule 7 for up to "
        "{months} months, at the rates in Schedule 3, so that the Services pass without interruption to the Customer "
        "or a Replacement Supplier."),
        ("Within {days} Business Days after a notice of termination the Supplier shall deliver an updated exit plan "
        "to {person_c}, listing each data set, integration and report to be transferred."),
        ("The Supplier shall return all Customer Data in a commonly used, machine-readable format, then delete it "
        "from its systems in {place_eu} and {place_eu} and certify the deletion in writing."),
        ("The Supplier shall give any Replacement Supplier reasonable access to its staff and documentation, once "
        "the Replacement Supplier has signed a confidentiality undertaking in the form set out in Schedule 7."),
        ("Clauses 9, 10, 11, 14, 15 and 30, and any other provision intended to survive, shall survive the expiry or "
        "termination of this Agreement."),
        ("Termination shall not affect any rights or remedies that have accrued by the date of termination, "
        "including the right to claim damages for any breach that existed at or before that date."),
    )),
    ("LIMITATION OF LIABILITY", (
        ("Nothing in this Agreement limits or excludes liability for death or personal injury caused by negligence, "
        "for fraud or fraudulent misrepresentation, or for any other liability that cannot be limited by law."),
        ("Subject to clause 10.1, each party's total liability in each Contract Year arising under or in connection "
        "with this Agreement shall not exceed one hundred and fifty per cent of the Charges paid or payable in that "
        "Contract Year."),
        ("Subject to clause 10.1, neither party shall be liable for loss of profits, loss of business, loss of "
        "goodwill or any indirect or consequential loss, however arising."),
        ("The Supplier's liability for breach of clause 11 (Data Protection) or clause 14 (Confidentiality) shall be "
        "subject to a separate aggregate cap of {eur_big}."),
        ("The following losses are recoverable by the Customer as direct losses: the cost of restoring lost Customer "
        "Data; the cost of procuring replacement services for up to {months} months; and regulatory fines to the "
        "extent that the law allows their recovery."),
        ("Each party shall take reasonable steps to mitigate any loss for which it may claim, including, where the "
        "loss arises at a site such as {place}, by using the contingency arrangements in Schedule 7."),
        ("No claim may be brought under this Agreement more than {years} years after the claimant became aware, or "
        "ought reasonably to have become aware, of the facts giving rise to it."),
    )),
    ("DATA PROTECTION", (
        ("For Personal Data processed in the course of the Services the Customer is the controller and the Supplier "
        "is the processor. The particulars of the processing are set out in Schedule 6."),
        ("The Supplier shall process Personal Data only on the documented instructions of the Customer, including as "
        "to transfers to a third country, unless the law requires otherwise, in which case it shall tell the "
        "Customer first."),
        ("The Supplier shall host the Customer Data only in its data centres in {place_eu} and {place_eu}, and shall "
        "not transfer it outside the European Economic Area or the United Kingdom without the Customer's prior "
        "written consent."),
        ("The Supplier shall notify the Customer's data protection team at privacy@northwind-freight.example without "
        "undue delay, and in any event within {hours} hours, after becoming aware of a Personal Data Breach."),
        ("The Supplier shall ensure that every person authorised to process Personal Data is bound by a duty of "
        "confidentiality and has completed data protection training within the preceding twelve months."),
        ("The Supplier shall assist the Customer, at no additional charge for up to {hours} hours in each Contract "
        "Year, in answering requests from data subjects and in carrying out data protection impact assessments."),
        ("The Supplier's Data Protection Officer, Ms. Chiara Bellini (chiara.bellini@halvorsen-analytics.example), "
        "shall be the Customer's point of contact for all questions about the processing."),
        ("The Customer may, on {days} Business Days' notice, audit the Supplier's compliance with this clause, itself "
        "or through an independent auditor bound by confidentiality, once in each Contract Year and at any time "
        "after a Personal Data Breach."),
    )),
    ("INFORMATION SECURITY", (
        ("The Supplier shall hold ISO/IEC 27001 certification covering the whole of the Services throughout the "
        "term, and shall send a copy of each new certificate to {person_c} within {days} Business Days of its issue."),
        ("The Supplier shall encrypt Customer Data in transit and at rest using industry-standard algorithms, and "
        "shall keep the encryption keys in a hardware security module located in {place_eu}."),
        ("The Supplier shall commission an independent penetration test of the Platform at least once in each "
        "Contract Year, and shall remedy every critical finding within {days} days and every high finding within "
        "{days30} days."),
        ("Access to the production environment shall be limited to named engineers of the Supplier in {place} and "
        "{place2}, shall require multi-factor authentication, and shall be logged."),
        ("The Supplier shall keep security logs for at least {months} months and shall make them available on "
        "request to the Customer's security team, led by Mr. Daniel Okafor."),
        ("The Supplier shall test its business continuity and disaster recovery plan at least twice a year, with a "
        "recovery time objective of {hours} hours and a recovery point objective of fifteen minutes."),
    )),
    ("SUBCONTRACTING AND ASSIGNMENT", (
        ("The Supplier shall not subcontract any part of the Services without the Customer's prior written consent. "
        "The subcontractors listed in Schedule 5 are approved as at the Effective Date."),
        ("The Supplier shall remain responsible for the acts and omissions of its subcontractors as if they were its "
        "own, and the approval of a subcontractor shall not relieve the Supplier of any obligation."),
        ("Before engaging a new subprocessor of Personal Data the Supplier shall give the Customer at least {days30} "
        "days' notice, during which the Customer may object on reasonable grounds."),
        ("Each subcontract shall contain terms on confidentiality, data protection, audit and information security "
        "that protect the Customer no less than those of this Agreement."),
        ("The Supplier shall pay its subcontractors within {days30} days of receiving a valid invoice and shall "
        "include an equivalent payment term in each subcontract."),
        ("The Customer's consent to the engagement of {org} for services delivered from {place} shall not extend to "
        "any affiliate of that company unless given separately in writing."),
        ("Neither party may assign, novate or otherwise transfer this Agreement without the prior written consent of "
        "the other, save that the Customer may assign it to any member of the Northwind Freight group on notice."),
    )),
)
