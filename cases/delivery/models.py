"""Tables: Proof of delivery of letters."""
