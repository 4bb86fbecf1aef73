"""URLs made safe to show: what we put in an error, a run message, a task-run name or a log line never carries a
URL's password, user name or query values (tokens often travel there)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "***"


def redacted_url(url: str) -> str:
    """The URL with its userinfo and the value of each query parameter replaced by ***; anything unparsable whole."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return REDACTED
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{REDACTED}@{host}{port}" if "@" in parts.netloc else parts.netloc
    query = urlencode([(key, REDACTED) for key, _ in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    if parts.query and not query:
        query = REDACTED
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
