"""URLs shown in messages keep where they point and lose what authenticates; every secret we were given, and
anything shaped like an API key, is hidden wherever it shows."""

from __future__ import annotations

from uuid import uuid4

import pytest

from agentic_kit._domain.redaction import (
    redacted_text,
    redacted_url,
    register_secret,
    register_secret_url,
    registered_secrets,
)
from agentic_kit._domain.settings import Settings


@pytest.mark.parametrize(("url", "shown"), [
    ("http://user:pa55@127.0.0.1:8080/hook?token=t0k&page=2", "http://***@127.0.0.1:8080/hook?token=***&page=***"),
    ("https://hooks.example/T0/B1?sig=abc", "https://hooks.example/T0/B1?sig=***"),
    ("https://example.com/a/b", "https://example.com/a/b"),
    ("http://[::1]:9000/p?key", "http://[::1]:9000/p?key=***"),
    ("http://host:99999/", "***"),
])
def test_userinfo_and_query_values_are_replaced(url: str, shown: str) -> None:
    assert redacted_url(url) == shown
    assert all(secret not in redacted_url(url) for secret in ("pa55", "t0k", "abc"))


def test_urls_in_a_text_are_redacted_and_redacting_again_changes_nothing() -> None:
    text = "See https://files.example/deal.pdf?token=t0k and http://user:pa55@host/x, or https://example.com/a."
    shown = redacted_text(text)
    assert shown == "See https://files.example/deal.pdf?token=*** and http://***@host/x, or https://example.com/a."
    assert redacted_text(shown) == shown


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid4().hex}"


def test_a_registered_secret_is_hidden_wherever_it_shows_and_a_short_one_is_not_registered() -> None:
    key, short = _unique("key-"), "EMPTY"
    register_secret(key, short, None)
    assert key in registered_secrets() and short not in registered_secrets()
    said = f"401 Incorrect API key provided: {key}. and {short}"
    assert redacted_text(said) == f"401 Incorrect API key provided: ***. and {short}"
    assert redacted_text(redacted_text(said)) == redacted_text(said)


def test_a_key_shaped_word_is_hidden_registered_or_not() -> None:
    assert redacted_text("bad key sk-proj-Abc123def456ghi789jkl") == "bad key ***"
    assert redacted_text("scikit-learn's sk-learn-estimators and a task-1") == \
        "scikit-learn's sk-learn-estimators and a task-1", "a word without digits is no key"


def test_a_registered_webhook_url_is_hidden_in_full_and_its_path_token_alone() -> None:
    token = _unique("XoXb")
    url = f"https://user:pa55word1@hooks.example/services/T0/B0/{token}?sig=s1gnature"
    register_secret_url(url)
    assert redacted_text(f"posting to {url} failed") == "posting to https://hooks.example/*** failed"
    assert redacted_text(f"url 'https://hooks.example/services/T0/B0/{token}'") == "url 'https://hooks.example/***'"
    assert redacted_text(f"the token {token} alone") == "the token *** alone"
    assert redacted_url(f"http://hooks.example/services/T0/B0/{token}") == "http://hooks.example/services/T0/B0/***"
    assert redacted_url(f"https://hooks.example/services/T0/B0/{token}?x=1") == "https://hooks.example/***?x=***"
    assert "pa55word1" not in redacted_text("pa55word1") and "s1gnature" not in redacted_text("s1gnature")
    assert redacted_text("https://hooks.example/services/T0/B0/other") == "https://hooks.example/services/T0/B0/other"


def test_the_pattern_is_rebuilt_only_when_a_secret_is_added() -> None:
    from agentic_kit._domain import redaction

    key = _unique("rebuilt-")
    register_secret(key)
    compiled = redaction._pattern
    register_secret(key)
    register_secret_url(None, "https://hooks.example")  # an origin alone holds nothing secret
    assert redaction._pattern is compiled


def test_the_settings_register_every_secret_they_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    values = {name: _unique(name.lower().replace("_", "")) for name in (
        "OPENAI_API_KEY", "AGENTIC_ENRICHMENT_TOKEN", "AGENTIC_PUBLISH_WEBHOOK_TOKEN", "AGENTIC_WEBHOOK_SECRET")}
    path_token = _unique("path")
    urls = {"AGENTIC_PUBLISH_WEBHOOK_URL": f"https://hooks.example/services/T0/B0/{path_token}1",
            "AGENTIC_ALERTS_WEBHOOK_URL": f"https://hooks.example/services/T0/B0/{path_token}2",
            "AGENTIC_ESCALATION_WEBHOOK_URL": f"https://hooks.example/services/T0/B0/{path_token}3"}
    auth = _unique("agentic:")
    for name, value in {**values, **urls, "PREFECT_API_AUTH_STRING": auth}.items():
        monkeypatch.setenv(name, value)
    Settings()
    said = redacted_text(" ".join([*values.values(), *urls.values(), auth, auth.partition(":")[2]]))
    assert all(secret not in said for secret in [*values.values(), path_token, auth.partition(":")[2]]), said
