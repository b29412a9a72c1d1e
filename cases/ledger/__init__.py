"""Money received: payment rows (``models``), recording them (``operations``) and their
allocation to costs, interest and principal (``allocation``, 民法典 第五百六十一条)."""

from cases.ledger.allocation import Allocation, allocate, allocate_payments

__all__ = ["Allocation", "allocate", "allocate_payments"]
