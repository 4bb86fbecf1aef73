"""The webhook gateway's block: the signing secret senders share with us, and what we accept."""

from __future__ import annotations

import base64

from prefect.blocks.core import Block
from pydantic import Field, SecretStr, model_validator

from agentic_kit._domain.redaction import register_secret
from agentic_kit._domain.settings import DEFAULT_WEBHOOK_READ_TIMEOUT_SECONDS, Settings

SECRET_PREFIX = "whsec_"
class WebhookGateway(Block):
    """Standard Webhooks settings: a whsec_ base64 secret, a timestamp tolerance, a body size limit, a read timeout."""

    _block_type_name = "Webhook Gateway"
    _description = "Verifies signed document deliveries (Standard Webhooks) before they start a pipeline run."

    signing_secret: SecretStr = Field(description="The shared secret, 'whsec_' followed by base64.")
    tolerance_seconds: int = Field(default=300, gt=0, description="How far a timestamp may be from now.")
    max_body_bytes: int = Field(default=1_000_000, gt=0, description="Larger deliveries are refused (413).")
    read_timeout_seconds: float = Field(
        default=DEFAULT_WEBHOOK_READ_TIMEOUT_SECONDS, gt=0,
        description="How long a sender may take to send its headers, then its body (a late body is answered 408).")

    @model_validator(mode="after")
    def _secret_redacted(self) -> WebhookGateway:
        """The signing secret is hidden from every message from now on, built or loaded."""
        register_secret(self.signing_secret)
        return self

    @classmethod
    def from_environment(cls) -> WebhookGateway:
        """The gateway AGENTIC_WEBHOOK_SECRET (required), AGENTIC_WEBHOOK_TOLERANCE_SECONDS and
        AGENTIC_WEBHOOK_READ_TIMEOUT_SECONDS describe."""
        settings = Settings()
        if settings.webhook_secret is None:
            raise SystemExit("Set AGENTIC_WEBHOOK_SECRET (whsec_…) or name a saved Webhook Gateway block.")
        return cls(signing_secret=settings.webhook_secret, tolerance_seconds=settings.webhook_tolerance_seconds,
                   read_timeout_seconds=settings.webhook_read_timeout_seconds)

    def key(self) -> bytes:
        """The secret's bytes (the base64 after the whsec_ prefix)."""
        return base64.b64decode(self.signing_secret.get_secret_value().removeprefix(SECRET_PREFIX))
