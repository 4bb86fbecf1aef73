"""`python -m agentic_kit`: the same as the `agentic` console script."""

from agentic_kit._operate.cli.app import main

main()
