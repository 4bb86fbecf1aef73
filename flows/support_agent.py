"""Support agent: answer customers' questions with a tool-calling agent. A pipeline on the kit's public API.

    python -m flows.support_agent --question "I am ada@example.com. Can I get a refund for order O-5001?"

prints `answer: …; N model turns, M tool calls, K approvals` per question. A refund waits for a person's approval
in the Prefect UI (the run's link is printed while it waits); run again, the same question makes no model turn and
no tool call again.
"""

from __future__ import annotations

from pydantic import BaseModel

from agentic_kit import ItemOutcome, PipelineBlocks, pipeline
from agentic_kit.operate import run_from_command_line
from tasks.support.agent import support_agent


class Question(BaseModel):
    """A customer's question as it arrives."""

    text: str


class Answered(BaseModel):
    """The reply, and what the agent did to get there."""

    answer: str
    model_turns: int
    tool_calls: int
    approvals: int

    def line(self) -> str:
        """`answer: …; N model turns, M tool calls, K approvals`."""
        return (f"answer: {self.answer}; {self.model_turns} model turns, {self.tool_calls} tool calls, "
                f"{self.approvals} approvals")


# --8<-- [start:pipeline]
@pipeline("support-agent", item=Question, noun="questions", done="answered")
async def answer_question(question: Question, blocks: PipelineBlocks) -> Answered:
    """Answer one customer's question."""
    run = await support_agent().run(question.text, uses=[blocks.enrichment])
    return Answered(answer=run.output.answer, model_turns=run.model_turns, tool_calls=run.tool_calls,
                    approvals=len(run.approvals))


support_agent_flow = answer_question.flow
"""The flow prefect.yaml deploys."""
# --8<-- [end:pipeline]


def outcome_line(outcome: ItemOutcome) -> str:
    """An answered question's line, or the step it failed at and why."""
    return (Answered.model_validate(outcome.result).line() if outcome.result else
            f"failed at {outcome.step}: {outcome.error}")


def main() -> None:
    """Answer the questions given on the command line; print each answer line and the run's headline."""
    # without AGENTIC_ENRICHMENT_URL, the bundled enrichment service takes the refunds
    run_from_command_line(answer_question, lambda text: Question(text=text), option="question",
                          description="Answer customers' questions once.", option_help="a question's text (repeatable)",
                          outcome_line=outcome_line)


if __name__ == "__main__":
    main()
