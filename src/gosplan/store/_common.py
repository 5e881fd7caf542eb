"""Helpers shared by the parts of the store: code <-> id maps, time stamps, filters, summaries."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Table, bindparam, select, text

from gosplan.errors import Problem, ValidationError
from gosplan.i18n import N_, _
from gosplan.store import schema

# Lists of codes longer than this are filtered in pandas after the query instead of in an SQL IN (...),
# which keeps well under SQLite's bound-parameter limit and PostgreSQL's planning cost for long lists.
MAX_SQL_IN = 5000
# Two values are "the same" when they differ by less than this, relative to their size.
RELATIVE_TOLERANCE = 1e-12
_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True)
class WriteSummary:
    """What a write did: rows that were ``new``, ``updated`` (a new revision for reports), ``unchanged``.

    >>> WriteSummary(new=2, updated=1, unchanged=0).total
    3
    """

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def revised(self) -> int:
        """Same as :attr:`updated`; the word used for reports."""
        return self.updated

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged

    def __add__(self, other: WriteSummary) -> WriteSummary:
        return WriteSummary(
            self.new + other.new, self.updated + other.updated, self.unchanged + other.unchanged
        )


WRITE_INTENT = "gosplan_write"


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: on SQLite it begins IMMEDIATE, taking the write lock first.

    A deferred transaction that reads and then writes cannot wait for the lock when another writer
    committed in between (SQLite answers "database is locked" at once); one that asks for the lock
    before its first read waits its turn (``busy_timeout``). Readers keep deferred transactions.
    """
    with engine.connect() as conn:
        conn.info[WRITE_INTENT] = True
        try:
            with conn.begin():
                yield conn
        finally:
            conn.info.pop(WRITE_INTENT, None)


def utc_now() -> datetime:
    """Now in UTC, without tzinfo: the store keeps naive UTC time stamps on both backends."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_batch(conn: Connection, kind: str, source: str, recorded_by: str) -> int:
    """Record who writes, from which source and when, once per write; returns the batch id."""
    return conn.execute(
        schema.batches.insert()
        .values(kind=kind, source=source, recorded_by=recorded_by, recorded_at=utc_now())
        .returning(schema.batches.c.id)
    ).scalar_one()


def naive_utc(values: pd.Series) -> pd.Series:
    """Time stamps as naive UTC (aware ones are converted, naive ones are taken as UTC already)."""
    stamps = (
        pd.to_datetime(values, utc=True, format="mixed")
        if values.dtype == object
        else pd.to_datetime(values, utc=True)
    )
    return stamps.dt.tz_localize(None)


def code_map(conn: Connection, table: Table) -> pd.Series:
    """``code -> id`` of a reference table as a Series indexed by code."""
    rows = conn.execute(select(table.c.code, table.c.id)).all()
    return pd.Series([r[1] for r in rows], index=pd.Index([r[0] for r in rows], dtype=object), dtype="int64")


def id_codes(conn: Connection, table: Table) -> np.ndarray:
    """An array ``codes[id]`` for turning integer keys back into codes quickly."""
    rows = conn.execute(select(table.c.id, table.c.code)).all()
    size = max((r[0] for r in rows), default=0) + 1
    codes = np.empty(size, dtype=object)
    for key, code in rows:
        codes[key] = code
    return codes


def lookup_ids(codes: pd.Series, mapping: pd.Series) -> np.ndarray:
    """Vectorised code -> id; -1 where the code is unknown (each distinct code is looked up once)."""
    positions, uniques = pd.factorize(codes, use_na_sentinel=True)
    found = mapping.index.get_indexer(pd.Index([str(u) for u in uniques], dtype=object))
    ids = np.where(found >= 0, mapping.to_numpy()[np.maximum(found, 0)], -1)
    return np.append(ids, -1).astype("int64")[positions]


#: "unknown <what> 'CODE'" for each kind of code a file may name, one whole message each.
UNKNOWN_CODE = {
    "unit": N_("unknown unit {value}"), "indicator": N_("unknown indicator {value}"),
    "plan": N_("unknown plan {value}"),
    "sector": N_("unknown sector {value}"), "project": N_("unknown project {value}"),
    "campaign": N_("unknown campaign {value}"),
}


def unknown_code(what: str, value: object) -> str:
    """The reason a row naming an unknown ``what`` (unit, indicator...) is refused, in the reader's language."""
    return _(UNKNOWN_CODE[what], value=repr(value))


def unknown_code_problems(
    source: str, frame: pd.DataFrame, column: str, ids: np.ndarray, what: str
) -> list[Problem]:
    rows = np.flatnonzero(ids < 0)
    return [
        Problem(source, int(i) + 2, column, unknown_code(what, frame[column].iloc[i])) for i in rows[:1000]
    ]


