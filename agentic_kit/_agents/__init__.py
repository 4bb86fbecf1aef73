"""Tool-calling agents on the kit: a pydantic-ai loop whose every model turn and tool call is a cached Prefect task."""
