"""The runnable examples in the demo economy's docstrings stay true."""

from __future__ import annotations

import doctest

import pytest

import gosplan.examples
import gosplan.examples.demo.economy


@pytest.mark.parametrize("module", [gosplan.examples, gosplan.examples.demo.economy])
def test_docstring_examples_run(module: object) -> None:
    result = doctest.testmod(module, raise_on_error=False)
    assert result.attempted > 0 and result.failed == 0
