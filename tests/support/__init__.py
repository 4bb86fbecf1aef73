"""Helpers the tests share that are not tests: worker processes they start, responders and fixtures' parts."""
