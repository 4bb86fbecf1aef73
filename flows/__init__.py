"""One module per pipeline. Importing any of them sets the log format (AGENTIC_LOG_FORMAT).

Run as a command (`python -m flows.ticket_triage …`) with no PREFECT_API_URL, a pipeline talks to the project's
local Prefect server (started in the background when none answers), chosen here, before anything imports Prefect:
Prefect reads its settings once, when first imported.
"""

import os
import sys

from agentic_kit.operate import use_local_server

if sys.argv[:1] == ["-m"] and not os.environ.get("PREFECT_API_URL"):  # `python -m flows.…`, while it is located
    use_local_server()

from agentic_kit.operate import apply_log_format  # it imports Prefect: only after the API is chosen

apply_log_format()
