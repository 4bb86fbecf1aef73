"""`agentic chaos`: any pipeline built on the kit, under faulted upstreams and SIGKILLs, then audited item by item.

One concern a module: `settings` (what a session is and the figures its runs use), `target` (the pipeline and its
items, known by the pipeline's own ids), `upstreams` (the faulted model and enrichment servers), `workspace` (the
scratch folder and a run's environment), `runner` (one run as a subprocess, SIGKILLed on a trigger), `kills` (when
to kill), `breakers` (waiting for open circuit breakers), `audit` (what became of each item and of each request),
`session` (the runs, one after another) and `report` (the table, the JSON and the final line).

Nothing here imports the project (flows/, tasks/ …): the pipeline is imported by name, from the folder the command
runs in, as Prefect's deployments are.
"""
