"""The seed and the date that make every run write the same bytes."""

from datetime import UTC, datetime

SEED = 20260314
"""Seeds the contract's variations and the scanned receipt's shapes, so that every run writes the same bytes."""
FIXED_TIME = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
"""The creation and modification date written into the PDF and .docx files."""
