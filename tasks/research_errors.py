"""Errors of the research pipeline, in the hierarchy of `tasks/errors.py`: neither is worth a retry."""

from __future__ import annotations

from tasks.errors import PermanentError


class FetchRefused(PermanentError):
    """The fetch tool will not read this URL: a forbidden address, scheme, redirect, size or content type."""


class BudgetExhausted(PermanentError):
    """The next model call would take the run past its token or cost budget, so it was not made."""
