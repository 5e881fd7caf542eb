"""The runnable examples in the forecast engine's docstrings run and say what they show."""

import doctest
import importlib

import pytest

MODULES = ["annual", "exceptions", "alerts", "synthetic", "coherent", "reconcile", "hydro"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"gosplan.engines.forecast.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
