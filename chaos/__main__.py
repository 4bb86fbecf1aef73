"""`python -m chaos`: the document pipeline under faults and SIGKILLs; a table, chaos/results/latest.json, one line.

Starts a Prefect server on a free port (or uses --api-url), the stub model, enrichment and webhook servers,
runs the pipeline from a snapshot of the code (edits made meanwhile change nothing), and exits 1 when a
document was lost or duplicated. Run from the repository root.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.environment import free_port, prefect_server
from bench.runs import snapshot
from chaos.settings import DEFAULT_MIX, ChaosSettings, mix_text, parse_mix


def arguments() -> argparse.Namespace:
    defaults = ChaosSettings()
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=defaults.documents, help="distinct documents (default 100)")
    parser.add_argument("--kills", type=int, default=defaults.kills, help="SIGKILLs of the running pipeline (5)")
    parser.add_argument("--fault-rate", type=float, default=defaults.fault_rate,
                        help="share of model and enrichment requests that fail (0.30)")
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"fault weights ({DEFAULT_MIX})")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="documents, faults and kill points (0)")
    parser.add_argument("--sink-fault-rate", type=float, default=defaults.sink_fault_rate,
                        help="faults on the publish-notification webhook too (0: healthy)")
    parser.add_argument("--run-timeout", type=float, default=defaults.run_timeout_seconds,
                        help="seconds one pipeline run may take (1800)")
    parser.add_argument("--api-url", help="use this Prefect API instead of starting a server")
    parser.add_argument("--fleet", action="store_true",
                        help="on a fleet of its own (make fleet's topology): --kills SIGKILL whole workers, and the "
                             "server restarts once")
    parser.add_argument("--workers", type=int, default=2, help="the fleet's workers (2)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (it is kept anyway on failure)")
    args = parser.parse_args()
    try:
        args.settings = ChaosSettings(documents=args.documents, kills=args.kills, fault_rate=args.fault_rate,
                                      mix=parse_mix(args.mix), seed=args.seed, sink_fault_rate=args.sink_fault_rate,
                                      run_timeout_seconds=args.run_timeout)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def server(root: Path, api_url: str | None) -> tuple[str, AbstractContextManager[Any]]:
    """The API URL to use, and a context that starts a server there (nothing when one was given)."""
    if api_url:
        return api_url, nullcontext()
    api_url = f"http://127.0.0.1:{free_port()}/api"
    os.environ.update({  # before anything imports Prefect; the pipeline runs inherit it
        "PREFECT_HOME": str(root / "prefect"),
        "PREFECT_API_URL": api_url,
        "PREFECT_SERVER_UI_API_URL": api_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    })
    return api_url, prefect_server()


def fleet_main(args: argparse.Namespace) -> None:
    """The session on a fleet: the figures, one a line, then the final line."""
    from chaos.fleet import run_fleet_chaos
    from chaos.report import final_line, write_json

    settings: ChaosSettings = args.settings
    figures, result = run_fleet_chaos(settings, args.workers, say=lambda line: print(line, flush=True))
    for key, value in figures.items():
        if key != "problem_documents":
            print(f"{key}: {value}")
    for problem in figures["problem_documents"]:
        print(f"problem document: {problem}")
    path = write_json(figures, {**asdict(settings), "mix": mix_text(settings.mix), "fleet": True})
    print(f"figures: {path}")
    print(final_line(figures), flush=True)
    sys.exit(0 if not result.lost and not result.duplicated else 1)


def main() -> None:
    args = arguments()
    if args.fleet:
        fleet_main(args)
    settings: ChaosSettings = args.settings
    root = Path(tempfile.mkdtemp(prefix="agentic-chaos-"))
    api_url, prefect = server(root, args.api_url)

    from chaos.report import final_line, print_table, write_json
    from chaos.session import run_chaos

    with prefect:
        result = run_chaos(settings, api_url, root, snapshot(root / "code"), say=lambda line: print(line, flush=True))
    print_table(result.figures)
    path = write_json(result.figures, {**asdict(settings), "mix": mix_text(settings.mix), "api_url": api_url})
    print(f"figures: {path}")
    if result.ok and not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"scratch folder kept: {root}")
    print(final_line(result.figures), flush=True)
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
