"""The `cassette` provider: answers from a cassette file of recorded model calls, with no network.

A request is matched to its recorded answer by its content (agentic_kit/_domain/models/cassette.py), not by its order, so
concurrent steps replay in any order. A request the cassette does not hold fails at once with NotInCassette, a
permanent error (never retried, never a reason to fall back), naming the step and the nearest recorded request and
how they differ. A recorded answer that was invalid (a repair round followed it) is invalid again, so the same
repair request follows.
"""

from __future__ import annotations

import threading
from pathlib import Path

from pydantic import ValidationError

from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.prompt_layout import render_messages
from agentic_kit._domain.errors import InvalidModelOutput, NotInCassette, UnreadableCassette
from agentic_kit._domain.models.cassette import (
    Cassette,
    RecordedExchange,
    ResponseFormat,
    difference,
    nearest,
    read_cassette,
    request_key,
    response_format,
)
from agentic_kit._domain.models.common import ModelReply, ModelRequest, OutputT, TokenUsage


class CassetteModel:
    """Answers each request with the answer recorded for the same request."""

    def __init__(self, block: LanguageModel, cassette: Cassette, path: Path) -> None:
        self._block = block
        self._path = path
        self._recorded = cassette.exchanges
        self._answers = {exchange.key(): exchange for exchange in cassette.exchanges}

    async def generate(self, request: ModelRequest, output_type: type[OutputT]) -> ModelReply[OutputT]:
        """The recorded answer to this request, parsed into output_type; NotInCassette when none was recorded."""
        exchange = self.recorded(request.step, render_messages(request), response_format(output_type))
        try:
            output = output_type.model_validate_json(exchange.answer)
        except ValidationError as exc:
            raise InvalidModelOutput(f"{request.step}: the recorded answer is not a valid {output_type.__name__}: "
                                     f"{exc.errors()[0]['msg']}", raw=exchange.answer) from None
        usage = exchange.usage
        return ModelReply[output_type](  # type: ignore[valid-type]
            output=output, model=exchange.response_model, finish_reasons=["stop"],
            usage=TokenUsage(input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
                             cached_input_tokens=usage.cached_input_tokens,
                             cost_usd=self._block.cost_usd(usage.input_tokens, usage.output_tokens,
                                                           usage.cached_input_tokens)))

    def recorded(self, step: str, messages: list[dict[str, str]], fmt: ResponseFormat) -> RecordedExchange:
        """The exchange recorded for this request (a model step's call or an agent's turn); NotInCassette naming the
        nearest recorded request when there is none."""
        exchange = self._answers.get(request_key(self._block.model, messages, fmt))
        if exchange is None:
            raise self._not_recorded(step, messages, fmt)
        return exchange

    def _not_recorded(self, step: str, messages: list[dict[str, str]], fmt: ResponseFormat) -> NotInCassette:
        """The error of a request with no recorded answer, naming the nearest recorded request."""
        like = nearest(self._recorded, step, self._block.model, messages, fmt)
        if like is None:
            return NotInCassette(f"{step}: no recorded answer for this request: the cassette {self._path} "
                                 "holds no exchange")
        return NotInCassette(
            f"{step}: no recorded answer for this request in {self._path}; the nearest recorded request "
            f"({like.step} of document {(like.document_id or '?')[:12]}) differs in "
            f"{difference(like, self._block.model, messages, fmt)}")


_cassettes: dict[tuple[str, int, int], Cassette] = {}
_cassettes_lock = threading.Lock()


def cassette_model(block: LanguageModel) -> CassetteModel:
    """The cassette client of a block; the file is read once per version of it (its size and modification time)."""
    path = Path(block.cassette_path or "")
    try:
        stat = path.stat()
    except OSError as exc:
        raise UnreadableCassette(f"{path}: cannot be read ({exc.strerror})") from None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _cassettes_lock:
        if key not in _cassettes:
            _cassettes[key] = read_cassette(path)
        return CassetteModel(block, _cassettes[key], path)
