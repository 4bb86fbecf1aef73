"""Every block holding a secret makes it one redaction hides, whether the block is built or loaded; the publish
webhook's bearer token is never replaced by a user name and password in its URL."""

from __future__ import annotations

import base64
from uuid import uuid4

import pytest
from pydantic import SecretStr, ValidationError

from agentic_kit._blocks.enrichment_api import EnrichmentApi
from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.publish_targets import PublishTargets
from agentic_kit._blocks.webhook_gateway import WebhookGateway
from agentic_kit._domain.redaction import redacted_text
from tests.conftest import run_python


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid4().hex}"


def test_each_block_hides_its_secrets_once_built() -> None:
    key, token, hook_token, path_token = _unique("key"), _unique("tok"), _unique("hook"), _unique("path")
    gateway_secret = f"whsec_{base64.b64encode(_unique('gw').encode()).decode()}"
    LanguageModel(provider="openai-compatible", model="m", base_url="http://127.0.0.1:9/v1", api_key=SecretStr(key))
    EnrichmentApi(base_url="http://127.0.0.1:9", token=SecretStr(token))
    PublishTargets(notify_url=SecretStr(f"https://hooks.example/services/T0/B0/{path_token}"),
                   notify_token=SecretStr(hook_token))
    WebhookGateway(signing_secret=SecretStr(gateway_secret))
    said = redacted_text(f"echoed {key} {token} {hook_token} {gateway_secret} and {path_token}")
    assert said == "echoed *** *** *** *** and ***"


async def test_a_saved_block_hides_its_secret_in_the_process_that_loads_it() -> None:
    key, name = _unique("saved-key-"), _unique("secret-model-")
    await LanguageModel(provider="openai-compatible", model="m", api_key=SecretStr(key)).save(name)
    script = ("from agentic_kit._blocks.language_model import LanguageModel\n"
              "from agentic_kit import redacted_text\n"
              f"LanguageModel.load({name!r})\n"
              f"print(redacted_text('401 Incorrect API key provided: {key}'))")
    result = run_python("-c", script)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "401 Incorrect API key provided: ***"


def test_a_webhook_url_with_userinfo_is_refused_beside_a_bearer_token() -> None:
    url = "https://agentic:pa55word9@hooks.example/notify"
    with pytest.raises(ValidationError) as refused:
        PublishTargets(notify_url=SecretStr(url), notify_token=SecretStr(_unique("tok")))
    message = str(refused.value)
    assert "Basic auth in place of the bearer token" in message and "https://***@hooks.example/***" in message
    assert "pa55word9" not in message
    assert PublishTargets(notify_url=SecretStr(url)).notifies, "without a token, the URL's userinfo is its auth"
