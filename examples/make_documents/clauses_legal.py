"""Clauses 14-30 of the contract: confidentiality, intellectual property, disputes, compliance and the general terms."""

from __future__ import annotations

LEGAL_ARTICLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("CONFIDENTIALITY", (
        ("Each party shall keep the other's Confidential Information confidential and shall use it only to perform "
        "its obligations or exercise its rights under this Agreement."),
        ("A party may disclose Confidential Information to its employees, officers, professional advisers and "
        "subcontractors who need to know it, provided that they are bound by duties of confidentiality no less "
        "strict than this clause."),
        ("This clause does not apply to information that is or becomes public other than through a breach of this "
        "Agreement, or that the recipient already held lawfully and without restriction."),
        ("A party may disclose Confidential Information where the law, a court or a regulator requires it, provided "
        "that, where lawful, it gives the other party as much notice as it can."),
        ("The terms of this Agreement, including the Charges, are Confidential Information of both parties. Neither "
        "party shall issue a press release about this Agreement without the approval of {person_c}."),
        ("The duties in this clause continue for {years} years after the end of this Agreement, and without limit of "
        "time for trade secrets and Personal Data."),
    )),
    ("INTELLECTUAL PROPERTY AND ESCROW", (
        ("All Intellectual Property Rights in the Platform and in the Supplier's forecasting models remain with the "
        "Supplier or its licensors."),
        ("The Supplier grants the Customer and its Affiliates a non-exclusive, royalty-free licence to use the "
        "Platform and the Deliverables for their internal business purposes during the term and the exit period."),
        ("All Intellectual Property Rights in the Customer Data and in reports prepared only for the Customer, "
        "including the lane profitability reports for {place} and {place2}, vest in the Customer on creation."),
        ("The Supplier shall indemnify the Customer against all losses arising from any claim that the Platform "
        "infringes the Intellectual Property Rights of a third party, provided that the Customer tells the Supplier "
        "of the claim within {days} Business Days."),
        ("If the Platform becomes, or in the Supplier's reasonable opinion is likely to become, the subject of an "
        "infringement claim, the Supplier shall at its own cost obtain the right to continue using it or change it "
        "so that it no longer infringes."),
        ("The Supplier shall deposit the source code of the Platform and its build documentation with the Escrow "
        "Agent, and shall update the deposit after each major release and at least every {months} months."),
    )),
    ("INSURANCE", (
        ("The Supplier shall maintain with reputable insurers professional indemnity insurance of not less than "
        "{eur_big} for each claim, and cyber liability insurance of not less than {eur_big} in the aggregate."),
        ("The Supplier shall maintain employer's liability and public liability insurance as the law requires in "
        "each country from which the Services are delivered, including Germany, Norway and the United Kingdom."),
        ("The Supplier's insurance is placed through Thamesgate Insurance Ltd in London. The Supplier shall give the "
        "Customer a broker's letter confirming cover on each renewal, the first no later than {date}."),
        ("The Supplier shall do nothing that would invalidate its insurance and shall tell the Customer within {days} "
        "Business Days if any policy is cancelled or its cover reduced."),
        "The existence of insurance shall not limit the Supplier's liability under this Agreement.",
    )),
    ("FORCE MAJEURE", (
        ("Neither party shall be liable for any delay or failure to perform caused by a Force Majeure Event, "
        "provided that it notifies the other party promptly and uses all reasonable efforts to resume performance."),
        ("A Force Majeure Event does not include a failure of a subcontractor, unless that failure itself results "
        "from a Force Majeure Event, nor any event that the Supplier's business continuity plan should have "
        "prevented."),
        ("If a Force Majeure Event prevents the Supplier from providing the Services at the sites in {place} or "
        "{place2} for more than {days30} consecutive days, the Customer may terminate the affected Services by "
        "written notice."),
        ("During a Force Majeure Event the Customer need not pay for Services that are not provided, and may obtain "
        "them from a third party without breach of this Agreement."),
        ("The party affected by a Force Majeure Event shall report weekly to the other party's contract manager, who "
        "for the Customer is {person_c}, on the steps being taken to overcome it."),
    )),
    ("CHANGE CONTROL", (
        ("Either party may propose a change to the Services or to this Agreement by sending a Change Request in the "
        "form set out in Schedule 4 to the other party's contract manager."),
        ("The Supplier shall assess each Change Request within {days} Business Days and provide an impact assessment "
        "covering the effect on the Services, the Service Levels, the Charges and the Implementation Plan."),
        ("No change shall take effect unless recorded in a Change Note signed on behalf of both parties; a change "
        "with a value above {eur} must be signed for the Customer by {person_c}."),
        ("The Supplier shall not charge for assessing a Change Request unless the assessment takes more than {hours} "
        "hours of effort and the Customer has agreed the cost in advance."),
        ("Changes required by a change in law shall be made at the Supplier's cost where the change applies "
        "generally to providers of analytics services, and otherwise as agreed under this clause."),
        ("The Supplier shall keep a change log, numbered in sequence from CR-{cr}, and shall present it at each "
        "monthly service review."),
    )),
    ("GOVERNANCE, REPORTING AND AUDIT", (
        ("The parties shall establish a Steering Committee, chaired in turn by Ms. Priya Raman for the Customer and "
        "Dr. Ingrid Halvorsen for the Supplier, which shall meet every quarter in London, Hamburg or Oslo."),
        ("The Service Managers shall hold a monthly service review, in {place} or by video conference, to review "
        "performance, open Incidents, the change log and the risk register."),
        ("The Supplier shall deliver a quarterly business review pack to the Customer at least {days} Business Days "
        "before each Steering Committee meeting, including a forecast accuracy report for each trade lane."),
        ("The Supplier shall keep complete and accurate records of the Services and the Charges for at least {years} "
        "years after the end of this Agreement."),
        ("The Customer, its auditors and any regulator of the Customer may audit the Supplier's records, premises and "
        "systems on {days} Business Days' notice, and the Supplier shall give them all reasonable assistance."),
        ("If an audit reveals an overcharge of more than {pct_low} of the Charges for the audited period, the "
        "Supplier shall repay the overcharge with interest and bear the reasonable cost of the audit."),
        ("Each party shall replace its members of the Steering Committee only on {days30} days' notice, and shall "
        "ensure that each replacement has equivalent authority."),
    )),
    ("DISPUTE RESOLUTION", (
        ("The parties shall try to resolve any dispute first through their Service Managers, who shall meet within "
        "{days} Business Days of a written request by either of them."),
        ("A dispute not resolved within {days30} days shall go to the Steering Committee and then to Dr. Ingrid "
        "Halvorsen and Ms. Priya Raman, who shall meet in London or Hamburg within a further {days} Business Days."),
        ("If the dispute remains unresolved, either party may refer it to mediation administered by the Centre for "
        "Effective Dispute Resolution in London, the mediator's costs being shared equally."),
        ("Technical disputes about the measurement of Service Levels may, by agreement, be referred to an independent "
        "expert appointed by the parties, whose decision shall be final and binding save for manifest error."),
        ("Nothing in this clause prevents a party from seeking urgent interim relief from a court, and the Supplier "
        "shall continue to provide the Services in full while any dispute is being resolved."),
    )),
    ("WARRANTIES", (
        ("Each party warrants that it has full power and authority to enter into and perform this Agreement, and "
        "that this Agreement has been signed by its duly authorised representatives."),
        ("The Supplier warrants that the Platform will perform materially in accordance with its documentation, and "
        "that each Deliverable will be free from material defects for {days90} days after its acceptance."),
        ("The Supplier warrants that it will not knowingly introduce any virus or disabling code into the Customer's "
        "systems, and that it will scan every file it delivers with up-to-date anti-virus software."),
        ("The Supplier warrants that the forecasting models used for the Customer were trained and tested on data it "
        "is entitled to use, and it shall tell the Customer of any material change to those models."),
        ("The Supplier warrants that the information in its tender response of 14 November 2025, including the "
        "references it gave from {org}, was true and accurate."),
        ("Except as expressly set out in this Agreement, all warranties, conditions and terms implied by statute or "
        "common law are excluded to the fullest extent the law permits."),
    )),
    ("CUSTOMER OBLIGATIONS", (
        ("The Customer shall give the Supplier timely access to the data, systems and staff reasonably needed for "
        "the Services, including read access to the shipment database in its {place} data centre."),
        ("The Customer shall appoint a Service Manager with authority to take day-to-day decisions, and shall tell "
        "the Supplier of any change of Service Manager within {days} Business Days."),
        ("The Customer shall ensure, so far as it knows, that the data it supplies is accurate and complete, and "
        "shall correct any error the Supplier reports within {days} Business Days."),
        ("The Customer is responsible for the use of the Platform by its users and shall ensure that they keep their "
        "passwords secret and do not share accounts."),
        ("Where the Supplier's staff work at the Customer's premises, including those at {address}, the Customer "
        "shall provide desks, network access and a safety induction."),
        ("If the Customer fails to perform any of these obligations, the Supplier is relieved of its own only to the "
        "extent that the failure prevents performance, and only if it tells the Customer promptly."),
    )),
    ("ACCEPTANCE", (
        ("Each integration and each Deliverable that the Implementation Plan makes subject to acceptance shall be "
        "tested against the acceptance criteria set out in the Implementation Plan."),
        ("The Supplier shall give the Customer at least {days} Business Days' notice that a Deliverable is ready for "
        "acceptance testing, with the test scripts and the test data to be used."),
        ("The Customer shall carry out the acceptance tests within {days30} days, with the Supplier's support, at "
        "its offices in {place} or remotely."),
        ("If a Deliverable fails an acceptance test, the Supplier shall correct the defect and submit it for a "
        "repeat test within {days} Business Days at no additional charge."),
        ("If a Deliverable fails a third acceptance test, the Customer may reject it and recover the Charges paid "
        "for it, or accept it with a reasonable reduction in the Charges."),
        ("Acceptance is confirmed by a certificate signed by {person_c}. Use of a Deliverable in live operation for "
        "more than {days30} days without objection counts as acceptance."),
    )),
    ("PERSONNEL", (
        ("The Supplier shall ensure that the key personnel named in Schedule 4 give the Services the time stated "
        "there, and shall not remove them without the Customer's consent."),
        ("The Supplier shall carry out background checks on every person who will have access to Customer Data, to "
        "the standard of BS 7858 or its equivalent in Germany and Norway."),
        ("The Customer may, on reasonable grounds, require the Supplier to remove any person from the Services, and "
        "the Supplier shall provide a suitably qualified replacement within {days30} days."),
        ("On the Customer's premises, including the sites at {place} and {place2}, the Supplier's staff shall follow "
        "the Customer's site rules, including its safety rules for yards and quays."),
        ("The parties do not expect the Transfer of Undertakings (Protection of Employment) Regulations 2006 to "
        "apply at the start or end of this Agreement; if they do, the parties shall consult each other in good "
        "faith."),
        ("Neither party shall, during the term and for six months after it, solicit any employee of the other who "
        "has been closely involved in the Services, save through a general advertisement."),
    )),
    ("COMPLIANCE, ANTI-BRIBERY AND MODERN SLAVERY", (
        ("Each party shall comply with all laws that apply to it in connection with this Agreement, including the "
        "Bribery Act 2010 and the sanctions and export control laws of the United Kingdom, the European Union and "
        "Norway."),
        ("The Supplier shall not offer the Customer's staff any gift or hospitality worth more than {eur_small} in a "
        "Contract Year without the prior approval of the Customer's General Counsel."),
        ("The Supplier shall take reasonable steps to ensure that there is no slavery or human trafficking in its "
        "supply chains, and shall publish a modern slavery statement each year."),
        ("The Supplier shall tell the Customer promptly if it or any of its subcontractors becomes subject to a "
        "sanction, or if any of its directors is investigated for bribery or fraud."),
        ("The Supplier shall keep a register of the gifts and hospitality given or received in connection with this "
        "Agreement and make it available to the Customer on request."),
        "A breach of this clause is a material breach that cannot be remedied for the purposes of clause 8.1.",
    )),
    ("SUSTAINABILITY", (
        ("The Supplier shall run the Platform in data centres powered by renewable electricity and shall report the "
        "energy used by the Services in each Contract Year."),
        ("The Supplier shall support the Customer's target of cutting the emissions of its freight network by "
        "{pct_low} by {date_late}, including by providing the Emissions Reporting module to new sites at no extra "
        "charge."),
        ("The Supplier shall propose at least {n_small} initiatives in each Contract Year that would reduce empty "
        "running or dwell time at the Customer's sites, each with an estimate of its savings."),
        ("The Supplier's staff shall travel to the Customer's sites by rail where the journey takes less than six "
        "hours, as between Hamburg and Rotterdam or between Oslo and Gothenburg."),
        ("The Supplier shall complete the sustainability questionnaire the Customer sends each year within {days30} "
        "days, and shall tell the Customer of any material change in its environmental performance."),
    )),
    ("BUSINESS CONTINUITY", (
        ("The Supplier shall maintain a business continuity and disaster recovery plan for the Services, approved by "
        "the Customer, and shall update it at least once in each Contract Year."),
        ("The plan shall provide for the Services to continue from the Supplier's secondary data centre in "
        "{place_eu} if the primary data centre becomes unavailable."),
        ("The Supplier shall keep the weekly forecasts of the previous {months} months available offline, so that "
        "the Customer can plan its operations during an outage."),
        ("The Supplier shall invoke the plan within {hours} hours of any event that threatens the Services, and "
        "shall tell {contact_c} at once when it does so."),
        ("After each test or invocation of the plan, the Supplier shall report the results to the Steering "
        "Committee, with the actions it will take to correct any weakness found."),
    )),
    ("NOTICES", (
        ("Any notice under this Agreement shall be in writing and delivered by hand, by recorded delivery or by "
        "email to the addresses set out in this clause."),
        ("Notices to the Customer shall be addressed to Ms. Aisha Karimi, General Counsel, Northwind Freight Ltd, 88 "
        "Canary Wharf Road, London E14 5AB, with a copy by email to legal@northwind-freight.example."),
        ("Notices to the Supplier shall be addressed to Dr. Ingrid Halvorsen, Managing Director, Halvorsen Analytics "
        "GmbH, Große Elbstraße 145, 22767 Hamburg, with a copy by email to contracts@halvorsen-analytics.example."),
        ("A notice delivered by hand is received on delivery; a notice sent by recorded delivery is received at "
        "09:00 on the {ordinal} Business Day after posting; an email is received when sent, if sent in business "
        "hours."),
        ("Either party may change its address for notices by giving the other at least {days} Business Days' notice "
        "of the change."),
        ("A notice of termination or of a claim shall not be valid if given by email alone; it shall also be "
        "delivered by hand or by recorded delivery."),
    )),
    ("GOVERNING LAW AND JURISDICTION", (
        ("This Agreement and any dispute or claim arising out of or in connection with it, including non-contractual "
        "disputes, shall be governed by the law of England and Wales."),
        ("The courts of England and Wales sitting in London shall have exclusive jurisdiction, save that either party "
        "may enforce a judgment in the courts of Germany or Norway."),
        ("The Supplier irrevocably appoints Ludgate Process Agents Ltd, 20 Fenchurch Street, London EC3M 3BY, as its "
        "agent to receive service of process in England."),
        ("The United Nations Convention on Contracts for the International Sale of Goods shall not apply to this "
        "Agreement."),
    )),
    ("GENERAL", (
        ("This Agreement, with its Schedules and any Statement of Work, is the entire agreement between the parties "
        "and supersedes all earlier agreements between them, including the pilot agreement dated 19 August 2024."),
        ("No variation of this Agreement shall be effective unless it is in writing and signed by authorised "
        "signatories of both parties."),
        ("No failure or delay by a party in exercising a right shall be a waiver of it, nor shall a single or "
        "partial exercise of a right prevent its further exercise."),
        ("If any provision of this Agreement is found invalid or unenforceable, it shall be modified to the minimum "
        "extent needed to make it valid, and the rest of the Agreement shall not be affected."),
        ("Nothing in this Agreement creates a partnership or joint venture between the parties, and neither party may "
        "bind the other."),
        ("A person who is not a party has no right under the Contracts (Rights of Third Parties) Act 1999 to enforce "
        "any term of this Agreement, save for members of the Northwind Freight group."),
        ("This Agreement may be signed in counterparts, including by electronic signature, each of which is an "
        "original and which together are one agreement."),
        "Each party shall pay its own costs of negotiating and signing this Agreement.",
    )),
)
