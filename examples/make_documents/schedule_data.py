"""The facts the contract's schedules set out: modules, sites, carriers, service levels, rates, subcontractors."""

MODULES = (
    ("Shipment Visibility", ("live tracking of containers, trailers and rail wagons across the Customer's network, "
                            "with estimated times of arrival refreshed every fifteen minutes")),
    ("Demand Forecasting", ("weekly forecasts of inbound and outbound volumes for each site, by product family and "
                           "by customer, over a horizon of twenty-six weeks")),
    ("Capacity Planning", ("scenario models of dock doors, yard slots and labour shifts, used to plan for peak "
                          "seasons")),
    ("Carrier Performance", ("scorecards for each road, rail and ocean carrier covering punctuality, damage rates, "
                            "claims and cost per unit")),
    ("Emissions Reporting", ("greenhouse gas emissions per shipment calculated under the GLEC Framework, with "
                            "quarterly reports for the Customer's sustainability disclosures")),
    ("Customs Analytics", ("monitoring of customs declarations and clearance times at each border crossing, with an "
                          "alert for any shipment held for more than four hours")),
    ("Inventory Insight", ("daily stock positions for each warehouse, with an ageing analysis and alerts for stock "
                          "at risk of becoming obsolete")),
    ("Cost-to-Serve", ("allocation of transport, handling and storage costs to each customer and lane, refreshed "
                      "monthly")),
    ("Exception Management", ("a queue of late, damaged or misrouted shipments with suggested actions, linked to the "
                             "Customer's customer service tools")),
    ("Analyst Services", ("a team of analysts who answer questions, build bespoke reports and present their findings "
                         "at the monthly service review")),
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
    ("Severity 1: the Platform is unavailable, or a Service used at two or more sites cannot be used, or Customer "
    "Data may have been disclosed. The Supplier works on the Incident around the clock until it is resolved."),
    ("Severity 2: a Service is seriously degraded at one site, or a forecast or report is late by more than one "
    "Business Day. The Supplier works on the Incident during extended business hours, 07:00 to 22:00 CET."),
    ("Severity 3: a fault that affects some users but has a workaround, such as a dashboard that shows stale "
    "figures for one lane. The Supplier resolves it within five Business Days."),
    ("Severity 4: a cosmetic fault or a question about how to use a Service. The Supplier answers within ten "
    "Business Days or schedules a fix for the next release."),
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
    ("Pinecrest Software Inc", "Boston", ("monitoring software used to measure availability, receiving no Customer "
                                         "Data beyond technical logs"), False),
    ("Kestrel Translation Ltd", "Manchester", "translation of training material into Dutch, German and Norwegian",
     False),
    ("Rhine Valley Security GmbH", "Cologne", "the annual independent penetration test", False),
    ("Solent Data Recovery Ltd", "Southampton", "encrypted off-site backup of the Platform's databases", True),
)
EXIT_STEPS = (
    ("Within ten Business Days of a notice of termination, the Service Managers meet to confirm the exit timetable "
    "and name the people responsible for each step."),
    ("The Supplier delivers an inventory of all Customer Data, listing each database, file store and backup, its "
    "location and its size."),
    ("The Supplier exports the historical shipment records, forecasts and carrier scorecards in CSV and Parquet "
    "formats, with a data dictionary for each table."),
    ("The Supplier documents each integration: the message formats, the endpoints, the schedules and the error "
    "handling, so that a Replacement Supplier can rebuild it."),
    ("The Supplier runs the Services in parallel with the Replacement Supplier for up to two Service Periods, and "
    "the Service Levels continue to apply during that time."),
    ("The Supplier hands over the configuration of every dashboard and report, including the definitions of each "
    "measure and the filters applied."),
    ("The Supplier's analysts hold up to ten knowledge-transfer sessions with the Customer's staff or the "
    "Replacement Supplier, in London or online."),
    ("The Supplier transfers the Customer's user accounts and access rights in a form the Replacement Supplier can "
    "import, and then disables them on the Platform."),
    ("The Customer confirms in writing that the data received is complete, or lists what is missing within ten "
    "Business Days of receipt."),
    ("The Supplier deletes all Customer Data from its production systems within thirty days of the Customer's "
    "confirmation, and from its backups within ninety days."),
    ("The Supplier's Data Protection Officer certifies the deletion in writing, naming each system and the date of "
    "deletion."),
    "The parties meet for a final review of the exit, close any open Change Requests and settle the final invoice.",
)
REPORTS = (
    ("Weekly demand forecast", "weekly", "volumes by site, product family and customer for the next twenty-six weeks"),
    ("Service level report", "monthly", ("performance against each Service Level, the Service Credits and the root "
                                        "causes of failures")),
    ("Incident report", "after each Severity 1 or 2 Incident", "the timeline, cause, impact and preventive actions"),
    ("Carrier scorecard", "monthly", "punctuality, damage, claims and cost for each carrier"),
    ("Emissions report", "quarterly", "greenhouse gas emissions by lane and mode under the GLEC Framework"),
    ("Capacity outlook", "monthly", "the use of docks, yards and labour at each site over the next eight weeks"),
    ("Customs clearance report", "weekly", "clearance times and held shipments at each border crossing"),
    ("Inventory ageing report", "weekly", "stock by age band, and stock at risk, at each warehouse"),
    ("Cost-to-serve report", "monthly", ("the costs allocated to each customer and lane, with the change on the "
                                        "previous month")),
    ("Forecast accuracy report", "quarterly", ("the forecast error by site and lane, with the causes of the largest "
                                              "errors")),
    ("Security report", "quarterly", "vulnerabilities found and fixed, access reviews and security incidents"),
    ("Change log", "monthly", "every Change Request and its status"),
    ("Risk register", "monthly", "the risks to the Services, their owners and their mitigations"),
    ("Quarterly business review pack", "quarterly", "a summary of all the above for the Steering Committee"),
)
SECURITY_REQUIREMENTS = (
    ("Access to Customer Data is granted on the principle of least privilege and reviewed every quarter by the "
    "Supplier's security officer."),
    "All administrative access uses multi-factor authentication with hardware keys.",
    ("Laptops used by the Supplier's staff are encrypted, centrally managed and patched within fourteen days of a "
    "patch's release."),
    "Production and test environments are kept apart, and Customer Data is used for testing only once masked.",
    "Backups are encrypted, kept for thirty-five days and restored in a test at least once a quarter.",
    ("Vulnerability scans of all internet-facing systems run weekly, and critical findings are fixed within {days} "
    "days."),
    "Security events go to a monitoring service staffed around the clock and operated from {place_eu}.",
    "The Supplier's staff complete security awareness training when they join and every year after that.",
    "Suppliers of the Supplier that handle Customer Data are assessed before they are engaged and every two years.",
    ("Security incidents are reported to the Customer's security team at security@northwind-freight.example within "
    "{hours} hours."),
)
DATA_PARTICULARS = (
    ("Subject matter", ("the analysis of freight movements, warehouse operations and carrier performance for the "
                       "Customer")),
    ("Duration", "the term of this Agreement and the exit period, and then until deletion under Schedule 7"),
    ("Nature and purpose", ("collection from the Customer's systems, storage, analysis, forecasting and reporting, "
                           "for the purpose of providing the Services")),
    ("Data subjects", ("the Customer's employees, drivers employed by carriers, consignees named on shipments and "
                      "the Customer's customer contacts")),
    ("Personal Data", ("names, business contact details, driver identifiers, vehicle registration numbers, delivery "
                      "addresses and signatures captured on proof of delivery")),
    ("Special categories", "none; the Customer shall not send special category data to the Platform"),
    ("Locations", ("the Supplier's data centres in Frankfurt and Dublin and its offices in Hamburg and Oslo, and no "
                  "other location without the Customer's written consent")),
    ("Retention", ("shipment records are kept for seven years and proof-of-delivery signatures for eighteen months, "
                  "unless the Customer instructs otherwise")),
    ("Security measures", ("the measures in clause 12, including encryption, multi-factor authentication and "
                          "logging of all access")),
)
