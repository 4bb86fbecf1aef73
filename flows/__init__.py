"""One module per pipeline. Importing any of them sets the log format (AGENTIC_LOG_FORMAT, tasks/log_format.py)."""

from tasks.log_format import apply_log_format

apply_log_format()
