"""URLs made safe to show: what we put in an error, a run message, a task-run name or a log line never carries a
URL's password, user name or query values (tokens often travel there); a text that leaves the machine (a cassette
of model calls) has every URL in it redacted the same way."""

from __future__ import annotations

import re
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


URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)


def redacted_text(text: str) -> str:
    """The text with every URL in it redacted as redacted_url does; redacting twice changes nothing more."""
    return URL_IN_TEXT.sub(lambda match: redacted_url(match.group(0)), text)
