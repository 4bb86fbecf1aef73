"""URLs shown in messages keep where they point and lose what authenticates."""

from __future__ import annotations

import pytest

from agentic_kit._domain.redaction import redacted_text, redacted_url


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
