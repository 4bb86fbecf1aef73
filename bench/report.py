"""The bench's output: a table of measure, value, target and whether it is met, and bench/results/latest.json."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.agent_round import AGENT_LATENCY_SECONDS, AGENT_RUNS
from bench.peers import FAULT_DOCUMENTS

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
KEYS = ("overhead_ratio", "documents_per_min", "task_runs_per_min", "cached_model_calls", "cached_speedup",
        "resume_repeated_calls", "resume_ratio", "peak_rss_mb_5k", "scale_ratio", "gateway_p95_ms",
        "delivery_to_running_p95_s", "peer_naive_prefect_ratio", "peer_pydantic_ai_ratio", "floor_ratio",
        "flow_cpu_ms_per_document", "server_cpu_ms_per_document", "peer_naive_prefect_ratio_0ms", "peer_dbos_ratio",
        "peer_langgraph_ratio", "agent_overhead_ratio", "agent_fault_repeated_calls",
        "agent_fault_duplicate_side_effects", "peer_agent_fault_repeated_calls", "peer_agent_fault_duplicate_side_effects")
"""The figures every consumer of latest.json may rely on (null when a mode does not measure one)."""
AGENT_STEPS = 4
"""Agent task runs of a document that fits the window: extract, enrich, summarize, review."""
PEER_NAMES = {"peer_naive_prefect": "naive Prefect tasks", "peer_pydantic_ai": "pydantic-ai + Prefect",
              "peer_dbos": "DBOS", "peer_langgraph": "LangGraph + PostgreSQL checkpointer"}
"""The figure prefix of each peer and its name in the table."""
PEER_TARGETS = {"peer_naive_prefect": 0.90, "peer_pydantic_ai": 0.90, "peer_dbos": 0.90, "peer_langgraph": 1.05}
"""The most each pipeline / peer wall ratio may be: LangGraph runs at 1.04× the baseline, so parity is its target."""
RSS_LIMIT_MB = 1.5 * 1024
"""1.5 GiB."""


@dataclass(frozen=True)
class Row:
    """One line of the table: which figure, how it is shown and the target it must meet."""

    key: str
    label: str
    target: str
    met: Callable[[float], bool] | None
    shown: str = "{:,.2f}"


def rows(documents: int, width: int, latency: float, sizes: tuple[int, int]) -> list[Row]:
    """The table's rows for a run of this shape."""
    small, big = (f"{size:,}" for size in sizes)
    return [
        Row("overhead_ratio", f"overhead: pipeline / baseline wall ({documents} docs, {width} wide, "
            f"{latency * 1000:.0f} ms)", "≤ 1.10", lambda v: v <= 1.10),
        Row("tracing_overhead_ratio", "tracing on (OTLP/HTTP) / off, pipeline wall", "≤ 1.03",
            lambda v: v <= 1.03),
        Row("same_calls_as_baseline", "baseline made the same model and tool requests", "yes", bool, "{}"),
        *peer_rows(),
        *agent_rows(width),
        *floor_rows(width),
        Row("long_document_ratio", f"long document: pipeline / baseline wall (300 pages in parts, {width} parts "
            f"wide, {latency * 1000:.0f} ms)", "≤ 1.10", lambda v: v <= 1.10),
        Row("long_document_same_calls", "  baseline made the same part requests", "yes", bool, "{}"),
        Row("documents_per_min", f"documents per minute (offline model, {big} docs, server included)", "≥ 1,000",
            lambda v: v >= 1_000, "{:,.0f}"),
        Row("task_runs_per_min", f"  agent task runs per minute in that run ({AGENT_STEPS} a document)", "-", None,
            "{:,.0f}"),
        Row("flow_cpu_share", "  CPU cores busy during that run: flow process", "-", None),
        Row("server_cpu_share", "  CPU cores busy during that run: Prefect server", "-", None),
        Row("cached_model_calls", "model calls on the cached rerun", "0", lambda v: v == 0, "{:,.0f}"),
        Row("cached_speedup", "cold / cached wall time", "≥ 20", lambda v: v >= 20),
        Row("resume_repeated_calls", "finished model calls repeated after SIGKILL + resume", "0",
            lambda v: v == 0, "{:,.0f}"),
        Row("resume_ratio", "resume wall / cold wall (killed at half)", "≤ 0.6", lambda v: v <= 0.6),
        Row("flow_peak_rss_mb", f"peak RSS, flow process, MiB ({big} docs)", "≤ 1,536",
            lambda v: v <= RSS_LIMIT_MB, "{:,.0f}"),
        Row("server_peak_rss_mb", f"peak RSS, Prefect server, MiB ({big} docs)", "≤ 1,536",
            lambda v: v <= RSS_LIMIT_MB, "{:,.0f}"),
        Row("scale_ratio", f"time({big}) / time({small})", "≤ 5.5", lambda v: v <= 5.5),
        Row("scale_errors", f"failed documents or runs ({small} and {big} docs)", "0",
            lambda v: v == 0, "{:,.0f}"),
        *intake_rows(),
    ]


