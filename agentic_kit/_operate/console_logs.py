"""Prefect's console lines during `agentic run`: warnings and errors only, every line with `--verbose`.

Prefect logs about six lines a document on the console ("Task run … Finished in state Completed()"): 30,000 for
5,000 documents. Only the level of its `console` handler is raised, through PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL
(Prefect's own override of its logging config): the loggers keep their levels, so the `api` handler still ships
every line to the Prefect API and the UI shows them under their runs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

CONSOLE_LEVEL_VARIABLE = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"
QUIET_LEVEL = "WARNING"
VERBOSE_LEVEL = "NOTSET"


def show_run_logs(verbose: bool) -> None:
    """Every Prefect line on the console when verbose; else warnings and errors only, unless the variable says
    otherwise."""
    if verbose:
        os.environ[CONSOLE_LEVEL_VARIABLE] = VERBOSE_LEVEL
    else:
        os.environ.setdefault(CONSOLE_LEVEL_VARIABLE, QUIET_LEVEL)
    from prefect.logging.configuration import setup_logging

    from agentic_kit._steps.log_format import redact_logs

    setup_logging()  # applies the level now, whether or not Prefect had configured its logging already
    redact_logs()  # on the handlers setup_logging made anew


@contextmanager
def logs_above(console: Console) -> Iterator[None]:
    """Prefect's console lines printed through console, so that a live display on it stays below them."""
    from prefect.logging.handlers import PrefectConsoleHandler

    handlers = [h for h in logging.getLogger().handlers if isinstance(h, PrefectConsoleHandler)]
    own_consoles = [handler.console for handler in handlers]
    for handler in handlers:
        handler.console = console
    try:
        yield
    finally:
        for handler, own in zip(handlers, own_consoles, strict=True):
            handler.console = own
