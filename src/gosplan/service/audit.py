"""Writes with a trail: every report, correction, target change and import is checked for
permission, validated by the one import path (:func:`gosplan.ingest.check_frame`, the checks of
``import_frame``), written by the store in one transaction together with its audit entry (values
before and after) and the answer kept for its idempotency key. Small report submissions (a single
value, up to :data:`~gosplan.service.quick_submit.SMALL_ROWS` rows) run the same checks over cached
reference data and write with one read and one insert (:mod:`gosplan.service.quick_submit`).

Submissions may carry an idempotency key (the API's ``Idempotency-Key`` header or ``client_key``):
the first submission with a key is processed, every retry with the same key gets the first answer
back and writes nothing, so a report sent twice over a flaky line is never counted twice. A key sent
again with different content is refused (:class:`~gosplan.errors.Conflict` naming the key) rather than
answered as if the new values had been saved.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from gosplan.errors import Conflict, GosplanError, PermissionDenied, Problem, ValidationError
from gosplan.i18n import _
from gosplan.ingest import check_frame, detect_kind, read_table
from gosplan.ingest import import_file as ingest_file
from gosplan.ingest.rules_check import record_warnings
from gosplan.service.accounts import (
    SYSTEM,
    Principal,
    require_report_rows,
    require_role,
    scope_words,
    writable_units,
)
from gosplan.service.core import Service
from gosplan.service.deadlines import late_entries
from gosplan.service.quick_submit import CheckReference, check_reference, check_small, is_small, write_small

# An audit entry lists at most this many rows before and after; the counts are always complete.
AUDIT_ROWS = 2000
# Attempts of a write that lost a race for a revision number to a concurrent writer of the same month.
WRITE_ATTEMPTS = 10
# Called last in the transaction of a write that changed data (see submit).
OnWrite = Callable[[Connection], object]
# Past this many rows a submission brings the month table up to date itself; smaller ones leave it to
# the next reader (which refreshes before it reads), so a single report does not pay for it.
SYNC_REFRESH_ROWS = 1000


@dataclass
class Submission:
    """What a submission did (the API's answer): counts, and whether it was a replay of a retried key."""

    kind: str
    rows: int
    new: int
    revised: int
    unchanged: int
    audit_id: int | None = None
    replayed: bool = False
    key: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Preview:
    """What a submission would change, row by row: ``change`` is new, revised or unchanged."""

    kind: str
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)

    def counts(self) -> dict[str, int]:
        return {k: int((self.rows["change"] == k).sum()) for k in ("new", "revised", "unchanged")}


def record(service: Service, actor: str, source: str, action: str, obj: str, before: Any = None,
           after: Any = None) -> int:
    """Append one entry to the audit log."""
    return service.store.append_audit(actor, source, action, obj, before, after)


def audit_log(service: Service, **filters: Any) -> pd.DataFrame:
    """Entries newest first; filters: actor, action, obj (prefix), since, limit, offset."""
    return service.store.audit(**filters)


# ------------------------------------------------------------------------------------ current values
_KEYS = {"reports": ["indicator", "unit", "period"], "targets": ["plan", "indicator", "unit", "period"]}
# The row keys of the other importable kinds (reference data is keyed by "code").
_ROW_KEYS = {"campaigns": ["name"], "campaign_members": ["campaign", "unit"],
             "project_milestones": ["project", "milestone"], "project_progress": ["project", "period"],
             "farms": ["unit"], "weather_events": ["province", "period", "kind"]}
_ROW_KEYS["unit_groups"] = ["unit", "grouping"]  # groupings beside the hierarchy (ingest/groupings.py)


def _current(service: Service, kind: str, clean: pd.DataFrame) -> pd.DataFrame:
    """Current stored values for the keys of ``clean`` (a checked frame): keys + ``value``."""
    keys = _KEYS.get(kind, ["code"])
    if clean.empty:
        return pd.DataFrame(columns=[*keys, "value"])
    if kind == "reports":
        stored = service.store.reports(indicators=sorted(set(clean["indicator"])), units=sorted(set(clean["unit"])),
                                       first=min(clean["period"]), last=max(clean["period"]))
    elif kind == "targets":
        stored = service.store.targets(indicators=sorted(set(clean["indicator"])), units=sorted(set(clean["unit"])),
                                       periods=sorted(set(clean["period"])))
    else:
        row_keys = _ROW_KEYS.get(kind, ["code"])
        stored = getattr(service.store, kind)()
        if len(stored):
            wanted = pd.MultiIndex.from_frame(clean[row_keys].astype(str))
            stored = stored[pd.MultiIndex.from_frame(stored[row_keys].astype(str)).isin(wanted)]
        return stored.astype(object).where(stored.notna(), None)
    return clean[keys].merge(stored[[*keys, "value"]], on=keys, how="inner")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The first :data:`AUDIT_ROWS` rows as plain Python values, missing ones as ``None``."""
    return _plain_rows(frame.head(AUDIT_ROWS))


def _plain_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as dicts of plain Python values (``Series.tolist``), missing values as ``None``:
    what ``to_dict("records")`` gives, without its cost per call for the few rows of a submission."""
    columns = list(frame.columns)
    values = [frame.iloc[:, n].tolist() for n in range(len(columns))]
    return [{c: (None if _missing(v) else v) for c, v in zip(columns, row, strict=True)}
            for row in zip(*values, strict=True)]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str | bytes | list | tuple | dict):
        return False
    return bool(pd.isna(value))


