"""One exception tree for the whole of gosplan.

Every error a user can cause is a :class:`GosplanError`. Validation errors carry the complete list
of :class:`Problem` s found (file, row, column, reason), so a reporting unit can fix its file in one
go instead of one error at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class GosplanError(Exception):
    """Base class of every error gosplan raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or row, or file) of the input.

    ``row`` is the 1-based line number as a person sees it in a spreadsheet (the header is row 1,
    the first data row is row 2); ``None`` when the problem concerns the whole file.
    """

    source: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.reason}"


class ValidationError(GosplanError):
    """Input rejected; nothing was written. ``problems`` lists every reason found.

    ``total`` counts every problem when only the first ones are listed (a file with a million bad rows).
    """

    def __init__(self, problems: Iterable[Problem], limit: int = 20, total: int | None = None) -> None:
        self.problems = list(problems)
        self.total = max(total or 0, len(self.problems))
        shown = "\n".join(f"  - {p}" for p in self.problems[:limit])
        more = self.total - min(limit, len(self.problems))
        if more > 0:
            shown += f"\n  ... and {more} more"
        count = self.total
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found; nothing was written:\n{shown}")


class InvalidValue(GosplanError, ValueError):
    """A single argument is malformed (a period like ``2023-13``, an unknown status class)."""


class NotFound(GosplanError):
    """A unit, indicator, plan, report or other named thing does not exist."""


class Conflict(GosplanError):
    """The write contradicts what is stored (e.g. a duplicate code with different content)."""


class PermissionDenied(GosplanError):
    """The caller's role or subtree does not allow this action.

    ``problems`` may list every row of a refused file (the rows outside the caller's subtree and any
    other problem found), so the person can mend the whole file at once.
    """

    def __init__(self, message: str = "", problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class SolverError(GosplanError):
    """A numerical solver failed or returned a status we cannot trust."""
