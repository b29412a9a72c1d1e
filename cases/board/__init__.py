"""Deadlines board: acknowledgements, own deadlines, digests, calendar feeds."""