def _changes(kind: str, clean: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    keys = _KEYS[kind]
    merged = clean.merge(before.rename(columns={"value": "current"}), on=keys, how="left")
    same = np.isclose(merged["value"], merged["current"], rtol=1e-12, atol=0)
    merged["change"] = np.where(merged["current"].isna(), "new", np.where(same, "unchanged", "revised"))
    return merged


# ------------------------------------------------------------------------------------ reports, targets
def preview(service: Service, kind: str, frame: pd.DataFrame, principal: Principal, *, source: str,
            today: date | None = None) -> Preview:
    """Check a reports or targets frame as the save would, and say what it would change (nothing is
    written). Raises ValidationError (rows and fields) or PermissionDenied."""
    _allow(service, kind, frame, principal, source, today)
    clean = check_frame(service.store, kind, frame, source=source, today=today)
    if kind == "reports":
        late_entries(service, clean, principal, source, today)  # refuses a reporter's value after entry closed
    return Preview(kind, _changes(kind, clean, _current(service, kind, clean)))


def submit(service: Service, kind: str, frame: pd.DataFrame, principal: Principal, *, source: str,
           key: str | None = None, today: date | None = None, on_write: OnWrite | None = None) -> Submission:
    """Save a reports or targets frame (all-or-nothing) with an audit entry; idempotent per ``key``.
    ``on_write(conn)`` runs last in the transaction of a write that changed something (the server
    moves its shared data generation there, so the two commit together)."""
    _allow(service, kind, frame, principal, source, today)
    if is_small(kind, len(frame), [str(c).strip().lower() for c in frame.columns]):
        return _submit_small(service, frame, principal, source, key, today, on_write)
    if key:
        given = key
        key = f"{principal.name}:{key}"[:400]
        fingerprint = request_fingerprint(kind, frame)
        claimed = service.store.claim_idempotency_key(key, principal.name, fingerprint)
        if claimed is not None:
            return _replay(claimed, given, fingerprint)
    try:
        clean = check_frame(service.store, kind, frame, source=source, today=today)
        late = late_entries(service, clean, principal, source, today) if kind == "reports" else None
        for attempt in range(WRITE_ATTEMPTS):
            try:
                submission = _write(service, kind, clean, principal, source, key, late, on_write)
                break
            except IntegrityError:
                # Two writers revised the same month at once and one lost the race for the next revision
                # number (PostgreSQL, read committed): nothing of this attempt was written; read and try again.
                if attempt == WRITE_ATTEMPTS - 1:
                    raise
                _pause(attempt)
    except BaseException:
        if key:
            service.store.release_idempotency_key(key)
        raise
    finally:
        forget_data(service)
    if kind == "reports" and len(clean) > SYNC_REFRESH_ROWS:
        service.store.refresh_report_months()  # a big write: its readers should not pay for it
    return submission


def _replay(claimed: dict[str, Any], given: str, fingerprint: str) -> Submission:
    """The answer to a key used before: the first answer, or a conflict."""
    if claimed.get("request_hash") and claimed["request_hash"] != fingerprint:
        raise Conflict(f"idempotency key {given!r} was already used for a different submission; "
                       "send new values with a new key")
    if claimed["status"] != "done":
        raise Conflict(f"a submission with idempotency key {given!r} is still being processed; retry later")
    return Submission(**{**claimed["response"], "replayed": True})


def _pause(attempt: int) -> None:
    time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))  # jitter: racers part ways


