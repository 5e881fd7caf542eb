"""The problems of a refused file in the reader's words: where (file, row, column) and why.

A :class:`~gosplan.errors.Problem` keeps its reason as it was built (through the catalogue, in the language of
the run that read the file); :func:`problem_line` says where it is, in the same words as ``str(problem)`` in
English.

>>> from gosplan.errors import Problem
>>> problem_line(Problem("reports.csv", 3, "value", "not a number: 'abc'"))
"reports.csv, row 3, column 'value': not a number: 'abc'"
>>> problem_line(Problem("reports.csv", None, None, "no rows to import"))
'reports.csv: no rows to import'
"""

from __future__ import annotations

from gosplan.errors import Problem
from gosplan.i18n import _


def problem_line(problem: Problem) -> str:
    """``problem`` as one line: file, row, column, reason."""
    source, row, reason = problem.source, problem.row, problem.reason
    column = repr(problem.column) if problem.column else None
    if row is not None and column:
        return _("{source}, row {row}, column {column}: {reason}", source=source, row=row, column=column,
                 reason=reason)
    if row is not None:
        return _("{source}, row {row}: {reason}", source=source, row=row, reason=reason)
    if column:
        return _("{source}, column {column}: {reason}", source=source, column=column, reason=reason)
    return _("{source}: {reason}", source=source, reason=reason)


__all__ = ["problem_line"]
