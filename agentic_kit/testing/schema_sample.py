"""Deterministic sample instances that validate against a JSON schema."""

from __future__ import annotations

import math
import re
from typing import Any

_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z0-9-]*\b")
_STOP_WORDS = frozenset(  # a string of words, split: easier to read and edit than a list of them
    "A An And As At But By For From He I If In It Of On Or She That The These They This Those To We"  # noqa: SIM905
    " With You Extract Return Summarize Review Please Text Document".split()
)
_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00",
    "email": "item@example.com",
    "uri": "https://example.com/item",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def capitalised_words(text: str) -> list[str]:
    """Distinct capitalised words of `text`, in order of first appearance."""
    return list(dict.fromkeys(w for w in _CAPITALISED.findall(text) if w not in _STOP_WORDS))


def sample_instance(schema: dict[str, Any], text: str = "") -> Any:
    """An instance of `schema`; strings are taken from the capitalised words of `text`."""
    return _Sampler(schema, capitalised_words(text)).sample(schema)


class _Sampler:
    """Walks a schema, handing the words out to successive string values."""

    def __init__(self, root: dict[str, Any], words: list[str]) -> None:
        self.root = root
        self.words = words
        self.strings = 0

    def sample(self, schema: dict[str, Any]) -> Any:
        if "$ref" in schema:
            return self.sample(self._resolve(schema["$ref"]))
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        for combinator in ("anyOf", "oneOf", "allOf"):
            if combinator in schema:
                options = schema[combinator]
                usable = [o for o in options if o.get("type") != "null"] or options
                return self.sample(usable[0])
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
        return getattr(self, f"_{kind}")(schema)

    def _resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.root
        for part in ref.removeprefix("#/").split("/"):
            if part:
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _object(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {name: self.sample(sub) for name, sub in schema.get("properties", {}).items()}

    def _array(self, schema: dict[str, Any]) -> list[Any]:
        prefix = [self.sample(sub) for sub in schema.get("prefixItems", [])]
        if "prefixItems" in schema and not schema.get("items"):
            return prefix
        count = max(schema.get("minItems", 0), min(2, schema.get("maxItems", 2)))
        items = schema.get("items") or {}
        return prefix + [self.sample(items) for _ in range(max(0, count - len(prefix)))]

    def _string(self, schema: dict[str, Any]) -> str:
        if schema.get("format") in _FORMATS:
            return _FORMATS[schema["format"]]
        self.strings += 1
        value = (
            self.words[self.strings - 1]
            if self.strings <= len(self.words)
            else f"Item {self.strings - len(self.words)}"
        )
        value = value.ljust(schema.get("minLength", 0), "x")
        return value[: schema["maxLength"]] if "maxLength" in schema else value

    def _integer(self, schema: dict[str, Any]) -> int:
        low, high = _bounds(schema, step=1)
        if low is not None and high is not None:
            return math.ceil(low) + (math.floor(high) - math.ceil(low)) // 2
        value = 1 if low is None else max(1, math.ceil(low))
        return value if high is None else min(value, math.floor(high))

    def _number(self, schema: dict[str, Any]) -> float:
        low, high = _bounds(schema, step=0)
        if low is not None and high is not None:
            return (low + high) / 2
        low, high = _bounds(schema, step=0.5)
        value = 0.5 if low is None else max(0.5, low)
        return float(value if high is None else min(value, high))

    def _boolean(self, schema: dict[str, Any]) -> bool:
        return True

    def _null(self, schema: dict[str, Any]) -> None:
        return None


def _bounds(schema: dict[str, Any], step: float) -> tuple[float | None, float | None]:
    """(low, high) bounds; an exclusive bound is moved inwards by `step`."""
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is None and _is_number(schema.get("exclusiveMinimum")):
        low = schema["exclusiveMinimum"] + step
    if high is None and _is_number(schema.get("exclusiveMaximum")):
        high = schema["exclusiveMaximum"] - step
    return low, high


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
