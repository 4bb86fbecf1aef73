"""`agentic variants` and `agentic rollout`: a step's variants, and a canary that puts one live safely.

    agentic variants add --step summarize --name terse --instructions-file terse.txt [--model-block gpt-small]
                         [--setting max_output_tokens=512]
    agentic variants list [--step summarize] [--json]
    agentic rollout start --step summarize --candidate terse --share 0.1
    agentic rollout status [--step summarize] [--json]
    agentic rollout promote --step summarize
    agentic rollout rollback --step summarize [--reason "…"]

A variant is kept in the store (AGENTIC_DATABASE_URL, or `--store-block`); workers see a started, promoted or
rolled-back canary within two seconds. Each change adds a version of the `rollout-<step>` artifact in the Prefect UI
and emits `agentic.rollout.started`, `.promoted` or `.rolled_back` (an automation notifies on a rollback), on the
server PREFECT_API_URL names or the local one.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentic_kit._operate.cli.output import (
    EXIT_NOT_FOUND,
    EXIT_USAGE,
    console,
    fail,
    pipeline_store,
    plain_table,
    print_json,
    use_local_server,
)

if TYPE_CHECKING:
    from agentic_kit._blocks.store import PipelineStore

variants_app = typer.Typer(no_args_is_help=True, help="A step's variants: instructions, model and settings.")
rollout_app = typer.Typer(no_args_is_help=True, help="Canary a step's candidate variant, promote it or roll it back.")

Step = Annotated[str, typer.Option("--step", help="The step's name, as its task runs are named.")]
StoreBlock = Annotated[str | None, typer.Option(help="A saved Pipeline Store block (default: AGENTIC_DATABASE_URL).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _settings(pairs: list[str]) -> dict[str, Any]:
    """`field=value` pairs as Language Model field overrides, each value read as JSON when it parses."""
    from agentic_kit._blocks.language_model import LanguageModel

    settings: dict[str, Any] = {}
    for pair in pairs:
        field, sep, raw = pair.partition("=")
        if not sep or field not in LanguageModel.model_fields:
            fail(f"--setting {pair!r}: give FIELD=VALUE with a Language Model field, e.g. max_output_tokens=512",
                 EXIT_USAGE)
        try:
            settings[field] = json.loads(raw)
        except json.JSONDecodeError:
            settings[field] = raw
    try:
        LanguageModel(**settings)
    except ValueError as exc:
        fail(f"--setting: {exc}", EXIT_USAGE)
    return settings


@variants_app.command("add")
def add_variant(
    step: Step,
    name: Annotated[str, typer.Option("--name", help="The variant's name, e.g. terse-v2.")],
    instructions: Annotated[str | None, typer.Option(help="The instructions' text (default: the step's own).")] = None,
    instructions_file: Annotated[Path | None, typer.Option(help="A file holding the instructions' text.")] = None,
    model_block: Annotated[str | None, typer.Option(help="A saved Language Model block (default: the pipeline's).")]
    = None,
    setting: Annotated[list[str] | None, typer.Option(help="FIELD=VALUE overriding the model's block (repeatable).")]
    = None,
    description: Annotated[str | None, typer.Option(help="What this variant changes, in a few words.")] = None,
    store_block: StoreBlock = None,
) -> None:
    """Keep a variant of a step (one of the same name is replaced while no canary runs it)."""
    from agentic_kit._blocks.rollout_records import DECLARED, running_canary, save_variant
    from agentic_kit._blocks.rollout_tables import StepVariantRow

    if name == DECLARED:
        fail(f"{DECLARED!r} is the step as its code declares it: choose another name", EXIT_USAGE)
    if instructions is not None and instructions_file is not None:
        fail("give --instructions or --instructions-file, not both", EXIT_USAGE)
    if instructions_file is not None:
        if not instructions_file.is_file():
            fail(f"{instructions_file}: no such file", EXIT_NOT_FOUND)
        instructions = instructions_file.read_text(encoding="utf-8").strip()
    if instructions is None and model_block is None and not setting:
        fail("a variant changes something: give --instructions(-file), --model-block or --setting", EXIT_USAGE)
    settings = _settings(setting or [])
    store = pipeline_store(store_block)
    canary = running_canary(store, step)
    if canary is not None and name in (canary.live, canary.candidate):
        fail(f"{step}: a canary runs {name!r}; promote it, roll it back or stop it before changing it", EXIT_USAGE)
    save_variant(store, StepVariantRow(step=step, name=name, instructions=instructions, model_block=model_block,
                                       settings=json.dumps(settings, sort_keys=True), description=description))
    console.print(f"{step}: variant {name} kept")


@variants_app.command("list")
def list_variants(step: Annotated[str | None, typer.Option(help="Only this step's variants.")] = None,
                  store_block: StoreBlock = None, json_output: AsJson = False) -> None:
    """The variants kept, by step, with the live one marked."""
    from agentic_kit._blocks.rollout_records import live_variant, step_variants

    store = pipeline_store(store_block)
    rows = step_variants(store, step)
    live = {row.step: live_variant(store, row.step) for row in rows}
    if json_output:
        print_json([{**row.model_dump(mode="json"), "live": live[row.step] == row.name} for row in rows])
        return
    console.print(plain_table("Variants", ("step", "variant", "live", "instructions", "model block", "settings",
                                           "description"),
                              [(row.step, row.name, "yes" if live[row.step] == row.name else "",
                                "declared" if row.instructions is None else _excerpt(row.instructions),
                                row.model_block or "pipeline's", row.settings, row.description or "")
                               for row in rows]))


def _excerpt(text: str, characters: int = 60) -> str:
    return text if len(text) <= characters else text[:characters - 1] + "…"


@rollout_app.command("start")
def start(
    step: Step,
    candidate: Annotated[str, typer.Option(help="The variant to try on a share of items.")],
    share: Annotated[float, typer.Option(min=0.0, max=1.0, help="The share of items routed to it, e.g. 0.1.")],
    store_block: StoreBlock = None,
) -> None:
    """Route a share of the step's items to the candidate; the live variant serves the rest."""
    from agentic_kit._blocks.rollout_records import start_canary, step_variant

    if not 0 < share <= 1:
        fail("--share: give a share above 0 and at most 1, e.g. 0.1", EXIT_USAGE)
    store = pipeline_store(store_block)
    if step_variant(store, step, candidate) is None:
        fail(f"{step} has no variant {candidate!r}: add it with `agentic variants add` first", EXIT_NOT_FOUND)
    try:
        canary = start_canary(store, step, candidate, share)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    _announce(store, step, "started", {"candidate": candidate, "live": canary.live, "share": share})
    console.print(f"{step}: canary of {candidate} at {share:.0%} against {canary.live} started")


