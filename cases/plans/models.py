"""Tables: Repayment plans, installments and promises to pay."""
