"""The store's record of model exchanges: the calls one flow run made and the documents they were about."""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from agentic_kit._blocks.sql import chunks
from agentic_kit._blocks.store import PipelineStore
from agentic_kit._blocks.tables import DocumentRow, ModelExchangeRow


class ExchangeLog:
    """Reads the model_exchanges table of one pipeline store."""

    def __init__(self, store: PipelineStore) -> None:
        self.engine = store.engine()

    def of_run(self, flow_run_id: str) -> list[ModelExchangeRow]:
        """The exchanges a flow run made, in the order they were kept."""
        query = select(ModelExchangeRow).where(ModelExchangeRow.flow_run_id == flow_run_id)
        with Session(self.engine) as session:
            return list(session.exec(query.order_by(col(ModelExchangeRow.id))).all())

    def documents(self, flow_run_id: str, document_ids: set[str]) -> list[DocumentRow]:
        """The documents with these ids, and those the flow run stored last, that have a text."""
        found: dict[str, DocumentRow] = {}
        with Session(self.engine) as session:
            for ids in list(chunks(sorted(document_ids))) or [[]]:
                query = select(DocumentRow).where(col(DocumentRow.text).is_not(None)).where(
                    or_(col(DocumentRow.id).in_(ids), DocumentRow.flow_run_id == flow_run_id))
                found.update((row.id, row) for row in session.exec(query).all())
        return sorted(found.values(), key=lambda row: row.source)
