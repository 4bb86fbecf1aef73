"""`agentic`: the operator's command line (Typer, as Prefect's own CLI).

Each command group is one module of this package; `app.py` puts them together. Errors are one line in plain
words on stderr with an exit code from `output.py`; `--json` prints what a script would read.
"""
