"""Ticket triage's steps: what a support ticket says, who the customer is, and a drafted reply."""
