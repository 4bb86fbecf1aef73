"""`python -m deployments.cli`: the same as the `agentic` console script."""

from deployments.cli.app import main

main()
