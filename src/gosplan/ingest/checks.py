"""Vectorised checks shared by the importers; each adds :class:`~gosplan.errors.Problem` s to a collector.

Frames handed to these checks carry the spreadsheet row number as their index (header = row 1), so a
problem points at the row a person sees. Checks work on the distinct values of a column where they
can (``pd.factorize``), which keeps a million-row report file fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

import numpy as np
import pandas as pd

from gosplan.errors import Problem, ValidationError
from gosplan.i18n import N_, _

MAX_PROBLEMS = 1000  # listed; all are counted
MAX_CODE = 64
MAX_TEXT = 400
CODE_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
CONTROL_RE = r"[\x00-\x08\x0b-\x1f\x7f]"
_CONTROL = re.compile(CONTROL_RE)
#: "unknown unit 'X'" for each kind of thing a cell may name (a whole sentence each, for the translators).
UNKNOWN = {"unit": N_("unknown unit {value}"), "indicator": N_("unknown indicator {value}"),
           "plan": N_("unknown plan {value}"), "sector": N_("unknown sector {value}"),
           "project": N_("unknown project {value}"), "campaign": N_("unknown campaign {value}")}


class Problems:
    """Collects problems of one file, keeps the first :data:`MAX_PROBLEMS` and counts all of them."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.listed: list[Problem] = []
        self.total = 0

    def add(self, row: int | None, column: str | None, reason: str) -> None:
        self.total += 1
        if len(self.listed) < MAX_PROBLEMS:
            self.listed.append(Problem(self.source, row, column, reason))

    def add_rows(
        self, rows: pd.Index | np.ndarray, column: str | None, reason: Callable[[int], str] | str
    ) -> None:
        """One problem per row in ``rows``; ``reason`` is text or a function of the row number."""
        rows = np.asarray(rows)
        room = max(MAX_PROBLEMS - len(self.listed), 0)
        for row in rows[:room].tolist():
            self.listed.append(
                Problem(self.source, int(row), column, reason(row) if callable(reason) else reason)
            )
        self.total += len(rows)

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if self.total:
            listed = sorted(self.listed, key=lambda p: (p.row or 0, p.column or ""))
            raise ValidationError(listed, total=self.total)


