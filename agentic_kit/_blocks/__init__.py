"""Prefect blocks users edit in the UI: the language model, the enrichment API, the pipeline store, the publish
targets, the webhook gateway, the fetch policy and each pipeline's model budget (public from `agentic_kit`)."""