@rollout_app.command("promote")
def promote(step: Step, store_block: StoreBlock = None) -> None:
    """Make the running canary's candidate the step's live variant."""
    from agentic_kit._blocks.rollout_records import PROMOTED, end_canary, running_canary, set_live_variant

    store = pipeline_store(store_block)
    canary = running_canary(store, step)
    if canary is None:
        fail(f"{step} runs no canary to promote (agentic rollout status --step {step})", EXIT_NOT_FOUND)
    set_live_variant(store, step, canary.candidate)
    end_canary(store, canary.id, PROMOTED, "promoted by hand")
    _announce(store, step, "promoted", {"candidate": canary.candidate, "live": canary.candidate})
    console.print(f"{step}: {canary.candidate} is live")


@rollout_app.command("rollback")
def rollback(step: Step,
             reason: Annotated[str, typer.Option(help="Why, for the record.")] = "rolled back by hand",
             store_block: StoreBlock = None) -> None:
    """End the running canary now: every item runs the live variant again."""
    from agentic_kit._blocks.rollout_records import ROLLED_BACK, end_canary, running_canary

    store = pipeline_store(store_block)
    canary = running_canary(store, step)
    if canary is None:
        fail(f"{step} runs no canary to roll back", EXIT_NOT_FOUND)
    end_canary(store, canary.id, ROLLED_BACK, reason)
    _announce(store, step, "rolled_back", {"candidate": canary.candidate, "live": canary.live, "reason": reason})
    console.print(f"{step}: {canary.candidate} rolled back; {canary.live} serves every item")


@rollout_app.command("status")
def status(step: Annotated[str | None, typer.Option(help="Only this step.")] = None,
           store_block: StoreBlock = None, json_output: AsJson = False) -> None:
    """Each step's live variant and latest canary, both variants' figures side by side."""
    from agentic_kit._blocks.rollout_records import rollouts, step_variants
    from agentic_kit._steps.rollout_report import rollout_status

    store = pipeline_store(store_block)
    steps = [step] if step else sorted({row.step for row in step_variants(store)} | {r.step for r in rollouts(store)})
    statuses = [rollout_status(store, name) for name in steps]
    if json_output:
        print_json([{"step": s.step, "live": s.live,
                     "rollout": s.rollout.model_dump(mode="json") if s.rollout else None,
                     "figures": {name: vars(figures) for name, figures in s.figures.items()}} for s in statuses])
        return
    if not statuses:
        console.print("No variants are kept: add one with `agentic variants add`.")
    for each in statuses:
        rollout = each.rollout
        console.print(f"{each.step}: live {each.live}" + (
            f"; latest canary {rollout.candidate} at {rollout.share:.0%}: {rollout.state.replace('_', ' ')}"
            + (f" ({rollout.reason})" if rollout.reason else "") if rollout else "; no canary has run"))
        if rollout:
            console.print(plain_table(f"{each.step}: {rollout.live} against {rollout.candidate}",
                                      ("figure", f"{rollout.live} (live)", f"{rollout.candidate} (candidate)"),
                                      list(each.figure_rows())))


def _announce(store: PipelineStore, step: str, change: str, payload: dict[str, Any]) -> None:
    """Emit agentic.rollout.<change> and add a version of the step's artifact, on the Prefect server."""
    use_local_server()
    from prefect.events import emit_event

    from agentic_kit._domain.events import ROLLOUT_RESOURCE_PREFIX
    from agentic_kit._steps.rollout_report import publish_status

    emit_event(event=f"agentic.rollout.{change}", payload={"step": step, **payload},
               resource={"prefect.resource.id": f"{ROLLOUT_RESOURCE_PREFIX}{step}",
                         "prefect.resource.name": f"{step} rollout"})
    asyncio.run(publish_status(store, step))
