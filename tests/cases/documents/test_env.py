"""The document sandbox: escaping, no internals, and no arithmetic that exhausts memory."""

from __future__ import annotations

from decimal import Decimal

import pytest
from jinja2.exceptions import SecurityError

from cases.documents.env import make_env


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 10**9 }}",  # folded at compile time by plain Jinja, outside the sandbox
        "{{ 'x' * n }}",
        "{{ [1] * n }}",
        "{{ 2 ** 100000 }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
    ],
)
def test_refused(source):
    with pytest.raises(SecurityError):
        make_env().from_string(source).render(n=10**9)


def test_everyday_arithmetic_and_escaping_still_work():
    template = make_env().from_string("{{ name }} {{ a * 2 }} {{ '-' * 3 }} {{ 2 ** 3 }}")
    assert template.render(name="A&B <公司>", a=Decimal("1.5")) == "A&amp;B &lt;公司&gt; 3.0 --- 8"
