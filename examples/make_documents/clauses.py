"""The text of the contract's clauses: definitions, interpretation, clauses 3-30 and the sentences that follow them."""

from .clauses_legal import LEGAL_ARTICLES
from .clauses_operational import OPERATIONAL_ARTICLES

ARTICLES = OPERATIONAL_ARTICLES + LEGAL_ARTICLES
"""The clauses after the definitions, numbered from 3: a title and the templates of its sub-clauses."""

FOLLOW_UPS = (
    "Any notice given under this sub-clause shall be copied to {contact_c}.",
    ("The Supplier shall record what it does under this sub-clause in the service log kept at its {place} "
    "operations centre and show the entries to the Customer within {days} Business Days of a request."),
    "Where the amount at stake exceeds {eur}, the matter shall first be referred to the Steering Committee.",
    "This obligation applies from {date} to every site served from {place}.",
    ("For the avoidance of doubt, this sub-clause applies equally to Services delivered to the Customer's Affiliates "
    "in {place} and {place2}."),
    ("The Supplier shall bear its own costs of complying with this sub-clause unless the Customer has agreed "
    "otherwise in writing."),
    "Any consent required under this sub-clause may be given for the Customer by {person_c}.",
    "Where the Customer's operations at {place} are affected, the Supplier shall give that site priority.",
    "The Supplier shall confirm its compliance with this sub-clause in each quarterly business review pack.",
    "Any period in this sub-clause shall be extended by the length of any delay caused by the Customer.",
    ("A failure to comply with this sub-clause on more than {n_small} occasions in a Contract Year shall be a "
    "material breach."),
    "The Customer's contact for matters under this sub-clause is {contact_c}; the Supplier's is {contact_s}.",
    ("If the parties cannot agree how this sub-clause applies within {days} Business Days, either may refer the "
    "question to the procedure in clause 20."),
    "Records made under this sub-clause shall be kept for at least {years} years.",
    ("The Supplier shall adopt any reasonable recommendation the Customer makes under this sub-clause within "
    "{days30} days, or explain in writing why it cannot."),
    "The parties shall review this sub-clause at the Steering Committee meeting held in {place} each {month}.",
    ("Where the Services are delivered from more than one location, this sub-clause applies to each of them "
    "separately."),
    ("The Supplier shall brief its staff in {place} on this sub-clause within {days} Business Days of the "
    "Effective Date."),
    ("Any sum payable under this sub-clause shall be paid in euro unless it relates to Services invoiced in US "
    "dollars."),
    "The rights in this sub-clause are in addition to, and not instead of, the Customer's rights under {clause}.",
    ("By way of example, an outage at the {place} hub on a {weekday} in {month} lasting {hours} hours would fall "
    "within this sub-clause."),
    ("The Customer shall co-operate with the Supplier, acting reasonably, to allow it to meet this obligation, "
    "including by giving access to its premises at {address}."),
    "Questions from the Supplier's subcontractors about this sub-clause shall be raised through {person_s}.",
    ("The Supplier may not rely on any act or omission of {org} as an excuse for failing to comply with this "
    "sub-clause."),
    "The Supplier shall give the Customer at least {days} Business Days' notice before relying on this sub-clause.",
    "Both parties shall act in good faith in applying this sub-clause.",
    ("Nothing in this sub-clause obliges the Customer to disclose information about its own customers beyond what "
    "the Services need."),
    ("Where this sub-clause counts days, days on which the port of {place} is closed for a public holiday do not "
    "count."),
    "A report required by this sub-clause shall be sent to {contact_c} as a PDF and in a machine-readable format.",
    "The Supplier shall name a deputy for each role involved in this sub-clause, based in {place} or {place2}.",
    ("Charges for work under this sub-clause shall not exceed {eur_small} in any calendar month without the prior "
    "approval of {person_c}."),
    "The Supplier acknowledges that the Customer entered into this Agreement relying on this commitment.",
    ("This sub-clause applies whether the Service concerned is provided by the Supplier itself or by a "
    "subcontractor such as {org}."),
    ("The Supplier's Service Manager shall report on this sub-clause at each monthly service review, the next of "
    "which is due on {date}."),
    "This sub-clause does not apply to the pilot Services delivered in {place} before the Effective Date.",
    "The Customer's internal auditors may check compliance with this sub-clause as part of their annual audit plan.",
    ("Where this sub-clause sets a period, the Supplier shall tell {contact_c} as soon as it sees that the period "
    "will not be met."),
    "The Supplier shall keep its practice under this sub-clause in line with Good Industry Practice as it develops.",
    ("In {month} of each Contract Year the Supplier shall confirm in writing that it has complied with this "
    "sub-clause."),
    ("For a site opened after the Effective Date, this sub-clause applies from that site's Service Commencement "
    "Date."),
    "The Supplier may not charge for anything it does under this sub-clause unless Schedule 3 provides for it.",
    "Where a subcontractor such as {org} is involved, the Supplier shall pass the terms of this sub-clause on to it.",
    "A dispute about this sub-clause shall not delay the payment of undisputed Charges.",
    ("The Customer's Service Manager may waive this requirement for a single occasion by email; no waiver extends to "
    "later occasions."),
    "This sub-clause was settled at the negotiation meeting held in {place} on 19 February 2026.",
    ("Either party may ask for a meeting about this sub-clause, to be held within {days} Business Days in {place} or "
    "by video conference."),
    ("If the Supplier fails to comply with this sub-clause, it shall say in writing, within {days} Business Days, how "
    "it will prevent the failure from recurring."),
    "The obligations in this sub-clause apply equally at the Supplier's offices in Hamburg and Oslo.",
    "Nothing in this sub-clause limits the Supplier's obligations under clause 11 (Data Protection).",
)
"""Sentences that follow a sub-clause's own, drawn in turn so that no two sub-clauses read alike."""

