"""Each call to a model endpoint kept as it was made, the messages sent and the answer received, in the store's
`model_exchanges` table: what `agentic cassette record` writes a cassette from.

The rows go with the `calls` rows through the process's record writer (agentic_kit/_steps/record_writer.py), written in
batches off the call's path and flushed when the flow run ends, so keeping them costs a call no database round trip. The offline model's calls
are not kept (it answers the same every time), nor anything when AGENTIC_KEEP_EXCHANGES is off.
"""

from __future__ import annotations

import json

from pydantic import BaseModel

from agentic_kit._blocks.language_model import OFFLINE, LanguageModel
from agentic_kit._blocks.prompt_layout import render_messages
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import ModelExchangeRow
from agentic_kit._domain.models.cassette import response_format
from agentic_kit._domain.models.common import ModelReply, ModelRequest, TokenUsage
from agentic_kit._domain.settings import Settings
from agentic_kit._steps.observe import CALL_ROWS
from agentic_kit._steps.record_writer import RECORDS
from agentic_kit._steps.tracing import prefect_ids

KEEP_EXCHANGES = Settings().keep_exchanges
"""Read once, when this module is imported, like the other per-call settings."""


def keep_exchange(subject_id: str | None, model: LanguageModel, store: PipelineStore, request: ModelRequest,
                  output_type: type[BaseModel], answer: str, reply: ModelReply | None) -> None:
    """Queue one call's exchange: its answer as JSON (reply given) or the raw text of an invalid answer."""
    if not KEEP_EXCHANGES or model.provider == OFFLINE:
        return
    ids = prefect_ids()
    usage = reply.usage if reply is not None else TokenUsage()
    RECORDS.add(store, CALL_ROWS, ModelExchangeRow(
        flow_run_id=ids.get("prefect.flow_run.id"), task_run_id=ids.get("prefect.task_run.id"),
        document_id=subject_id, step=request.step, model=model.model, context_window=model.context_window,
        tokenizer=model.tokenizer, response_format=response_format(output_type).model_dump_json(),
        messages=json.dumps(render_messages(request)), answer=answer, valid=reply is not None,
        response_model=reply.model if reply is not None else model.model, input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens, cached_input_tokens=usage.cached_input_tokens))
