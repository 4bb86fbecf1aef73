"""The chaos suite: the document pipeline under injected faults and SIGKILLs, audited for lost and duplicated documents.

`python -m chaos` (or `make chaos`) starts its own Prefect server and stub servers, runs the pipeline as a
subprocess, kills and resumes it, then counts what reached the store, the export folder and the webhook
receiver. `chaos.session.run_chaos` does the same in-process against an existing Prefect server (the tests).
"""
