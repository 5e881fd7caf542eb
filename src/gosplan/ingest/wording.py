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

from gosplan.errors import Problem, ValidationError
from gosplan.i18n import _, ngettext

#: Problems listed in a message (the rest are counted), as in :class:`~gosplan.errors.ValidationError`.
LISTED = 20


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


def problems_text(exc: ValidationError) -> str:
    """A refused input's problems in the reader's words, one a line (in English, the text of ``str(exc)``).

    >>> print(problems_text(ValidationError([Problem("plan.csv", 2, "value", "not a number: 'x'")])))
    1 problem found; nothing was written:
      - plan.csv, row 2, column 'value': not a number: 'x'
    """
    lines = [ngettext("{count} problem found; nothing was written:", "{count} problems found; nothing was written:",
                      exc.total)]
    lines += [f"  - {problem_line(p)}" for p in exc.problems[:LISTED]]
    more = exc.total - min(LISTED, len(exc.problems))
    if more > 0:
        lines.append("  " + _("... and {count} more", count=more))
    return "\n".join(lines)


__all__ = ["problem_line", "problems_text"]
