"""Signed webhook deliveries as a sender makes them, with the `standardwebhooks` package (independent of ours)."""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def signed(body: bytes, delivery_id: str | None = None, secret: str = SECRET,
           at: datetime | None = None) -> dict[str, str]:
    """Standard Webhooks headers for body, as a sender computes them."""
    delivery_id = delivery_id or f"msg_{uuid.uuid4().hex}"
    at = at or datetime.now(UTC)
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(delivery_id, at, body.decode()),
        "content-type": "application/json",
    }
