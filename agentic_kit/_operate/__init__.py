"""Operating pipelines: the command line, the local server, the gateway, metrics."""
