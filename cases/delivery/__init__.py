"""Proof of delivery of letters."""
