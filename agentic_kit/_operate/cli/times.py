"""Times typed on the command line: ISO dates or datetimes, read as UTC when they name no zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from agentic_kit._operate.cli.output import EXIT_USAGE, fail


def utc_moment(value: str, option: str) -> datetime:
    """An ISO date (its midnight) or datetime as an aware UTC datetime; a one-line usage error otherwise."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r} is not an ISO date or datetime (e.g. 2025-01-31 or 2025-01-31T18:00)", EXIT_USAGE)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utc_end(value: str, option: str) -> datetime:
    """The end of a range, exclusive: a plain date includes its whole day (2025-01-31 ends at 2025-02-01 00:00)."""
    moment = utc_moment(value, option)
    try:
        date.fromisoformat(value)
    except ValueError:
        return moment
    return moment + timedelta(days=1)
