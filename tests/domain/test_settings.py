"""The settings module: defaults, environment overrides, and renamed variables that still work with a warning."""

from __future__ import annotations

import pytest

from agentic_kit._domain.settings import DEFAULT_ALERTS_WEBHOOK_URL, DEFAULT_DATABASE_URL, Settings


def test_defaults_hold_without_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AGENTIC_DATABASE_URL", "AGENTIC_LLM_RETRIES", "AGENTIC_ALERTS_WEBHOOK_URL", "AGENTIC_NOTIFY_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.database_url.get_secret_value() == DEFAULT_DATABASE_URL
    assert settings.llm_retries == 4 and settings.alerts_webhook_url == DEFAULT_ALERTS_WEBHOOK_URL


def test_each_variable_overrides_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_LLM_RETRIES", "7")
    monkeypatch.setenv("AGENTIC_FETCH_ALLOWED_HOSTS", " 10.0.0.0/8, intranet.example ,")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    settings = Settings()
    assert settings.llm_retries == 7
    assert settings.fetch_allow_list == ["10.0.0.0/8", "intranet.example"]
    assert settings.openai_base_url == "http://127.0.0.1:9/v1"


def test_the_old_notify_url_still_sets_both_new_names_and_warns_with_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTIC_PUBLISH_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("AGENTIC_ALERTS_WEBHOOK_URL", raising=False)
    monkeypatch.setenv("AGENTIC_NOTIFY_URL", "http://127.0.0.1:9/hook")
    with pytest.warns(FutureWarning, match="AGENTIC_PUBLISH_WEBHOOK_URL and AGENTIC_ALERTS_WEBHOOK_URL"):
        settings = Settings()
    assert settings.publish_webhook_url == settings.alerts_webhook_url == "http://127.0.0.1:9/hook"


def test_a_new_name_wins_over_the_old_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_NOTIFY_URL", "http://127.0.0.1:9/old")
    monkeypatch.setenv("AGENTIC_ALERTS_WEBHOOK_URL", "http://127.0.0.1:9/alerts")
    monkeypatch.delenv("AGENTIC_PUBLISH_WEBHOOK_URL", raising=False)
    with pytest.warns(FutureWarning):
        settings = Settings()
    assert settings.alerts_webhook_url == "http://127.0.0.1:9/alerts"
    assert settings.publish_webhook_url == "http://127.0.0.1:9/old"


def test_a_secret_variable_set_to_nothing_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTIC_ENRICHMENT_TOKEN", "")
    monkeypatch.setenv("OPENAI_API_KEY", "")
    monkeypatch.setenv("AGENTIC_WEBHOOK_SECRET", "whsec_c2VjcmV0")
    settings = Settings()
    assert settings.enrichment_token is None and settings.openai_api_key is None
    assert settings.webhook_secret is not None and settings.webhook_secret.get_secret_value() == "whsec_c2VjcmV0"
