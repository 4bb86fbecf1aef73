"""The research pipeline's steps: plan, tools, fetch, agents under a budget, publish and the report."""
