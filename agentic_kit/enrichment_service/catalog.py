"""Known-entity catalog and the request model shared by the enrichment servers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

DEFAULT_ENTITIES_DIR = Path(__file__).resolve().parent / "entities"


def normalize(name: str) -> str:
    """Fold case and collapse runs of whitespace so lookups ignore both."""
    return " ".join(name.split()).casefold()


class KnownEntity(BaseModel):
    """One entity file: canonical name, type, aliases and facts about it."""

    name: str = Field(min_length=1)
    type: str = Field(min_length=1)
    aliases: list[str] = []
    description: str = ""
    url: str = ""
    attributes: dict[str, str] = {}


class EnrichRequest(BaseModel):
    """Body of POST /enrich: the entity name to look up and an optional type hint."""

    name: str = Field(min_length=1, max_length=200)
    type: str | None = Field(default=None, max_length=50)

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        """Reject names made only of whitespace."""
        if not value.strip():
            raise ValueError("name must not be blank")
        return value


def describe_errors(errors: Iterable[Mapping[str, Any]]) -> str:
    """Render pydantic or FastAPI validation errors as one readable line."""
    parts = []
    for error in errors:
        if error.get("type") == "json_invalid":
            parts.append(f"body is not valid JSON ({error.get('ctx', {}).get('error', 'decode error')})")
            continue
        field = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        parts.append(f"{field}: {error['msg']}" if field else str(error["msg"]))
    return "invalid request body: " + "; ".join(parts)


class EntityCatalog:
    """In-memory lookup of known entities by name or alias."""

    def __init__(self, entities: Iterable[KnownEntity]) -> None:
        """Index entities; earlier entities win ties that type cannot break."""
        self._entities = list(entities)
        self._index: dict[str, list[tuple[bool, KnownEntity]]] = {}
        for entity in self._entities:
            keys = {normalize(entity.name): False}
            for alias in entity.aliases:
                keys.setdefault(normalize(alias), True)
            for key, is_alias in keys.items():
                self._index.setdefault(key, []).append((is_alias, entity))

    @classmethod
    def from_directory(cls, path: str | Path) -> EntityCatalog:
        """Load every *.json file in path (sorted by file name), one entity per file."""
        directory = Path(path)
        if not directory.is_dir():
            raise FileNotFoundError(f"entities directory not found: {directory}")
        entities = []
        for file in sorted(directory.glob("*.json")):
            try:
                entities.append(KnownEntity.model_validate_json(file.read_bytes()))
            except ValidationError as exc:
                raise ValueError(f"{file}: not a valid entity file: {exc}") from exc
        return cls(entities)

    def __len__(self) -> int:
        """Number of known entities."""
        return len(self._entities)

    def enrich(self, name: str, type: str | None = None) -> dict[str, Any]:
        """Answer body for POST /enrich; type only breaks ties between matches."""
        candidates = self._index.get(normalize(name), [])
        if not candidates:
            return {"name": name, "type": type, "found": False}
        wanted = type.casefold() if type else None
        _, entity = min(candidates, key=lambda c: (c[1].type.casefold() != wanted, c[0]))
        return {
            "name": name,
            "type": type,
            "found": True,
            "canonical_name": entity.name,
            "entity_type": entity.type,
            "description": entity.description,
            "url": entity.url,
            "attributes": dict(entity.attributes),
        }
