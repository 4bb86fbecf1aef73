"""The item a pipeline is working on, and what its steps use and count: one scope per item, in a context variable.

A step finds its model, fallback model and store here, by type, instead of by the names of its parameters, and
notes here which step runs, so a failure names the step that failed, under the same name as its task run, its
usage rows, its cache entries and its metrics. Context variables follow the item into Prefect's task runs (an
async task runs in the caller's context), and each item's scope is its own, however many run at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from agentic_kit._blocks.language_model import LanguageModel
from agentic_kit._blocks.store import PipelineStore


@dataclass
class ItemScope:
    """One item's work: its id, the model (and fallback) and store its steps use, and what they did."""

    item_id: str | None
    model: LanguageModel
    store: PipelineStore
    fallback: LanguageModel | None = None
    step: str | None = None
    """The step running now, or the last one that ran: the one a failure is recorded against."""
    model_calls: int = 0
    """Model steps that made their call in this run."""
    cached_steps: int = 0
    """Model steps answered from Prefect's cache (finished in an earlier run)."""
    models: dict[str, str] = field(default_factory=dict)
    """Which model answered each model step."""
    canaries: set[str] = field(default_factory=set)
    """The running canaries (rollout ids) the item takes part in: a judge's score counts in them."""


_current: ContextVar[ItemScope | None] = ContextVar("agentic_item_scope", default=None)


def current_scope() -> ItemScope:
    """The scope of the item being worked on; a step called outside one is told how to provide it."""
    scope = _current.get()
    if scope is None:
        raise RuntimeError("a kit step ran outside an item's scope: call it inside `with item_scope(...)`, "
                           "or from a function decorated with @pipeline")
    return scope


def scope_or_none() -> ItemScope | None:
    """The current item's scope, if any."""
    return _current.get()


@contextmanager
def item_scope(item_id: str | None, model: LanguageModel, store: PipelineStore,
               fallback: LanguageModel | None = None) -> Iterator[ItemScope]:
    """Work on one item: the steps called inside use these blocks and count into the scope it yields."""
    scope = ItemScope(item_id=item_id, model=model, store=store, fallback=fallback)
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


@contextmanager
def at_step(name: str) -> Iterator[None]:
    """Name the step a piece of a pipeline's own work belongs to (chunking, validation …): a failure inside is
    recorded against it."""
    scope = _current.get()
    if scope is not None:
        scope.step = name
    yield
