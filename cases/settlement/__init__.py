"""Payment confirmation by finance and fee requests."""
