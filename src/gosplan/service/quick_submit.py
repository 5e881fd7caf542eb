"""The path of small report submissions (a single value from the web form or the API, up to
:data:`SMALL_ROWS` rows): the same checks as every import, with less around them.

A single report used to pay for a whole import: reference tables read again for every check, a staging
table, a set-based merge and a second read of the current values for the audit entry. Here

* the checks are the import's own (:func:`gosplan.ingest.check_frame`: codes, units of measure,
  numbers, the roll-up rule, locks, approvals, validation rules), run over a view of the store whose
  units, indicators, rules, bounds and approval rows are read once per :meth:`Store.checks_version`
  (:class:`CheckReference`), a token that every write of them changes, whoever writes;
* the write (:meth:`Store.write_few_reports`) reads the current values of the touched keys in one
  query — which are also the audit entry's "before" — and inserts the new revisions with one
  ``INSERT``, in the transaction of the audit entry.

So both paths accept and refuse the same rows with the same problems, and write the same rows.

>>> is_small("reports", 1), is_small("reports", 5000), is_small("targets", 1)
(True, False, False)
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from gosplan.engines.hierarchy import Hierarchy
from gosplan.ingest import check_frame
from gosplan.ingest.plain import plain_reports
from gosplan.ingest.workflow_check import check_workflow
from gosplan.model import Period
from gosplan.store import Store, schema
from gosplan.store._common import WriteSummary, code_map

# Submissions of up to this many report rows take the small path.
SMALL_ROWS = 50
# Keys of the code -> id maps in a CheckReference.
ID_KEYS = (("ids", "indicators"), ("ids", "units"))


def is_small(kind: str, rows: int, columns: list[str] | None = None) -> bool:
    """Whether a submission of ``rows`` rows of ``kind`` takes the small path: reports of at most
    :data:`SMALL_ROWS` rows without their own ``recorded_at`` times."""
    return kind == "reports" and 0 < rows <= SMALL_ROWS and "recorded_at" not in (columns or [])


class CheckReference:
    """What the checks of a submission read besides the reports, as of one :meth:`Store.checks_version`:
    units, indicators, plans, the hierarchy, validation rules, min-max bounds, approval rows, when data
    entry closes and the code -> id maps, each read from the store once while the version stays the same.

    Every write of those (by this process, another server process or the CLI) changes the version in
    its own transaction, and each submission reads the version first, so the very next submission
    after a rule is added, a bound edited or a month locked is checked against it. Data read after the
    version can only be newer than it, never older; a newer version makes a new reference.
    """

    # Distinct period sets whose approval rows are kept (one per month for single reports).
    APPROVAL_SETS = 512

    def __init__(self, store: Store, version: str) -> None:
        self.store = store
        self.version = version
        self._memo: dict[Any, Any] = {}
        self._lock = threading.Lock()

    def _get(self, key: Any, load: Callable[[], Any]) -> Any:
        found = self._memo.get(key, _MISSING)
        if found is _MISSING:
            found = load()
            with self._lock:
                self._memo[key] = found
        return found

    def units(self) -> pd.DataFrame:
        return self._get("units", self.store.units)

    def indicators(self) -> pd.DataFrame:
        return self._get("indicators", self.store.indicators)

    def plans(self) -> pd.DataFrame:
        return self._get("plans", self.store.plans)

    def hierarchy(self) -> Hierarchy:
        return self._get("hierarchy", lambda: Hierarchy(self.units()))

    def indicator_facts(self) -> dict[str, tuple[str, str]]:
        """Indicator code -> (canonical unit of measure, role)."""
        def load() -> dict[str, tuple[str, str]]:
            frame = self.indicators()
            facts = zip(frame["code"], frame["unit"], frame["role"], strict=True)
            return {str(code): (str(unit), str(role)) for code, unit, role in facts}
        return self._get("indicator_facts", load)

    def is_leaf(self, unit: str) -> bool:
        """Whether ``unit`` is a known unit with no units below it."""
        children = self.hierarchy().children
        return unit in children and not children[unit]

    def rules(self) -> pd.DataFrame:
        return self._get("rules", self.store.rules)

    def bounds(self, units: Iterable[str] | None = None) -> pd.DataFrame:
        every = self._get("bounds", self.store.bounds)
        if units is None or every.empty:
            return every
        return every[every["unit"].isin(set(units))].reset_index(drop=True)

    def approval_rows(self, periods: Iterable[str] | None = None) -> pd.DataFrame:
        if periods is None:
            return self.store.approval_rows()
        wanted = frozenset(periods)
        if len(self._memo) > self.APPROVAL_SETS:
            with self._lock:
                for key in [k for k in self._memo if isinstance(k, frozenset)]:
                    self._memo.pop(key, None)
        return self._get(wanted, lambda: self.store.approval_rows(periods=wanted))

    def setting(self, key: str) -> str | None:
        """A value of the store's meta table that the checks read (when data entry closes): every write
        of it changes the version (:meth:`Store.set_checked_setting`)."""
        return self._get(("meta", key), lambda: self.store.get_meta(key))

    def ids(self, table: str) -> dict[str, int]:
        """Code -> id of ``units`` or ``indicators``."""
        def load() -> dict[str, int]:
            with self.store.engine.connect() as conn:
                return code_map(conn, getattr(schema, table)).to_dict()
        return self._get(("ids", table), load)


_MISSING = object()
# The current reference per store (shared by the services of one store in this process).
_REFERENCES: weakref.WeakKeyDictionary[Store, CheckReference] = weakref.WeakKeyDictionary()


def check_reference(store: Store, version: str) -> CheckReference:
    """The reference for ``version`` (read by the caller from :meth:`Store.checks_version` before
    anything else): the one kept for ``store`` if it is of that version, else a fresh one."""
    current = _REFERENCES.get(store)
    if current is None or current.version != version:
        current = _REFERENCES[store] = CheckReference(store, version)
    return current


class CachedReference:
    """The store as the import checks see it, with reference data, rules, bounds and approvals from a
    :class:`CheckReference`. Every other attribute is the store's own, so the checks run unchanged."""

    def __init__(self, reference: CheckReference) -> None:
        self._reference = reference
        self._store = reference.store

    def units(self) -> pd.DataFrame:
        return self._reference.units()

    def indicators(self) -> pd.DataFrame:
        return self._reference.indicators()

    def plans(self) -> pd.DataFrame:
        return self._reference.plans()

    def hierarchy(self) -> Hierarchy:
        return self._reference.hierarchy()

    def rules(self) -> pd.DataFrame:
        return self._reference.rules()

    def bounds(self, units: Iterable[str] | None = None) -> pd.DataFrame:
        return self._reference.bounds(units)

    def approval_rows(self, periods: Iterable[str] | None = None) -> pd.DataFrame:
        return self._reference.approval_rows(periods)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def check_small(reference: CheckReference, frame: pd.DataFrame, *, source: str,
                today: date | None = None) -> pd.DataFrame:
    """:func:`gosplan.ingest.check_frame` for a small reports frame, over ``reference``: plainly clean rows
    (:func:`gosplan.ingest.plain.plain_reports`) go straight to the workflow checks (locks, approvals,
    rules, bounds); any other frame takes the full checks, which name its problems."""
    view = CachedReference(reference)
    clean = plain_reports(frame, reference.indicator_facts(), reference.is_leaf, today or date.today())
    if clean is None:
        return check_frame(view, "reports", frame, source=source, today=today)  # type: ignore[arg-type]
    check_workflow(view, "reports", clean, source)  # type: ignore[arg-type]
    return clean.reset_index(drop=True)


