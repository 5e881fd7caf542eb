"""Reading and writing tables: CSV (UTF-8, with or without BOM), XLSX and Parquet.

:func:`read_table` returns the cells as text where it matters (so that ``abc`` in a number column
is reported for its row, not lost), with the spreadsheet row number as the index (header = row 1).
Whole-file problems (empty, not UTF-8, ragged, not a workbook) raise
:class:`~gosplan.errors.ValidationError` with ``row=None`` or the row concerned.

>>> import tempfile, pathlib, pandas as pd
>>> path = pathlib.Path(tempfile.mkdtemp()) / "units.csv"
>>> write_table(pd.DataFrame({"code": ["E1"], "name": ["=HYPERLINK()"]}), path)
>>> read_table(path).loc[2, "name"]          # neutralised on export, restored on import
"'=HYPERLINK()"
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from gosplan.errors import Problem, ValidationError
from gosplan.i18n import _

from .checks import Problems
from .limits import Limits, megabytes
from .workbook import read_xlsx

FORMATS = (".csv", ".xlsx", ".parquet")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _fail(source: str, reason: str, row: int | None = None, column: str | None = None) -> ValidationError:
    return ValidationError([Problem(source, row, column, reason)])


def read_table(path: str | Path, *, limits: Limits | None = None) -> pd.DataFrame:
    """The raw table of a .csv, .xlsx or .parquet file; column names stripped and lower-cased.

    The index is the row number a spreadsheet shows (the first data row is 2). Blank lines are
    dropped without renumbering the rows after them. A file with more data rows or more unpacked
    bytes than ``limits`` (default: :meth:`Limits.from_env`) is refused while it is read.
    """
    path = Path(path)
    limits = limits or Limits.from_env()
    suffix = path.suffix.lower()
    source = path.name
    if suffix == ".xml" and path.is_file():
        from .sdmx import read_sdmx  # SDMX-ML 2.1 data messages (sdmx.py)

        return read_sdmx(path)
    if suffix not in FORMATS:
        raise _fail(source, _("unsupported file type {suffix}; use .csv, .xlsx or .parquet",
                              suffix=repr(suffix or "(none)")))
    if not path.is_file():
        raise _fail(source, _("file not found"))
    if path.stat().st_size == 0:
        raise _fail(source, _("the file is empty"))
    if suffix == ".csv":
        frame = _finish(_read_csv(path, source, limits), source)
        from .sdmx import is_sdmx_csv, read_sdmx_csv  # SDMX-CSV 1.0, as gosplan exports it (sdmx.py)

        return read_sdmx_csv(frame, source) if is_sdmx_csv(frame) else frame
    frame = read_xlsx(path, source, limits) if suffix == ".xlsx" else _read_parquet(path, source, limits)
    return _finish(frame, source)


def too_many_rows(source: str, limits: Limits) -> ValidationError:
    return _fail(source, f"more than {limits.describe_rows()}; split the file or raise the limit")


def _read_csv(path: Path, source: str, limits: Limits) -> pd.DataFrame:
    size = path.stat().st_size
    if size > limits.bytes:
        raise _fail(source, f"the file is {megabytes(size)}, more than {limits.describe_bytes()}; split it")
    data = path.read_bytes()
    if b"\x00" in data[:65536]:
        raise _fail(source, _("this is not a text file (it contains NUL bytes); export the table as CSV UTF-8"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _fail(
            source,
            f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} on line {line}); re-save it as "
            "UTF-8, e.g. 'CSV UTF-8 (comma delimited)' in Excel",
            row=line,
        ) from None
    del data
    if not text.strip():
        raise _fail(source, _("the file is empty"))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    header = next(csv.reader([first_line], delimiter=delimiter), [])
    try:
        frame = _parse_csv(text, delimiter, header, limits)
        if not isinstance(frame.index, pd.RangeIndex):
            # pandas turns the first column into an index when the data rows have more cells than the header
            frame = _parse_csv(text, delimiter, header, limits, extra=_extra_cells(text, delimiter, header, source))
    except pd.errors.ParserError as exc:
        if "fields in line" not in str(exc):
            raise _fail(source, f"malformed CSV: {_parser_message(exc)}", row=_parser_row(exc)) from None
        frame = _parse_csv(text, delimiter, header, limits, extra=_extra_cells(text, delimiter, header, source))
    except (pd.errors.EmptyDataError, UnicodeError) as exc:
        raise _fail(source, f"malformed CSV: {exc}") from None
    if len(frame) > limits.rows:
        raise too_many_rows(source, limits)
    return frame


def _parse_csv(text: str, delimiter: str, header: list[str], limits: Limits, extra: int = 0) -> pd.DataFrame:
    # Cells stay text, except number columns: those are parsed in C, and only when a cell is not a
    # number does pandas fall back to text for that column (so "abc" is still reported for its row).
    # ``nrows`` stops the parser one row past the limit.
    numeric = {"value"}
    dtypes = {name: str for name in header if name.strip().lower().lstrip("\ufeff") not in numeric}
    names = None
    if extra:  # every extra cell is empty: read them into spare columns and drop those
        names = [*header, *(f"\x00extra{i}" for i in range(extra))]
        dtypes.update({name: str for name in names[len(header):]})
    frame = pd.read_csv(
        io.StringIO(text),
        sep=delimiter,
        dtype=dtypes,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        engine="c",
        quoting=csv.QUOTE_MINIMAL,
        nrows=limits.rows + 1,
        **({"header": None, "skiprows": 1, "names": names} if extra else {}),
    )
    return frame[header] if extra else frame


def _extra_cells(text: str, delimiter: str, header: list[str], source: str) -> int:
    """Rows with more cells than the header: a problem per row naming the first cell without a column,
    unless every extra cell is empty (a trailing delimiter), when the count of spare cells is returned."""
    from openpyxl.utils import get_column_letter

    width = len(header)
    problems = Problems(source)
    widest = width
    for row, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if row == 1 or len(cells) <= width:
            continue
        widest = max(widest, len(cells))
        filled = [i for i in range(width, len(cells)) if cells[i].strip()]
        if filled:
            shown = ", ".join(repr(cells[i][:20]) for i in filled[:3])
            problems.add(row, get_column_letter(filled[0] + 1),
                         f"{len(cells)} cells but the header names {width} columns; {shown} "
                         f"{'has' if len(filled) == 1 else 'have'} no column (a stray {delimiter!r} or a value "
                         f"with {delimiter!r} that needs quotes?)")
    problems.raise_if_any()
    return widest - width


def _parser_message(exc: Exception) -> str:
    message = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    return message.replace("Error tokenizing data. C error: ", "")


def _parser_row(exc: Exception) -> int | None:
    import re

    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def _read_parquet(path: Path, source: str, limits: Limits) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for damaged files
        raise _fail(source, f"not a readable Parquet file: {type(exc).__name__}: {exc}"[:300]) from None
    if meta.num_rows > limits.rows:
        raise too_many_rows(source, limits)
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > limits.bytes:
        raise _fail(source, f"the table unpacks to {megabytes(unpacked)}, more than {limits.describe_bytes()}")
    try:
        return pd.read_parquet(path)
    except Exception as exc:
        raise _fail(source, f"not a readable Parquet file: {type(exc).__name__}: {exc}"[:300]) from None


def _finish(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    columns = [str(c).strip().lower().lstrip("\ufeff") for c in frame.columns]
    if not columns or all(c.startswith("unnamed:") or c == "" for c in columns):
        raise _fail(source, _("the file has no header row"))
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise _fail(source, _("column(s) {columns} appear more than once in the header", columns=", ".join(duplicated)),
                    row=1)
    frame.columns = columns
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    blank = np.ones(len(frame), dtype=bool)
    for column in frame.columns:
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
        empty = np.array([str(u).strip() == "" for u in uniques] + [True], dtype=bool)
        blank &= empty[codes]
        if not blank.any():
            break
    frame = frame[~blank]
    if frame.empty:
        raise _fail(source, "the file has a header but no data rows")
    return frame


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) with ``'``."""
    result = frame.copy()
    for column in result.columns:
        series = result[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            text = series.astype(object)
            is_text = text.map(lambda v: isinstance(v, str))
            risky = is_text & text.map(
                lambda v: isinstance(v, str) and v.startswith(_FORMULA_START) and not _is_number(v)
            )
            result[column] = text.where(~risky, "'" + text.astype(str))
    return result


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_table(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a table by extension (.csv UTF-8 with BOM for Excel, .xlsx, .parquet).

    Text that a spreadsheet would treat as a formula is neutralised in .csv and .xlsx files.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        neutralise(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    elif suffix == ".xlsx":
        neutralise(frame).to_excel(path, index=False, engine="openpyxl")
    elif suffix == ".parquet":
        frame.reset_index(drop=True).to_parquet(path, index=False)
    else:
        raise ValueError(f"unsupported file type {suffix!r}; use .csv, .xlsx or .parquet")
