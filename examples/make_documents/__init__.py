"""Generate the example documents 14-18 into examples/documents/: python -m examples.make_documents."""
