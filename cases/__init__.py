"""Qingshou domain: debt-recovery cases, their parties, money, timeline and audit.

This package never imports Flask. Operations take the acting user explicitly and only
flush; the caller (a request handler or a CLI command) owns the transaction.
"""