def id_rows(reference: CheckReference, clean: pd.DataFrame) -> list[tuple[int, int, int, float]]:
    """``(indicator_id, unit_id, month, value)`` of a checked reports frame (codes known to the store)."""
    indicators, units = reference.ids("indicators"), reference.ids("units")
    if not (set(clean["indicator"]) <= indicators.keys() and set(clean["unit"]) <= units.keys()):
        for key in ID_KEYS:  # a code added by a writer that does not note it (the checks read it already)
            reference._memo.pop(key, None)
        indicators, units = reference.ids("indicators"), reference.ids("units")
    return [(indicators[i], units[u], Period.parse(p).ordinal, float(v))
            for i, u, p, v in zip(clean["indicator"], clean["unit"], clean["period"], clean["value"], strict=True)]


def write_small(store: Store, reference: CheckReference, clean: pd.DataFrame, *, source: str, recorded_by: str,
                conn: Connection) -> tuple[WriteSummary, list[dict[str, Any]]]:
    """Write a checked small reports frame in ``conn``: the summary and the audit entry's rows before
    (the current values of the keys that had one, in the frame's order)."""
    rows = id_rows(reference, clean)
    summary, before = store.write_few_reports(rows, source=source, recorded_by=recorded_by, conn=conn)
    records = [{"indicator": i, "unit": u, "period": p, "value": before[key[:3]]}
               for i, u, p, key in zip(clean["indicator"], clean["unit"], clean["period"], rows, strict=True)
               if key[:3] in before]
    return summary, records
