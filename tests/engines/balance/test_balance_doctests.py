"""The docstring examples of the balance engine run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "gosplan.balance",
    "gosplan.engines.balance.table",
    "gosplan.engines.balance.solvers",
    "gosplan.engines.balance.dense",
    "gosplan.engines.balance.check",
    "gosplan.engines.balance.lp",
    "gosplan.engines.balance.dynamic",
    "gosplan.engines.balance.update",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
