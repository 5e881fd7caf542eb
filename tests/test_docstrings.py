"""The examples in the docstrings run and print what they say (they are the first thing users copy)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import gosplan

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(gosplan.__path__, prefix="gosplan.")
    if ".migrations" not in info.name
)


def _with_examples(name: str) -> bool:
    module = importlib.import_module(name)
    return any(test.examples for test in doctest.DocTestFinder().find(module))


@pytest.mark.parametrize("name", [m for m in MODULES if _with_examples(m)])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples failed in {name}"