def _submit_small(service: Service, frame: pd.DataFrame, principal: Principal, source: str, key: str | None,
                  today: date | None, on_write: OnWrite | None = None) -> Submission:
    """A few reports in one transaction: the version of what the checks read, the key's claim, the checks
    (over :class:`~gosplan.service.quick_submit.CheckReference`), the new revisions, the audit entry and
    the key's answer commit together or not at all (a refused submission leaves its key free)."""
    store = service.store
    given, fingerprint = key, ""
    if key:
        key = f"{principal.name}:{key}"[:400]
        fingerprint = request_fingerprint("reports", frame)
    try:
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with store.transaction() as conn:
                    claim = (key, principal.name, fingerprint) if key else None
                    reference = check_reference(store, store.checks_version(conn, claim=claim))
                    clean = check_small(reference, frame, source=source, today=today)
                    late = _changed_late(service, clean, late_entries(service, clean, principal, source, today,
                                                                       reference))
                    submission = _write_in(service, conn, "reports", clean, principal, source, key, reference)
                    _mark_late(service, late, principal.name, conn)
                    _noted(submission, on_write, conn)
                    return submission
            except IntegrityError:
                # Either the key is taken (a retry, answered from it) or a concurrent writer of the same
                # month won the race for the next revision number: nothing was written; try again.
                claimed = store.idempotency_key(key) if key else None
                if claimed is not None:
                    return _replay(claimed, str(given), fingerprint)
                if attempt == WRITE_ATTEMPTS - 1:
                    raise
                _pause(attempt)
        raise AssertionError("unreachable")  # the loop returns or raises
    finally:
        forget_data(service)


def _write(service: Service, kind: str, clean: pd.DataFrame, principal: Principal, source: str,
           key: str | None, late: pd.DataFrame | None = None, on_write: OnWrite | None = None) -> Submission:
    """One transaction: the data, its audit entry and the idempotency key's answer, or nothing.
    ``late``: rows entered after their month closed (:func:`gosplan.service.deadlines.late_entries`),
    marked late."""
    late_changed = _changed_late(service, clean, late)
    with service.store.transaction() as conn:
        submission = _write_in(service, conn, kind, clean, principal, source, key)
        _mark_late(service, late_changed, principal.name, conn)
        _noted(submission, on_write, conn)
    return submission


def _noted(submission: Submission, on_write: OnWrite | None, conn: Connection) -> None:
    """Last in a write's transaction: ``on_write`` when something changed (see :func:`submit`)."""
    if on_write is not None and submission.new + submission.revised:
        on_write(conn)


def _write_in(service: Service, conn: Connection, kind: str, clean: pd.DataFrame, principal: Principal,
              source: str, key: str | None, reference: CheckReference | None = None) -> Submission:
    """The data, its audit entry and the key's answer in ``conn``. With ``reference``: a few reports,
    written by :func:`gosplan.service.quick_submit.write_small`."""
    after = clean[[*_KEYS[kind], "value"]]
    action = "report.submit" if kind == "reports" else "target.set"
    if reference is not None:
        summary, before_rows = write_small(service.store, reference, clean, source=source,
                                           recorded_by=principal.name, conn=conn)
    else:
        before_rows = _records(_current(service, kind, clean))
        write = service.store.write_reports if kind == "reports" else service.store.write_targets
        summary = write(clean, source=source, recorded_by=principal.name, conn=conn)
    record_warnings(service.store, clean, conn)  # validation rules' warnings (ingest/rules_check.py)
    submission = Submission(kind, len(clean), summary.new, summary.updated, summary.unchanged, None, False, key)
    submission.audit_id = service.store.append_audit_and_answer(
        principal.name, source, action, _object(kind, clean), {"rows": before_rows},
        {"rows": _records(after), "new": summary.new, "revised": summary.updated,
         "unchanged": summary.unchanged}, key, {k: v for k, v in submission.as_dict().items() if k != "replayed"},
        conn)
    return submission


def _changed_late(service: Service, clean: pd.DataFrame, late: pd.DataFrame | None) -> pd.DataFrame | None:
    """The late rows whose value will change (a new revision); unchanged ones get no mark."""
    if late is None or late.empty:
        return None
    keys = ["indicator", "unit", "period"]
    plain = clean[[*keys, "value"]].copy()
    plain.attrs = {}  # the rules' warnings ride along in attrs (ingest/rules_check.py); a merge compares them
    rows = plain.merge(late, on=keys)
    changes = _changes("reports", rows, _current(service, "reports", rows))
    return changes[changes["change"] != "unchanged"][[*keys, "permitted_by"]]


def _mark_late(service: Service, late: pd.DataFrame | None, entered_by: str, conn: Any) -> None:
    if late is not None and len(late):
        keys = list(zip(late["indicator"], late["unit"], late["period"], strict=True))
        service.store.mark_late(keys, entered_by, late["permitted_by"].tolist(), conn=conn)


_REFERENCE = {("units",), ("indicators",), ("sectors",), ("hierarchy",)}


