"""Import files and frames into the store: read, validate everything, write all-or-nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from gosplan.errors import Problem, ValidationError
from gosplan.i18n import _
from gosplan.store import Store

from .campaigns import CAMPAIGN_KINDS, validate_campaign_kind
from .checks import Problems
from .groupings import GROUP_KINDS, validate_unit_groups
from .kinds import KINDS, SPECS, check_columns, detect_kind, template, validate_facts, validate_reference
from .outcomes import OUTCOME_KINDS, validate_outcome_kind
from .projects import PROJECT_KINDS, validate_project_kind, write_project_kind
from .rules_check import record_warnings
from .tables import read_table, write_table
from .workflow_check import check_workflow


@dataclass(frozen=True)
class ImportResult:
    """What an import did: how many rows were read and how many were new, revised or unchanged."""

    kind: str
    path: str | None
    rows: int
    new: int
    revised: int
    unchanged: int


def import_file(
    store: Store,
    path: str | Path,
    kind: str | None = None,
    *,
    source: str | None = None,
    recorded_by: str = "cli",
    today: date | None = None,
) -> ImportResult:
    """Import one .csv/.xlsx/.parquet file; the kind is told from the header when not given.

    Every problem in the file is reported at once (:class:`~gosplan.errors.ValidationError`) and
    nothing is written unless the whole file is valid. Re-importing the same file changes nothing;
    a corrected report value becomes a new revision.
    """
    path = Path(path)
    frame = read_table(path)
    sdmx_columns = frame.attrs.get("sdmx_columns")  # an SDMX file: its kind is its dataflow's
    kind = kind or frame.attrs.get("kind")
    if kind is None:
        kind = detect_kind(list(frame.columns))
        if kind is None:
            raise ValidationError(
                [
                    Problem(
                        path.name,
                        1,
                        None,
                        _("cannot tell the kind of file from its header; name it (one of {kinds})",
                          kinds=", ".join(KINDS)),
                    )
                ]
            )
    try:
        result = _import(
            store, kind, frame, name=path.name, source=source or path.name, recorded_by=recorded_by, today=today
        )
    except ValidationError as error:
        if path.suffix.lower() == ".csv" and sdmx_columns:
            from .sdmx import sdmx_problems

            raise sdmx_problems(error, sdmx_columns) from None
        raise
    return ImportResult(result.kind, str(path), result.rows, result.new, result.revised, result.unchanged)


def import_frame(
    store: Store, kind: str, frame: pd.DataFrame, *, source: str, recorded_by: str, today: date | None = None
) -> ImportResult:
    """The same validation and write as :func:`import_file`, for a frame from a web form or the API.

    Rows are numbered as in a spreadsheet: the frame's first row is row 2.
    """
    frame = frame.copy()
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    if frame.empty:
        raise ValidationError([Problem(source, None, None, _("no rows to import"))])
    return _import(store, kind, frame, name=source, source=source, recorded_by=recorded_by, today=today)


def _import(
    store: Store,
    kind: str,
    frame: pd.DataFrame,
    *,
    name: str,
    source: str,
    recorded_by: str,
    today: date | None,
) -> ImportResult:
    clean = _validate(store, kind, frame, name=name, today=today)
    with store.transaction() as conn:
        if kind in CAMPAIGN_KINDS:
            summary = getattr(store, f"write_{kind}")(clean, conn=conn)
        elif kind in PROJECT_KINDS:
            summary = write_project_kind(store, kind, clean, source, recorded_by, conn)
        elif kind == "reports":
            summary = store.write_reports(clean, source=source, recorded_by=recorded_by, conn=conn)
            record_warnings(store, clean, conn)  # validation rules' warnings (rules_check.py)
        elif kind == "targets":
            summary = store.write_targets(clean, source=source, recorded_by=recorded_by, conn=conn)
        else:
            summary = getattr(store, f"write_{kind}")(clean, conn=conn)
    return ImportResult(kind, None, len(clean), summary.new, summary.updated, summary.unchanged)


def check_frame(
    store: Store, kind: str, frame: pd.DataFrame, *, source: str, today: date | None = None
) -> pd.DataFrame:
    """Validate a frame exactly as :func:`import_frame` does, without writing: the clean rows (values
    in canonical units) or :class:`~gosplan.errors.ValidationError`. Serves "check before you save"
    pages; the save itself still goes through :func:`import_frame`.
    """
    frame = frame.copy()
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    if frame.empty:
        raise ValidationError([Problem(source, None, None, _("no rows to import"))])
    return _validate(store, kind, frame, name=source, today=today)


def _validate(store: Store, kind: str, frame: pd.DataFrame, *, name: str, today: date | None) -> pd.DataFrame:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    problems = Problems(name)
    check_columns(problems, kind, frame)
    problems.raise_if_any()
    if kind in CAMPAIGN_KINDS:
        clean = validate_campaign_kind(kind, frame, store, problems, today or date.today())
    elif kind in PROJECT_KINDS:
        clean = validate_project_kind(kind, frame, store, problems, today or date.today())
    elif kind in GROUP_KINDS:
        clean = validate_unit_groups(frame, store, problems)
    elif kind in OUTCOME_KINDS:
        clean = validate_outcome_kind(kind, frame, store, problems)
    elif kind in ("targets", "reports"):
        clean = validate_facts(kind, frame, store, problems, today or date.today())
    else:
        clean = validate_reference(kind, frame, store, problems)
    problems.raise_if_any()
    check_workflow(store, kind, clean, name)  # locks, approvals, validation rules (workflow_check.py)
    return clean.reset_index(drop=True)


def write_template(kind: str, path: str | Path, store: Store | None = None) -> None:
    """A file with the columns ``kind`` expects and one example row (.csv, .xlsx or .parquet).

    With a ``store`` that holds data, the example row is valid against it (see
    :func:`gosplan.ingest.examples.example_row`), so the template imports as it is.
    """
    if kind not in SPECS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    from .examples import example_row

    frame = template(kind)
    if store is not None:
        frame = pd.DataFrame([example_row(kind, store)], columns=frame.columns)
    write_table(frame, path)
