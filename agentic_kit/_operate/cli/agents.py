"""`agentic agents list|show`: what the tool-calling agents did, from the store's `agent_runs` and `tool_approvals`.

`list` shows each kept run (its agent, job, status, the guard that stopped it, turns, tool calls and approvals);
`show AGENT JOB` prints one run's transcript turn by turn (the question, each tool call with its arguments, each
tool answer, the answer) and the approval decisions taken on its calls. The store is the one AGENTIC_DATABASE_URL
names, or a saved Pipeline Store block with `--store-block NAME`. Times are UTC.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from agentic_kit._operate.cli.output import EXIT_NOT_FOUND, console, fail, pipeline_store, plain_table, print_json

EXCERPT_CHARACTERS = 300
"""How much of one part of a transcript `show` prints (--json has everything)."""

app = typer.Typer(no_args_is_help=True, help="What the tool-calling agents did: their runs and transcripts.")

StoreBlock = Annotated[str | None, typer.Option(help="A saved Pipeline Store block (default: AGENTIC_DATABASE_URL).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.command("list")
def list_runs(
    agent: Annotated[str | None, typer.Option(help="Only this agent's runs.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, the latest first.")] = 50,
    store_block: StoreBlock = None,
    json_output: AsJson = False,
) -> None:
    """A table of the agent runs kept, the latest first."""
    from agentic_kit._blocks.agent_records import agent_runs

    rows = agent_runs(pipeline_store(store_block), agent, limit)
    if json_output:
        print_json([row.model_dump(mode="json", exclude={"transcript"}) for row in rows])
        return
    console.print(plain_table("Agent runs", ("agent", "job", "status", "guard", "turns", "tool calls", "approvals",
                                             "updated (UTC)"),
                              [(r.agent, r.job[:12], r.status, r.guard or "", r.model_turns, r.tool_calls,
                                r.approvals, r.updated_at.strftime("%Y-%m-%d %H:%M:%S")) for r in rows]))
    console.print(f"{len(rows)} agent run(s)")


def _excerpt(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= EXCERPT_CHARACTERS else text[:EXCERPT_CHARACTERS] + " …"


def transcript_lines(transcript: list[dict[str, Any]]) -> list[str]:
    """One line per part of a transcript (pydantic-ai's JSON messages): who said what."""
    lines = []
    for message in transcript:
        for part in message.get("parts", []):
            kind = part.get("part_kind")
            if kind == "user-prompt":
                lines.append(f"question: {_excerpt(part.get('content'))}")
            elif kind == "tool-call":
                lines.append(f"model calls {part.get('tool_name')}({_excerpt(part.get('args'))}) "
                             f"[{part.get('tool_call_id')}]")
            elif kind == "tool-return":
                lines.append(f"  {part.get('tool_name')} answers: {_excerpt(part.get('content'))}")
            elif kind == "retry-prompt":
                lines.append(f"  {part.get('tool_name') or 'model'} retry: {_excerpt(part.get('content'))}")
            elif kind == "text":
                lines.append(f"model says: {_excerpt(part.get('content'))}")
    return lines


@app.command("show")
def show_run(
    agent: Annotated[str, typer.Argument(help="The agent's name, e.g. support.")],
    job: Annotated[str, typer.Argument(help="The job (item id) of the run; `agentic agents list` shows them.")],
    store_block: StoreBlock = None,
    json_output: AsJson = False,
) -> None:
    """One agent run: its figures, its transcript turn by turn and its approval decisions."""
    from agentic_kit._blocks.agent_records import agent_run, agent_runs, approvals_of

    store = pipeline_store(store_block)
    row = agent_run(store, agent, job) or next(
        (r for r in agent_runs(store, agent) if r.job.startswith(job)), None)
    if row is None:
        fail(f"no run of agent {agent!r} on job {job!r}", EXIT_NOT_FOUND)
    decisions = approvals_of(store, row.agent, row.job)
    if json_output:
        print_json({**row.model_dump(mode="json", exclude={"transcript"}), "transcript": json.loads(row.transcript),
                    "decisions": [d.model_dump(mode="json") for d in decisions]})
        return
    console.print(f"agent {row.agent}, job {row.job}: {row.status}" + (f" (stopped by {row.guard})" if row.guard
                                                                        else ""), markup=False, highlight=False)
    console.print(f"{row.model_turns} model turns, {row.tool_calls} tool calls, {row.approvals} approvals",
                  highlight=False)
    for line in transcript_lines(json.loads(row.transcript)):
        console.print(line, markup=False, highlight=False)
    if decisions:
        console.print(plain_table("Approval decisions", ("tool", "arguments", "decision", "by", "message"),
                                  [(d.tool, d.edited_arguments or d.arguments, d.decision, d.decided_by, d.message)
                                   for d in decisions]))
