"""`python -m deployments.dead_letters`: an alias of `agentic dead-letters` (the kit's, agentic_kit.operate)."""

from agentic_kit.operate import dead_letters_app

if __name__ == "__main__":
    dead_letters_app(prog_name="python -m deployments.dead_letters")
