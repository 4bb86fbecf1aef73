"""Texts made safe to show: what we put in an error, a run's or a task's message, a log line, an artifact, an event or
a cassette never carries a secret this process was given, nor a URL's password, user name or query values.

Three things are replaced by ***, whatever the text came from (our own messages, a provider's error body, an HTTP
client's exception text):
- the secrets themselves, from a process-wide registry (`register_secret`, `register_secret_url`) that the settings and
  every block holding a secret fill when they are built or loaded: API keys, tokens, auth strings, and webhook URLs in
  full, path included (a URL shown keeps its scheme and host: `https://hooks.example/***`), with their parts that
  look like tokens (a path segment such as Slack's, Discord's or Teams' `/services/T0/B0/<token>`, a password, a
  query value) wherever they show up on their own;
- anything shaped like an OpenAI-style API key (`sk-…`), registered or not;
- in every URL, its userinfo and the value of each query parameter (`redacted_url`).

The registry is one compiled alternation, rebuilt only when a secret is added; values shorter than
MIN_SECRET_CHARACTERS (`EMPTY`, `ollama`) are no secret worth hiding and are not registered.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from urllib.parse import SplitResult, parse_qsl, unquote, urlencode, urlsplit, urlunsplit

REDACTED = "***"
MIN_SECRET_CHARACTERS = 8
"""A configured secret shorter than this is not registered: hiding `EMPTY` or `ollama` would garble words."""
TOKEN_SEGMENT_CHARACTERS = 16
"""A URL path segment this long with letters and digits (or twice as long, whatever it holds) is taken for a token."""
API_KEY_SHAPE = r"(?<![A-Za-z0-9_-])sk-(?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]{16,}"
"""An OpenAI-style key (sk-…, sk-proj-…): hidden even when no setting named it (a provider echoing a key)."""

_lock = threading.Lock()
_replacements: dict[str, str] = {}
"""Each registered secret and what stands in its place."""
_url_paths: set[str] = set()
"""`scheme://host:port/path` of each registered URL: redacted_url hides the path of these."""
_pattern = re.compile(API_KEY_SHAPE)


def _revealed(value: object) -> str | None:
    """The text of a secret (a plain string or anything with get_secret_value, such as pydantic's SecretStr)."""
    reveal = getattr(value, "get_secret_value", None)
    text = reveal() if callable(reveal) else value
    return text.strip() if isinstance(text, str) and text.strip() else None


def _has_letters_and_digits(text: str) -> bool:
    return any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def looks_like_a_token(text: str, shortest: int = TOKEN_SEGMENT_CHARACTERS) -> bool:
    """Whether a part of a URL (a path segment, a password, a query value) is taken for a secret on its own."""
    return len(text) >= 2 * shortest or (len(text) >= shortest and _has_letters_and_digits(text))


def _add(secrets: dict[str, str]) -> None:
    """Register these secrets (with what replaces each) and rebuild the pattern when any is new."""
    global _pattern
    new = {secret: shown for secret, shown in secrets.items() if _replacements.get(secret) != shown}
    if not new:
        return
    with _lock:
        _replacements.update(new)
        alternatives = [re.escape(secret) for secret in sorted(_replacements, key=len, reverse=True)]
        _pattern = re.compile("|".join([*alternatives, API_KEY_SHAPE]))


def register_secret(*values: object) -> None:
    """Hide these secrets (strings or SecretStr; None and short values are skipped) in every text from now on."""
    _add({text: REDACTED for value in values
          if (text := _revealed(value)) is not None and len(text) >= MIN_SECRET_CHARACTERS})


def register_credentials(*values: object) -> None:
    """Hide `user:password` auth strings (PREFECT_API_AUTH_STRING) or keys: the whole and the password alone."""
    for value in values:
        text = _revealed(value)
        if text is not None:
            register_secret(text, text.partition(":")[2])


def _origin(parts: SplitResult) -> str:
    """`scheme://host[:port]`, without userinfo; empty when the URL names no host."""
    host = parts.hostname or ""
    if not host:
        return ""
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}"


def register_secret_url(*urls: object) -> None:
    """Hide these URLs in full (shown as `scheme://host/***`), the same URLs without userinfo or query, and their
    parts that look like tokens: path segments, a password, query values. A URL that is only an origin
    (`https://hooks.example`) holds nothing secret beyond its password and query."""
    secrets: dict[str, str] = {}
    for url in urls:
        text = _revealed(url)
        if text is None:
            continue
        try:
            parts = urlsplit(text)
            origin = _origin(parts)
            password, query = parts.password, parse_qsl(parts.query, keep_blank_values=True)
        except ValueError:
            secrets[text] = REDACTED
            continue
        shown = f"{origin}/{REDACTED}" if origin else REDACTED
        if parts.path.strip("/") and origin:
            bare = f"{origin}{parts.path}"
            secrets[bare] = shown
            with _lock:
                _url_paths.add(bare)
        if parts.path.strip("/") or password or query:
            secrets[text] = shown
        for segment in parts.path.split("/"):
            for form in {segment, unquote(segment)}:
                if looks_like_a_token(form):
                    secrets[form] = REDACTED
        for value in [password or "", *(value for _, value in query)]:
            if looks_like_a_token(value, MIN_SECRET_CHARACTERS):
                secrets[value] = REDACTED
    _add({secret: shown for secret, shown in secrets.items() if len(secret) >= MIN_SECRET_CHARACTERS})


def register_url_credentials(*urls: object) -> None:
    """Hide only the password and the query values of these URLs (a database URL: its path is a file, no secret)."""
    secrets: list[str] = []
    for url in urls:
        text = _revealed(url)
        try:
            parts = urlsplit(text or "")
            secrets += [parts.password or "", *(value for _, value in parse_qsl(parts.query))]
        except ValueError:
            continue
    register_secret(*(secret for secret in secrets if looks_like_a_token(secret, MIN_SECRET_CHARACTERS)))


def registered_secrets() -> Iterable[str]:
    """The secrets registered so far (for tests and diagnostics; never print them)."""
    return tuple(_replacements)


def scrubbed(text: str) -> str:
    """The text with every registered secret and every API-key-shaped word replaced (URLs otherwise untouched)."""
    replacements = _replacements
    return _pattern.sub(lambda match: replacements.get(match.group(0), REDACTED), text)


def redacted_url(url: str) -> str:
    """The URL with its userinfo and the value of each query parameter replaced by ***, the path of a registered URL
    too, and any registered secret in it; anything unparsable whole."""
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
    path = parts.path
    if _url_paths and path.strip("/") and f"{_origin(parts)}{path}" in _url_paths:
        path = f"/{REDACTED}"
    return scrubbed(urlunsplit((parts.scheme, netloc, path, query, "")))


URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)


def redacted_text(text: str) -> str:
    """The text with every registered secret and API-key-shaped word replaced, and every URL in it redacted as
    redacted_url does; redacting twice changes nothing more."""
    return URL_IN_TEXT.sub(lambda match: redacted_url(match.group(0)), scrubbed(text))
