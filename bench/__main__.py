"""`python -m bench [--full]`: every measurement in one session, a table, and bench/results/latest.json.

The quick mode (`make bench`) does the 200-document measurements once, a 50/250 scale pair and the intake
(the webhook gateway at 200 signed deliveries a second, and 20 deliveries to their runs being Running); the
full mode (`make bench-full`) takes the best of 3 rounds, adds a 300-page document read in parts and a 1,000/5,000
pair. Both end the pipeline's fault rounds with the agent round (bench/agent_round.py: 30 support-agent runs, ours
beside a plain pydantic-ai agent and pydantic-ai's Prefect durability, then 30 % faults and a SIGKILL);
`python -m bench --agents` runs that round alone,
`python -m bench --intake` the intake options. Run from the repository root.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from bench.environment import SERVER_DATABASE_VARIABLE, prefect_server, prepare

ROOT = prepare()  # before anything reads Prefect's settings; children inherit the environment

from bench.agent_round import AGENT_RUNS, agent_round
from bench.documents import write_documents, write_long_document
from bench.floor import floor_comparison
from bench.gateway_load import gateway_load
from bench.intake_options import intake, intake_options, print_figures
from bench.measure import (
    long_document,
    offline_runs,
    overhead_and_cache,
    resume,
    scale,
    throughput,
    tracing_overhead,
)
from bench.peers import FAULT_DOCUMENTS, SIDES, PeerRounds, fault_rounds
from bench.report import RESULTS, agent_rows, floor_rows, print_table, rows, write_json
from bench.runs import Session, snapshot
from bench.servers import DEFAULT_LATENCY_SECONDS, upstreams

DOCUMENTS = 200
WIDTH = 16
LONG_DOCUMENT_PAGES = 300


@dataclass(frozen=True)
class Plan:
    """How much a mode measures."""

    command: str
    rounds: int
    sizes: tuple[int, int]


QUICK = Plan("make bench", rounds=1, sizes=(50, 250))
FULL = Plan("make bench-full", rounds=3, sizes=(1000, 5000))


def say(message: str) -> None:
    """A progress line on stderr."""
    print(message, file=sys.stderr, flush=True)


def floor_only() -> None:
    """`python -m bench --floor`: the floor comparison alone (about 3 minutes), its table and
    bench/results/floor.json."""
    with prefect_server() as server, upstreams(0.0) as servers:
        session = Session(ROOT, snapshot(ROOT / "code"), servers, server.pid)
        figures = floor_comparison(session, write_documents(ROOT / "documents", DOCUMENTS), WIDTH, DOCUMENTS)
    settings = {"command": "python -m bench --floor", "documents": DOCUMENTS, "width": WIDTH, "latency_seconds": 0.0,
                "server_database": os.environ[SERVER_DATABASE_VARIABLE]}
    path = write_json(figures, settings, RESULTS.with_name("floor.json"))
    print_table(figures, floor_rows(WIDTH))
    shutil.rmtree(ROOT, ignore_errors=True)
    print(path)


def agent_summary(figures: dict[str, Any]) -> str:
    """The agent round's progress line."""
    return (f"agent round: ours / plain agent {figures['agent_overhead_ratio']:.2f}, repeated after SIGKILL ours "
            f"{figures['agent_fault_repeated_calls']}, peer {figures['peer_agent_fault_repeated_calls']}; orders "
            f"refunded twice ours {figures['agent_fault_duplicate_side_effects']}, peer "
            f"{figures['peer_agent_fault_duplicate_side_effects']}")


def agents_only(latency: float) -> None:
    """`python -m bench --agents`: the agent round alone (about 5 minutes), its table and bench/results/agents.json."""
    with prefect_server() as server, upstreams(latency) as servers, closing(
            Session(ROOT, snapshot(ROOT / "code"), servers, server.pid)) as session:
        say(f"bench: python -m bench --agents, scratch folder {ROOT}")
        figures = agent_round(session, AGENT_RUNS, WIDTH)
        say(agent_summary(figures))
    settings = {"command": "python -m bench --agents", "runs": AGENT_RUNS, "width": WIDTH,
                "server_database": os.environ[SERVER_DATABASE_VARIABLE]}
    path = write_json(figures, settings, RESULTS.with_name("agents.json"))
    print_table(figures, agent_rows(WIDTH))
    shutil.rmtree(ROOT, ignore_errors=True)
    print(path)


def intake_only() -> None:
    """`python -m bench --intake`: the ways to start a delivered document side by side, with the runner's claim,
    crash and retry checks (about 8 minutes), a table and bench/results/intake.json."""
    with prefect_server() as server, upstreams(0.0) as servers, closing(
            Session(ROOT, snapshot(ROOT / "code"), servers, server.pid)) as session:
        say(f"bench: python -m bench --intake, scratch folder {ROOT}")
        figures = intake_options(session)
    path = write_json(figures, {"command": "python -m bench --intake",
                                "server_database": os.environ[SERVER_DATABASE_VARIABLE]},
                      RESULTS.with_name("intake.json"))
    print_figures(figures)
    shutil.rmtree(ROOT, ignore_errors=True)
    print(path)


