"""Resume a document-pipeline run paused for review, with decisions from a JSON file.

    python -m deployments.resume_review FLOW_RUN_ID decisions.json

The file: {"decisions": [{"document_id": "<sha256>", "decision": "approve" | "reject",
"summary": "<optional replacement>", "note": "<why>"}]}. Documents it does not name get the run's
default decision. This does what the form in the Prefect UI does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from uuid import UUID

from prefect import resume_flow_run
from pydantic import ValidationError

from tasks.documents.review_gate import ReviewDecisions


def read_decisions(path: Path) -> ReviewDecisions:
    """The decision file, validated; SystemExit with the reason when it is not usable."""
    try:
        return ReviewDecisions.model_validate(json.loads(path.read_text()))
    except (OSError, ValueError, ValidationError) as exc:
        raise SystemExit(f"{path}: not a usable decision file: {exc}") from None


async def resume(flow_run_id: UUID, decisions: ReviewDecisions) -> None:
    """Resume the paused run with these decisions."""
    await resume_flow_run(flow_run_id, run_input=decisions.model_dump(include={"decisions"}))


def main() -> None:
    """Parse the arguments, resume, and say what was sent."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("flow_run_id", type=UUID)
    parser.add_argument("decision_file", type=Path)
    args = parser.parse_args()
    decisions = read_decisions(args.decision_file)
    asyncio.run(resume(args.flow_run_id, decisions))
    print(f"resumed {args.flow_run_id} with {len(decisions.decisions)} decision(s)")


if __name__ == "__main__":
    main()