def floor_rows(width: int) -> list[Row]:
    """The pipeline beside Prefect's floor at 0 ms (bench/floor.py)."""
    sides = {"pipeline": "ours", "peer_prefect_floor": "Prefect floor", "peer_naive_prefect": "naive Prefect peer"}
    return [
        Row("floor_ratio", f"pipeline / Prefect floor wall (5 no-op tasks a document, {width} wide, 0 ms)", "≤ 1.5",
            lambda v: v <= 1.5),
        Row("flow_cpu_floor_ratio", "  flow-process CPU per document: pipeline / floor", "≤ 1.5", lambda v: v <= 1.5),
        Row("peer_naive_prefect_ratio_0ms", "pipeline / naive Prefect peer wall at 0 ms", "≤ 0.90",
            lambda v: v <= 0.9),
        *(Row(f"{key}_flow_cpu_ms_per_document", f"  flow-process CPU ms per document, {side}", "-", None, "{:,.1f}")
          for key, side in sides.items()),
        *(Row(f"{key}_server_cpu_ms_per_document", f"  Prefect server CPU ms per document, {side}", "-", None,
              "{:,.1f}") for key, side in sides.items()),
    ]


def intake_rows() -> list[Row]:
    """The webhook gateway under load and the delivery-to-Running latency (bench/gateway_load.py,
    bench/intake_options.py)."""
    return [
        Row("gateway_p95_ms", "webhook gateway p95 latency, ms (signed, 200/s for 30 s, wrk)", "≤ 20",
            lambda v: v <= 20, "{:,.1f}"),
        Row("gateway_p50_ms", "  p50, ms", "-", None, "{:,.1f}"),
        Row("gateway_p99_ms", "  p99, ms", "-", None, "{:,.1f}"),
        Row("gateway_rate_per_s", "  achieved rate, deliveries/s", "200", lambda v: v >= 0.98 * 200, "{:,.1f}"),
        Row("gateway_errors", "  errors (timeouts, refused, non-2xx)", "0", lambda v: v == 0, "{:,.0f}"),
        Row("gateway_late_sends", "  sends more than 1 ms behind schedule", "-", None, "{:,.0f}"),
        Row("delivery_to_running_p95_s", "delivery → flow run Running, p95 s (trigger, agentic runner, poll 0.25 s)",
            "≤ 2", lambda v: v <= 2, "{:,.2f}"),
        Row("delivery_created_p50_s", "  median s to: run created (trigger)", "-", None),
        Row("delivery_pending_p50_s", "  median s to: Pending (runner poll)", "-", None),
        Row("delivery_to_running_p50_s", "  median s to: Running", "-", None),
        Row("duplicate_runs", "  deliveries run twice / runs started twice", "0",
            lambda v: v == 0, "{:,.0f}"),
        Row("delivery_to_running_p95_s_served", "the same, served as a worker starts runs (a process each), p95 s", "-",
            None, "{:,.2f}"),
    ]