def main() -> None:
    """Start the servers, measure, print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="the 1,000/5,000 scale pair and 3 rounds")
    parser.add_argument("--latency", type=float, default=DEFAULT_LATENCY_SECONDS, help="seconds per upstream call")
    parser.add_argument("--floor", action="store_true",
                        help="only the pipeline beside Prefect's floor at 0 ms (bench/results/floor.json)")
    parser.add_argument("--agents", action="store_true",
                        help="only the agent round: overhead, faults and a SIGKILL (bench/results/agents.json)")
    parser.add_argument("--intake", action="store_true",
                        help="only the ways to start a delivered document, side by side (bench/results/intake.json)")
    args = parser.parse_args()
    plan = FULL if args.full else QUICK
    if args.intake:
        intake_only()
        return
    if args.floor:
        floor_only()
        return
    if args.agents:
        agents_only(args.latency)
        return
    with prefect_server() as server, upstreams(args.latency) as servers, closing(
            Session(ROOT, snapshot(ROOT / "code"), servers, server.pid)) as session:
        folder = write_documents(ROOT / "documents", DOCUMENTS)
        say(f"bench: {plan.command}, scratch folder {ROOT}, Prefect server on {os.environ[SERVER_DATABASE_VARIABLE]}")
        peers = PeerRounds(session, folder, WIDTH)
        figures = overhead_and_cache(session, folder, WIDTH, plan.rounds, peers.after_round)
        figures |= peers.figures(figures["baseline_seconds"], figures["cold_seconds"])
        say(f"baseline {min(figures['baseline_seconds']):.1f} s, pipeline {min(figures['cold_seconds']):.1f} s, "
            f"cached rerun {figures['cached_seconds']:.1f} s, naive Prefect peer "
            f"{min(figures['peer_naive_prefect_seconds']):.1f} s, pydantic-ai peer "
            f"{min(figures['peer_pydantic_ai_seconds']):.1f} s, DBOS peer {min(figures['peer_dbos_seconds']):.1f} s, "
            f"LangGraph peer {min(figures['peer_langgraph_seconds']):.1f} s")
        figures |= resume(session, folder, DOCUMENTS, WIDTH, min(figures["cold_seconds"]))
        say(f"resume after SIGKILL {figures['resume_seconds']:.1f} s")
        figures |= fault_rounds(session, write_documents(ROOT / "faults", FAULT_DOCUMENTS), WIDTH)
        say("fault rounds: " + ", ".join(f"{side} {figures[f'{side}_fault_repeated_calls']} repeated, "
                                         f"{figures[f'{side}_fault_lost_documents']} lost" for side in SIDES))
        figures |= agent_round(session, AGENT_RUNS, WIDTH, rounds=plan.rounds)
        say(agent_summary(figures))
        figures |= tracing_overhead(session, folder, WIDTH, plan.rounds)
        say(f"tracing: off {min(figures['untraced_seconds']):.1f} s, on {min(figures['traced_seconds']):.1f} s "
            f"({figures['span_exports']} exports)")
        if args.full:
            figures |= long_document(session, write_long_document(ROOT / "long", LONG_DOCUMENT_PAGES), WIDTH,
                                     plan.rounds)
            say(f"long document: baseline {min(figures['long_document_baseline_seconds']):.1f} s, pipeline "
                f"{min(figures['long_document_seconds']):.1f} s")
        figures |= floor_comparison(session, folder, WIDTH, DOCUMENTS)
        say(f"at 0 ms: pipeline {figures['pipeline_seconds_0ms']:.1f} s, Prefect floor "
            f"{figures['peer_prefect_floor_seconds_0ms']:.1f} s, naive Prefect peer "
            f"{figures['peer_naive_prefect_seconds_0ms']:.1f} s; flow CPU per document "
            f"{figures['flow_cpu_ms_per_document']:.0f} ms "
            f"(floor {figures['peer_prefect_floor_flow_cpu_ms_per_document']:.0f} ms)")
        small, big = offline_runs(session, list(plan.sizes), WIDTH)
        say(f"offline {plan.sizes[0]} docs {small['seconds']:.1f} s, {plan.sizes[1]} docs {big['seconds']:.1f} s")
        figures |= gateway_load(session)  # before anything serves the trigger its events would fire
        say(f"gateway at {figures['gateway_rate_per_s']:.0f}/s: p95 {figures['gateway_p95_ms']:.1f} ms")
        figures |= intake(session)
        say(f"delivery to Running: p95 {figures['delivery_to_running_p95_s']:.2f} s with agentic runner, "
            f"{figures['delivery_to_running_p95_s_served']:.2f} s served")
    figures |= throughput(big) | scale(small, big)
    if args.full:
        figures["peak_rss_mb_5k"] = max(figures["flow_peak_rss_mb"], figures["server_peak_rss_mb"])
    settings = {"command": plan.command, "documents": DOCUMENTS, "width": WIDTH, "latency_seconds": args.latency,
                "rounds": plan.rounds, "scale_sizes": plan.sizes,
                "server_database": os.environ[SERVER_DATABASE_VARIABLE]}
    path = write_json(figures, settings)
    print_table(figures, rows(DOCUMENTS, WIDTH, args.latency, plan.sizes))
    shutil.rmtree(ROOT, ignore_errors=True)
    print(path)


if __name__ == "__main__":
    main()
