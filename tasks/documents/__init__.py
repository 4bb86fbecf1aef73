"""The document pipeline's steps: ingest, the agents, enrichment, the review gate, publish as a saga,
dead letters and the report."""