DEFINITIONS = (
    ('Affiliate', ("any company that controls, is controlled by or is under common control with a party from time to "
                  "time")),
    ('Business Day', "a day other than a Saturday, a Sunday or a public holiday in England, in Hamburg or in Norway"),
    ('Change Note', "a written record of an agreed change, signed by both parties under clause 18"),
    ('Change Request', "a request for a change made under clause 18"),
    ('Charges', "the charges set out in Schedule 3"),
    ('Confidential Information', ("all information of a confidential nature disclosed by or for a party, in any "
                                 "form, including the terms of this Agreement, prices, forecasts, customer lists and "
                                 "technical data")),
    ('Contract Year', "each period of twelve months starting on the Effective Date or on an anniversary of it"),
    ('Customer Data', ("all data, including Personal Data, supplied by or for the Customer or generated by the "
                      "Services from such data, including shipment records, container movements and warehouse stock "
                      "positions")),
    ('Deliverables', ("all reports, dashboards, forecasts, models configured for the Customer and other materials "
                     "supplied as part of the Services")),
    ('Effective Date', "14 March 2026"),
    ('Escrow Agent', "the escrow agent named in Schedule 11, or any replacement the parties agree in writing"),
    ('Exit Services', "the services described in Schedule 7"),
    ('Force Majeure Event', ("an event beyond the reasonable control of the party affected, including flood, fire, "
                            "epidemic, war, terrorism, strikes by third parties and the failure of a public "
                            "electricity grid, but excluding the events described in clause 17.2")),
    ('Good Industry Practice', ("the skill, care, prudence and foresight that would reasonably be expected of a "
                               "skilled and experienced provider of similar services in Europe")),
    ('Implementation Plan', ("the plan for bringing the Services into operation at each site, to be agreed by the "
                            "parties no later than 30 April 2026")),
    ('Incident', "any unplanned interruption to, or reduction in the quality of, a Service"),
    ('Intellectual Property Rights', ("patents, copyright, database rights, rights in software, trade marks, design "
                                     "rights, know-how and all similar rights anywhere in the world, whether "
                                     "registered or not")),
    ('Monthly Charges', "the recurring Charges payable for each calendar month under Part A of Schedule 3"),
    ('Permitted Maintenance', "maintenance carried out in accordance with clause 4.2"),
    ('Personal Data', ("has the meaning given in the UK GDPR and in Regulation (EU) 2016/679, as do \"Personal Data "
                      "Breach\", \"controller\" and \"processor\"")),
    ('Platform', ("the Supplier's Halvorsen Horizon freight-analytics platform, including its forecasting engine, "
                 "dashboards and programming interfaces and all updates to them")),
    ('Policies', ("the Customer's information security, supplier conduct and travel policies, as notified to the "
                 "Supplier from time to time")),
    ('Replacement Supplier', ("any third party appointed by the Customer to provide services in place of any of the "
                             "Services")),
    ('Service Commencement Date', "the date on which the Services start at a site under clause 7.3"),
    ('Service Credit', "a sum calculated under Schedule 2 for a failure to meet a Service Level"),
    ('Service Level', "each performance standard set out in Schedule 2"),
    ('Service Manager', "the person each party appoints under Schedule 4 to manage the Services from day to day"),
    ('Service Period', "a calendar month"),
    ('Services', ("the services described in clause 3 and Schedule 1, with the Exit Services and any services added "
                 "under clause 18")),
    ('Statement of Work', ("a document in the form set out in Schedule 4 describing a project to be carried out "
                          "under this Agreement")),
    ('Steering Committee', "the committee established under clause 19.1"),
)

INTERPRETATION = (
    ("Clause, Schedule and paragraph headings do not affect the interpretation of this Agreement. The Schedules form "
    "part of this Agreement."),
    ("If the clauses and the Schedules conflict, the clauses prevail, save that Schedule 6 prevails as to the "
    "processing of Personal Data."),
    ("A reference to a statute is to it as amended or re-enacted from time to time, and includes subordinate "
    "legislation made under it."),
    "Words such as \"including\" and \"in particular\" illustrate and do not limit the words before them.",
    "A reference to writing includes email but no other form of electronic message.",
    ("Where an amount in euro must be converted, it shall be converted at the reference rate of the European Central "
    "Bank on the date of the invoice."),
)