def text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as stripped text; missing cells become ``""``. Integral floats (Excel) lose their ``.0``.

    Works on the distinct values only (``pd.factorize``): a report file repeats the same few codes and
    months a million times.
    """
    series = frame[column]
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    cleaned = np.array([_cell_text(u).strip() for u in uniques] + [""], dtype=object)
    return pd.Series(cleaned[codes], index=series.index, dtype=object)


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):  # a spreadsheet date cell (pd.Timestamp is a datetime too)
        first_of_month = value.day == 1 and (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)
        return value.strftime("%Y-%m") if first_of_month else value.isoformat()
    return str(value)


def check_text(
    problems: Problems, values: pd.Series, column: str, *, required: bool, max_length: int = MAX_TEXT
) -> None:
    """Control characters, over-long text, and (if required) empty cells."""
    codes, uniques = pd.factorize(values)
    uniques = pd.Series(uniques, dtype=object)
    bad_control = uniques.str.contains(CONTROL_RE, regex=True).to_numpy()
    too_long = (uniques.str.len() > max_length).to_numpy()
    empty = (uniques == "").to_numpy() if required else np.zeros(len(uniques), dtype=bool)
    for mask, reason in (
        (bad_control, _("contains control characters")),
        (too_long, _("longer than {count} characters", count=max_length)),
        (empty, _("required value is empty")),
    ):
        if mask.any():
            rows = values.index[np.isin(codes, np.flatnonzero(mask))]
            problems.add_rows(rows, column, reason)


def check_codes(problems: Problems, values: pd.Series, column: str, *, required: bool = True) -> np.ndarray:
    """Codes are 1..64 characters of ``A-Z a-z 0-9 _ . -``; mask of valid (or empty optional) cells."""
    codes, uniques = pd.factorize(values)
    uniques = pd.Series(uniques, dtype=object)
    valid_unique = uniques.str.fullmatch(r"[A-Za-z0-9_.\-]{1,64}").fillna(False).to_numpy(dtype=bool)
    if not required:
        valid_unique |= (uniques == "").to_numpy()
    invalid_positions = np.flatnonzero(~valid_unique)
    for position in invalid_positions.tolist():
        value = uniques.iloc[position]
        rows = values.index[codes == position]
        if value == "":
            reason = _("required value is empty")
        elif len(value) > MAX_CODE:
            reason = _("code longer than {count} characters", count=MAX_CODE)
        else:
            reason = _("code {value} may only contain letters, digits, '_', '.' and '-'", value=_show(value))
        problems.add_rows(rows, column, reason)
    return valid_unique[codes] if len(codes) else np.zeros(0, dtype=bool)


def check_known(
    problems: Problems,
    values: pd.Series,
    column: str,
    known: set[str] | pd.Index,
    what: str,
    valid: np.ndarray | None = None,
    *,
    optional: bool = False,
) -> np.ndarray:
    """Cells must name something that exists; returns the mask of known cells."""
    index = known if isinstance(known, pd.Index) else pd.Index(sorted(known), dtype=object)
    codes, uniques = pd.factorize(values)
    found = index.get_indexer(pd.Index(uniques, dtype=object)) >= 0
    if optional:
        found |= np.asarray(uniques == "", dtype=bool)
    ok = found[codes] if len(codes) else np.zeros(0, dtype=bool)
    report = ~ok if valid is None else (~ok & valid)
    for position in np.unique(codes[report]).tolist():
        rows = values.index[(codes == position) & report]
        shown = _show(uniques[position])
        problems.add_rows(rows, column, _(UNKNOWN[what], value=shown) if what in UNKNOWN else
                          _("unknown {what} {value}", what=what, value=shown))
    return ok


def check_numbers(
    problems: Problems,
    raw: pd.Series,
    column: str,
    *,
    non_negative: np.ndarray | bool = False,
    integer: bool = False,
) -> np.ndarray:
    """Numbers: text, empty cells, NaN/inf and (where asked) negative values are problems."""
    if pd.api.types.is_bool_dtype(raw.dtype):
        raw = raw.astype(object)
    numbers = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64", na_value=np.nan, copy=True)
    bad = ~np.isfinite(numbers)
    if bad.any():
        # A second chance for the typographic minus sign that word processors put in.
        retry = raw[bad].map(lambda v: _cell_text(v).strip().replace("\u2212", "-"), na_action="ignore")
        numbers[bad] = pd.to_numeric(retry, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isfinite(numbers)
    if bad.any():
        rows = raw.index[bad]
        reasons = {}
        for row, value in zip(rows.tolist(), raw[bad].tolist(), strict=True):
            text = (
                "" if value is None or (isinstance(value, float) and np.isnan(value)) else _cell_text(value)
            )
            text = text.strip()
            if text == "":
                reasons[row] = _("required number is empty")
            elif text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
                reasons[row] = _("not a finite number: {value}", value=_show(text))
            else:
                reasons[row] = _("not a number: {value}", value=_show(text))
        problems.add_rows(rows, column, lambda row: reasons[row])
    negative = (numbers < 0) & np.asarray(non_negative)
    if negative.any():
        problems.add_rows(raw.index[negative], column, _("negative value; this indicator is non-negative"))
    if integer:
        fractional = np.isfinite(numbers) & (numbers != np.round(numbers))
        if fractional.any():
            problems.add_rows(raw.index[fractional], column, _("must be a whole number"))
    return numbers


def check_duplicates(problems: Problems, frame: pd.DataFrame, keys: list[str]) -> None:
    """Rows repeating the key of an earlier row in the same file."""
    dup = frame.duplicated(keys, keep="first").to_numpy()
    if not dup.any():
        return
    first_rows = frame.reset_index().groupby(keys, sort=False)[frame.index.name or "index"].transform("first")
    first_of = dict(zip(frame.index.tolist(), first_rows.tolist(), strict=True))
    problems.add_rows(
        frame.index[dup], None,
        lambda row: _("duplicate: same {columns} as row {row}", columns=", ".join(keys), row=first_of[row])
    )


def check_hierarchy(
    problems: Problems, codes: pd.Series, parents: pd.Series, stored: dict[str, str | None], what: str
) -> None:
    """Parents must exist (in the store or the file) and the hierarchy must not contain a cycle."""
    parent_of = dict(stored)
    parent_of.update({c: (p or None) for c, p in zip(codes.tolist(), parents.tolist(), strict=True)})
    row_of = dict(zip(codes.tolist(), codes.index.tolist(), strict=True))
    for code, parent in zip(codes.tolist(), parents.tolist(), strict=True):
        if parent and parent not in parent_of:
            problems.add(
                row_of[code],
                "parent",
                _("parent {what} {value} does not exist (not in the store nor in this file)", what=what,
                  value=_show(parent)),
            )
    reported: set[str] = set()
    for start in codes.tolist():
        seen = [start]
        node = parent_of.get(start)
        while node is not None and node in parent_of and len(seen) <= len(parent_of):
            if node in seen:
                cycle = seen[seen.index(node) :]
                key = min(cycle)
                if key not in reported:
                    reported.add(key)
                    path = " -> ".join([*cycle, node])
                    problems.add(row_of.get(start), "parent", _("cycle in the {what} hierarchy: {path}", what=what,
                                                                path=path))
                break
            seen.append(node)
            node = parent_of.get(node)


def korean_text(problems: Problems, frame: pd.DataFrame, out: pd.DataFrame, column: str,
                max_length: int = 4000) -> None:
    """Copy the optional Korean text ``column`` (``name_ko``, ``description_ko``...) of ``frame`` into ``out``,
    checked like any text; an empty cell becomes None (the English text is shown)."""
    if column in frame:
        text = strip_export_guard(text_column(frame, column))
        check_text(problems, text, column, required=False, max_length=max_length)
        out[column] = text.replace("", None)


def strip_export_guard(values: pd.Series) -> pd.Series:
    """Undo the apostrophe :func:`gosplan.ingest.tables.neutralise` puts before formula-like text."""
    return values.str.replace(r"^'(?=[=+\-@\t\r])", "", regex=True)


def _show(value: object) -> str:
    text = repr(str(value))
    return text if len(text) <= 60 else text[:57] + "...'"


def has_control(value: str) -> bool:
    return bool(_CONTROL.search(value))