def peer_rows() -> list[Row]:
    """The rows comparing the peers with the pipeline: speed in the overhead rounds, then the fault rounds."""
    table_rows = []
    for key, peer in PEER_NAMES.items():
        same = "the baseline's requests per step" if key == "peer_pydantic_ai" else "the baseline's requests"
        limit = PEER_TARGETS[key]
        table_rows += [Row(f"{key}_ratio", f"pipeline / {peer} wall (same rounds)", f"≤ {limit:.2f}",
                           lambda v, limit=limit: v <= limit),
                       Row(f"{key}_overhead", f"  {peer} / baseline wall", "-", None),
                       Row(f"{key}_same_requests", f"  {peer} made {same}", "yes", bool, "{}")]
    for figure, label in (("repeated_calls", "model calls repeated"), ("lost_documents", "documents lost")):
        for key, side in {"pipeline": "ours", **PEER_NAMES}.items():
            ours = key == "pipeline"
            table_rows.append(Row(f"{key}_fault_{figure}", f"30 % faults + SIGKILL, {FAULT_DOCUMENTS} docs: {label}, "
                                  f"{side}", "0" if ours else "-", (lambda v: v == 0) if ours else None, "{:,.0f}"))
    table_rows.append(Row("pipeline_fault_dead_lettered_documents", f"30 % faults + SIGKILL, {FAULT_DOCUMENTS} docs: "
                          "documents unfinished, kept as dead letters, ours", "-", None, "{:,.0f}"))
    return table_rows


def agent_rows(width: int) -> list[Row]:
    """The agent round (bench/agent_round.py): speed beside a plain pydantic-ai agent, then faults and a SIGKILL."""
    shape = f"{AGENT_RUNS} runs, {width} wide, {AGENT_LATENCY_SECONDS * 1000:.0f} ms"
    faulted = f"agent, 30 % faults + SIGKILL, {AGENT_RUNS} runs"
    table_rows = [
        Row("agent_overhead_ratio", f"agent: ours / plain pydantic-ai agent wall ({shape}, no faults)", "≤ 1.15",
            lambda v: v <= 1.15),
        Row("peer_agent_overhead_ratio", "  pydantic-ai + PrefectDurability / plain agent wall", "-", None),
        Row("agent_same_requests", "  ours and the peer sent the plain agent's requests, every run answered", "yes",
            bool, "{}"),
    ]
    for figure, label in (("repeated_calls", "finished turns and tool calls made again"),
                          ("duplicate_side_effects", "orders refunded more than once"), ("lost_runs", "runs lost")):
        for key, side in (("agent", "ours"), ("peer_agent", "pydantic-ai + Prefect")):
            ours = key == "agent"
            table_rows.append(Row(f"{key}_fault_{figure}", f"{faulted}: {label}, {side}", "0" if ours else "-",
                                  (lambda v: v == 0) if ours else None, "{:,.0f}"))
    return table_rows


def print_table(figures: dict[str, Any], table_rows: list[Row]) -> None:
    """Print every row that has a figure."""
    table = Table(title="Document pipeline benchmark (ratios measured side by side in one run)")
    for column in ("measure", "value", "target", "met"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for row in table_rows:
        if figures.get(row.key) is None:
            continue
        value = figures[row.key]
        shown = ("yes" if value else "no") if isinstance(value, bool) else row.shown.format(value)
        met = "-" if row.met is None else "yes" if row.met(value) else "no"
        table.add_row(row.label, shown, row.target, met)
    Console().print(table)


def write_json(figures: dict[str, Any], settings: dict[str, Any], path: Path = RESULTS) -> Path:
    """Write the required keys (null when not measured), then the settings and every other figure."""
    document = {key: figures.get(key) for key in KEYS}
    document["details"] = {**settings, **{k: v for k, v in figures.items() if k not in KEYS}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