def forget_data(service: Service) -> None:
    """After a write of reports or targets: forget the service's cached frames that depend on them, and
    keep the reference data (units, indicators, sectors, the hierarchy and the subtrees built on it),
    which such a write does not change. A cheaper :meth:`Service.invalidate` for the submission path."""
    for key in list(service._cache):
        kept = key[1:]  # the cache's keys start with the language they were made in
        if kept not in _REFERENCE and kept[0] not in ("visible", "group_scope"):
            service._cache.pop(key, None)


def request_fingerprint(kind: str, frame: pd.DataFrame) -> str:
    """SHA-256 of what a submission asks for (its kind and rows, in order; column order does not matter):
    a retry with the same key must send the same thing.

    >>> a = pd.DataFrame({"unit": ["u"], "value": [1.0]})
    >>> request_fingerprint("reports", a) == request_fingerprint("reports", a[["value", "unit"]])
    True
    >>> request_fingerprint("reports", a) == request_fingerprint("reports", a.assign(value=2.0))
    False
    """
    text = json.dumps([kind, _plain_rows(frame)], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _allow(service: Service, kind: str, frame: pd.DataFrame, principal: Principal, source: str,
           today: date | None = None) -> None:
    if kind == "reports":
        units = frame["unit"] if "unit" in frame else pd.Series([], dtype=object)
        try:
            require_report_rows(service, principal, units, source)
        except PermissionDenied as exc:
            raise PermissionDenied(str(exc), _refused_rows(service, frame, principal, source, today)) from None
    elif kind == "targets":
        require_role(principal, "admin", "planner")
    else:
        raise GosplanError(f"cannot submit {kind!r} here: reports or targets")


def _refused_rows(service: Service, frame: pd.DataFrame, principal: Principal, source: str,
                  today: date | None) -> list[Problem]:
    """Every problem of a reports frame refused for its units: the rows outside the principal's subtree
    and whatever else the check finds, so that the whole file can be mended at once."""
    allowed = writable_units(service, principal)
    if not allowed:  # no unit at all: the refusal says it all
        return []
    units = frame["unit"].astype(str).str.strip() if "unit" in frame else pd.Series([], dtype=object)
    outside = np.flatnonzero(~units.isin(allowed).to_numpy())[:AUDIT_ROWS]
    problems = [Problem(source, int(position) + 2, "unit",
                        _("{unit} is outside what {user} may report for ({scope})", unit=repr(units.iloc[position]),
                          user=principal.name, scope=scope_words(principal))) for position in outside]
    try:
        check_frame(service.store, "reports", frame, source=source, today=today)
    except ValidationError as exc:
        problems += exc.problems
    except (GosplanError, ValueError):
        pass
    return sorted(problems, key=lambda p: (p.row or 0, p.column or ""))


def _object(kind: str, clean: pd.DataFrame) -> str:
    units = sorted(set(clean["unit"]))
    periods = sorted(set(clean["period"]))
    span = periods[0] if len(periods) == 1 else f"{periods[0]}..{periods[-1]}"
    where = units[0] if len(units) == 1 else f"{len(units)} units"
    return f"{kind}:{where}:{span}"[:400]


def import_file(service: Service, path: str | Path, kind: str | None = None, *, source: str | None = None,
                recorded_by: str = "cli", today: date | None = None, principal: Principal | None = None):
    """:func:`gosplan.ingest.import_file` with an audit entry (before/after values of the rows touched)."""
    principal = principal or Principal(recorded_by, SYSTEM.role, None, "cli")
    path = Path(path)
    raw = read_table(path)
    kind = kind or detect_kind(list(raw.columns))
    if kind in _KEYS:
        _allow(service, kind, raw, principal, path.name)
    clean = None
    if kind is not None:
        try:
            clean = check_frame(service.store, kind, raw, source=path.name, today=today)
        except (GosplanError, ValueError):
            clean = None  # the import below reports every problem with the file's own name
    before = _records(_current(service, kind, clean)) if clean is not None else None
    late = None
    if kind == "reports" and clean is not None:
        late = _changed_late(service, clean, late_entries(service, clean, principal, path.name, today))
    result = ingest_file(service.store, path, kind, source=source, recorded_by=recorded_by, today=today)
    if late is not None and len(late):
        with service.store.transaction() as conn:
            _mark_late(service, late, principal.name, conn)
    service.invalidate()
    if result.new + result.revised:
        service.store.bump_generation()  # server processes reading this store rebuild their snapshots
    if result.kind == "reports":
        service.store.refresh_report_months()  # the importer waits for it, not the next reader
    after = _records(_current(service, result.kind, clean)) if clean is not None else None
    service.store.append_audit(principal.name, source or path.name, f"{result.kind}.import", f"file:{path.name}",
                               {"rows": before}, {"rows": after, "new": result.new, "revised": result.revised,
                                                  "unchanged": result.unchanged})
    return result
