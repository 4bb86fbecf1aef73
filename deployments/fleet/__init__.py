"""The production topology on one machine: `make fleet` starts it, `make fleet-stop` stops it (see README)."""
