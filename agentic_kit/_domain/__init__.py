"""The project's vocabulary, below every other package: domain models, the error hierarchy, event names and
the settings. It holds no Prefect tasks and no SQL, so anything may import it.
"""
