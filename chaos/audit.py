"""Where each input document ended: published (store, export file and receiver agree), a dead letter, or lost.

A document is published when the store's documents table has it processed, its export file
`{export_folder}/{id}.jsonl` exists and the receiver holds it live. It is a dead letter when it is not
published and has an open row in the dead_letters table. Anything else is lost. A document the receiver
applied more than once, or on which the store, the export folder and the receiver disagree, is duplicated.
For every lost or duplicated document the audit keeps what each place says and its publish_sagas row, to see
which steps the compensation log says were done or undone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlmodel import Session, select

from agentic_kit._blocks.dead_letters import DeadLetters
from agentic_kit._blocks.saga_log import SagaLog
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import DocumentRow
from agentic_kit._domain.models.common import content_id
from agentic_kit.testing import PublishSink


def input_documents(folder: Path) -> dict[str, str]:
    """The documents of a folder by id (the hash of their content), with their file names."""
    return {content_id(path.read_bytes()): path.name for path in sorted(folder.iterdir()) if path.is_file()}


@dataclass
class PublishAudit:
    """Sets of document ids by where they ended, and the details of every disagreement."""

    documents: int
    published: set[str]
    dead_letters: set[str]
    stale_dead_letters: set[str]
    lost: set[str]
    applied_twice: set[str]
    disagreeing: set[str]
    details: list[dict[str, Any]] = field(default_factory=list)

    @property
    def duplicated(self) -> set[str]:
        return self.applied_twice | self.disagreeing


def audit(inputs: dict[str, str], database_url: str, exports: Path | None, sink: PublishSink) -> PublishAudit:
    """Compare the store, the export folder (None: no export, as on the fleet), the receiver and the dead letters
    for every input document."""
    store = PipelineStore(database_url=SecretStr(database_url))
    with Session(store.engine()) as session:
        rows = session.exec(select(DocumentRow.id, DocumentRow.status)).all()
    status = dict(rows)
    stored = {document for document, state in status.items() if state == "processed"}
    if exports is None:
        exported = stored
    else:
        exported = {path.stem for path in exports.glob("*.jsonl")} if exports.exists() else set()
    live, effects = sink.live_documents(), sink.effects()
    open_letters = {row.document_id for row in DeadLetters(store).list(status="open")}
    everything = set(inputs) | stored | exported | live
    published = {d for d in inputs if d in stored and d in exported and d in live}
    disagreeing = {d for d in everything if len({d in stored, d in exported, d in live}) > 1}
    applied_twice = {d for d, count in effects.items() if count > 1}
    dead_letters = (open_letters & set(inputs)) - published
    lost = set(inputs) - published - dead_letters
    log = SagaLog(store)
    details = []
    for document in sorted(lost | disagreeing | applied_twice | (everything - set(inputs))):
        saga = log.get(document)
        details.append({
            "document_id": document, "source": inputs.get(document, "(not an input document)"),
            "store_status": status.get(document), "exported": document in exported, "live_at_sink": document in live,
            "applied_at_sink": effects.get(document, 0), "open_dead_letter": document in open_letters,
            "saga": None if saga is None else {
                "saga_id": saga.saga_id, "status": saga.status, "steps": saga.steps, "error": saga.error,
                "flow_run_id": saga.flow_run_id, "started_at": str(saga.started_at), "updated_at": str(saga.updated_at),
            },
        })
    return PublishAudit(
        documents=len(inputs), published=published, dead_letters=dead_letters,
        stale_dead_letters=open_letters & published, lost=lost,
        applied_twice=applied_twice, disagreeing=disagreeing, details=details,
    )
