"""The Publish Targets block: where a published document goes besides the store (an export folder, a webhook).

Every write here is idempotent and has its undo, so a publish can be retried, finished or compensated:
- the export is one JSON-lines file per document, `{export_folder}/{document_id}.jsonl`, written atomically
  (undo: remove it);
- the Parquet export is one file per run, `{export_folder}/parquet/date=YYYY-MM-DD/{flow_run_id}.parquet`,
  written atomically at the end of the run from the documents it stored as processed, so it holds only
  what stayed published; the same run (a retry) writes the same file again;
- the notification is a POST of `{"type": "document.published", ...}` with an `Idempotency-Key` header
  that stays the same while one publish is retried, so the receiver applies it once
  (undo: `{"type": "document.retracted", ...}` with its own key).

The webhook's URL and token are secrets, hidden from every message when the block is built or loaded, the URL in
full (Slack, Discord and Teams webhooks carry their token in the path). A URL with a user name or password is sent
as Basic auth; with notify_token set too, that would silently replace the Bearer token (httpx puts a URL's userinfo
over the Authorization header), so that block is refused when it is built.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from prefect.blocks.core import Block
from pydantic import Field, SecretStr, model_validator

from agentic_kit._blocks.resilience.transport_errors import from_httpx
from agentic_kit._domain.redaction import redacted_url, register_secret, register_secret_url
from agentic_kit._domain.settings import DEFAULT_EXPORT_FOLDER, Settings

PUBLISHED, RETRACTED = "document.published", "document.retracted"
ExportFormat = Literal["jsonl", "parquet", "both"]
PARQUET_FOLDER = "parquet"


class PublishTargets(Block):
    """The export folder and the notification webhook of published documents; either may be left empty."""

    _block_type_name = "Publish Targets"
    _description = "Where published documents are exported (JSON lines, Parquet) and which webhook hears of them."

    export_folder: str | None = Field(default=DEFAULT_EXPORT_FOLDER,
                                      description="A folder for one .jsonl file per document; empty: no export.")
    export_format: ExportFormat = Field(
        default="jsonl", description="jsonl: one file per document; parquet: one file per run under "
                                     "parquet/date=YYYY-MM-DD/; both.")
    notify_url: SecretStr | None = Field(
        default=None, description="POSTed to for each published document; empty: none. A secret: it may carry a token.")
    notify_token: SecretStr | None = Field(default=None, description="Sent as a bearer token when set.")
    timeout_seconds: float = Field(default=10.0, gt=0, description="The client timeout of one notification.")

    @model_validator(mode="after")
    def _secrets_redacted(self) -> PublishTargets:
        """The webhook's URL (in full) and token are hidden from every message from now on, built or loaded."""
        register_secret_url(self.notify_url)
        register_secret(self.notify_token)
        return self

    @model_validator(mode="after")
    def _token_not_replaced_by_userinfo(self) -> PublishTargets:
        """With a token, the URL carries no user name or password: httpx would send those as Basic auth instead of
        the token."""
        url = self.notify_url.get_secret_value() if self.notify_url else ""
        if self.notify_token and url and "@" in urlsplit(url).netloc:
            raise ValueError(
                f"the notification webhook URL {redacted_url(url)} carries a user name or password, which would be sent "
                "as Basic auth in place of the bearer token (notify_token, AGENTIC_PUBLISH_WEBHOOK_TOKEN): remove "
                "them from the URL, or leave the token unset to authenticate with them")
        return self

    @classmethod
    def from_environment(cls) -> PublishTargets:
        """AGENTIC_EXPORT_FOLDER (default .agentic/exports, `none` for no export), AGENTIC_EXPORT_FORMAT (jsonl),
        AGENTIC_PUBLISH_WEBHOOK_URL and AGENTIC_PUBLISH_WEBHOOK_TOKEN."""
        settings = Settings()
        folder = settings.export_folder
        return cls(export_folder=None if folder.lower() in ("", "none") else folder,
                   export_format=settings.export_format,
                   notify_url=SecretStr(settings.publish_webhook_url) if settings.publish_webhook_url else None,
                   notify_token=settings.publish_webhook_token)

    @property
    def exports_jsonl(self) -> bool:
        """Whether each published document gets its own JSON-lines file."""
        return bool(self.export_folder) and self.export_format in ("jsonl", "both")

    @property
    def exports_parquet(self) -> bool:
        """Whether each run's published documents are written as one Parquet file."""
        return bool(self.export_folder) and self.export_format in ("parquet", "both")

    def export_path(self, document_id: str) -> Path | None:
        """Where a document's export file is, or None when nothing is exported."""
        return Path(self.export_folder) / f"{document_id}.jsonl" if self.export_folder else None

    def parquet_path(self, flow_run_id: str, day: date) -> Path | None:
        """Where a run's Parquet file is (partitioned by the run's day), or None when no Parquet is exported."""
        if not self.export_folder or not self.exports_parquet:
            return None
        return Path(self.export_folder) / PARQUET_FOLDER / f"date={day.isoformat()}" / f"{flow_run_id}.parquet"

    def write_parquet_batch(self, flow_run_id: str, day: date, records: list[dict[str, Any]]) -> Path | None:
        """Write a run's published documents as one Parquet file, whole or not at all, replacing the run's earlier
        file; with no documents, remove it. Returns the file written."""
        import pandas as pd  # here, not at the top: only runs that export Parquet pay for importing pandas

        path = self.parquet_path(flow_run_id, day)
        if path is None:
            return None
        if not records:
            path.unlink(missing_ok=True)
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")  # hidden: dataset readers skip dot files
        pd.DataFrame.from_records(records).to_parquet(partial, index=False)
        os.replace(partial, path)
        return path

    def write_export(self, document_id: str, record: dict[str, Any]) -> None:
        """Write a document's export file whole or not at all (a temporary file renamed over it)."""
        path = self.export_path(document_id)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.partial")  # one writer at a time: the publish holds the document's lock
        partial.write_text(json.dumps(record, sort_keys=True) + "\n")
        os.replace(partial, path)

    def remove_export(self, document_id: str) -> None:
        """Undo write_export."""
        path = self.export_path(document_id)
        if path is not None:
            path.unlink(missing_ok=True)

    @property
    def notifies(self) -> bool:
        """Whether a notification webhook is configured."""
        return bool(self.notify_url and self.notify_url.get_secret_value())

    def notify(self, kind: str, idempotency_key: str, body: dict[str, Any]) -> None:
        """POST one notification; the receiver keeps the first delivery of each idempotency key."""
        if not self.notify_url or not self.notifies:
            return
        url = self.notify_url.get_secret_value()
        headers = {"Idempotency-Key": idempotency_key}
        if self.notify_token:
            headers["Authorization"] = f"Bearer {self.notify_token.get_secret_value()}"
        try:
            httpx.post(url, json={"type": kind, **body}, headers=headers,
                       timeout=self.timeout_seconds).raise_for_status()
        except httpx.HTTPError as exc:
            raise from_httpx(exc, f"notification webhook {redacted_url(url)}") from exc
