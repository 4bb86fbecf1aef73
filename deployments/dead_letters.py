"""`python -m deployments.dead_letters`: an alias of `agentic dead-letters` (deployments/cli/dead_letters.py)."""

from deployments.cli.dead_letters import app

if __name__ == "__main__":
    app(prog_name="python -m deployments.dead_letters")
