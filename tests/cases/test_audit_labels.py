"""The case page's audit trail names every table and column it can show.

Every audited table with a ``case_id`` writes entries into a case's trail (``cases.audit.trail``);
a new table or column without a label would show its raw name to legal staff.
"""

from __future__ import annotations

import pytest
from sqlmodel import SQLModel

import cases.models  # noqa: F401  (the full metadata)
from cases.register.casefile import AUDIT_ENTITY_LABELS, AUDIT_FIELD_LABELS


def _case_tables() -> list:
    audited = {
        mapper.class_.__tablename__
        for mapper in SQLModel._sa_registry.mappers
        if getattr(mapper.class_, "__audited__", True)
    }
    return [
        table
        for table in SQLModel.metadata.sorted_tables
        if table.name in audited and ("case_id" in table.c or table.name == "case")
    ]


def test_the_case_tables_are_found():
    names = {t.name for t in _case_tables()}
    assert {"case", "payment", "engagement", "delivery", "fee_request"} <= names
    assert "audit_entry" not in names  # not audited
    assert "bulk_run_item" not in names


@pytest.mark.parametrize("table", _case_tables(), ids=lambda t: t.name)
def test_every_audited_case_table_and_column_has_a_label(table):
    assert table.name == "case" or table.name in AUDIT_ENTITY_LABELS
    unnamed = [c.name for c in table.c if c.name != "id" and c.name not in AUDIT_FIELD_LABELS]
    assert unnamed == []
