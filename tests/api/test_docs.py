"""The runnable examples in the docstrings of the accounts service and the app factory stay true."""

from __future__ import annotations

import doctest

import pytest

import gosplan.api.app
import gosplan.service.accounts


@pytest.mark.parametrize("module", [gosplan.service.accounts, gosplan.api.app])
def test_docstring_examples_run(module: object) -> None:
    result = doctest.testmod(module, raise_on_error=False)
    assert result.attempted > 0 and result.failed == 0