def as_list(values: str | Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        return [values]
    return [str(v) for v in values]


class IdFilter:
    """Builds ``AND column IN (...)`` clauses from lists of codes, or defers long lists to pandas."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: dict[str, object] = {}
        self.expanding: list[str] = []
        self.post: list[tuple[str, set[int]]] = []
        self.empty = False

    def add(self, column: str, codes: list[str] | None, mapping: pd.Series) -> None:
        if codes is None:
            return
        ids = sorted({int(mapping[c]) for c in codes if c in mapping.index})
        if not ids:
            self.empty = True
            return
        if len(ids) > MAX_SQL_IN:
            self.post.append((column, set(ids)))
            return
        name = f"p_{len(self.params)}"
        self.clauses.append(f" AND {column} IN :{name}")
        self.params[name] = ids
        self.expanding.append(name)

    def sql(self) -> str:
        return "".join(self.clauses)

    def statement(self, sql: str):
        statement = text(sql)
        if self.expanding:
            statement = statement.bindparams(*(bindparam(name, expanding=True) for name in self.expanding))
        return statement

    def apply_post(self, frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
        """Filter a result on the long lists; ``columns`` maps the SQL column to the frame's id column."""
        for column, ids in self.post:
            frame = frame[frame[columns[column]].isin(ids)]
        return frame


def month_labels(ordinals: np.ndarray) -> np.ndarray:
    """``'YYYY-MM'`` labels for month ordinals, computed once per distinct month."""
    if len(ordinals) == 0:
        return np.array([], dtype=object)
    unique, inverse = np.unique(ordinals, return_inverse=True)
    labels = np.array([f"{o // 12}-{o % 12 + 1:02d}" for o in unique.tolist()], dtype=object)
    return labels[inverse]


def month_ordinals(
    labels: pd.Series, source: str, column: str = "period"
) -> tuple[np.ndarray, list[Problem]]:
    """Month ordinals of ``YYYY-MM`` labels (also ``YYYY-M``), parsed once per distinct label."""
    positions, uniques = pd.factorize(labels, use_na_sentinel=True)
    ordinals = []
    for label in uniques.tolist():
        match = _MONTH_RE.match(str(label))
        ordinals.append(int(match[1]) * 12 + int(match[2]) - 1 if match and 1 <= int(match[2]) <= 12 else -1)
    per_row = np.append(np.array(ordinals, dtype="int64"), -1)[positions]
    problems = [
        Problem(source, int(i) + 2, column, _("not a month: {value} (expected YYYY-MM)", value=repr(labels.iloc[i])))
        for i in np.flatnonzero(per_row < 0)[:1000]
    ]
    return per_row, problems


def check_values(values: pd.Series, source: str, column: str = "value") -> tuple[np.ndarray, list[Problem]]:
    numbers = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    bad = ~np.isfinite(numbers)
    problems = [
        Problem(source, int(i) + 2, column, _("not a finite number: {value}", value=repr(values.iloc[i])))
        for i in np.flatnonzero(bad)[:1000]
    ]
    return numbers, problems


def duplicate_problems(frame: pd.DataFrame, keys: list[str], source: str) -> list[Problem]:
    dup = frame.duplicated(keys, keep="first").to_numpy()
    return [
        Problem(source, int(i) + 2, None, _("duplicate of an earlier row with the same {keys}", keys=", ".join(keys)))
        for i in np.flatnonzero(dup)[:1000]
    ]


def raise_problems(problems: list[Problem]) -> None:
    if problems:
        raise ValidationError(problems)


def require_columns(frame: pd.DataFrame, columns: list[str], source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError([Problem(source, None, c, _("missing required column")) for c in missing])


def none_if_missing(value: object) -> object:
    """``None`` for NaN/NA/None; the value itself otherwise (numpy scalars as Python scalars)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def korean_texts(frame: pd.DataFrame, rows: list[dict], column: str) -> list[dict]:
    """``rows`` (one per row of ``frame``) with ``column`` (a Korean text, e.g. ``name_ko``) where the frame
    has it: the text, or None for an empty cell; a frame without the column leaves the stored texts alone."""
    if column in frame:
        for row, value in zip(rows, frame[column].tolist(), strict=True):
            value = none_if_missing(value)
            row[column] = None if value is None or not str(value).strip() else str(value).strip()
    return rows


def prefer(translated: pd.Series, original: pd.Series) -> pd.Series:
    """``translated`` where it holds a text, else ``original`` (a name or text in another language)."""
    given = translated.notna() & translated.astype(str).str.strip().ne("")
    return translated.where(given, original).astype(object)


def in_reader_language(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """``frame`` with ``column`` in the reader's language: its ``{column}_{language}`` where that holds a
    text, the stored one otherwise; the columns of the other languages (``name_ko``...) are dropped."""
    from gosplan.i18n import LANGUAGES, current_language

    own = f"{column}_{current_language()}"
    if own in frame:
        frame[column] = prefer(frame[own], frame[column])
    return frame.drop(columns=[c for c in (f"{column}_{language}" for language in LANGUAGES) if c in frame])
