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

FORMATS = (".csv", ".xlsx", ".parquet")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _fail(source: str, reason: str, row: int | None = None, column: str | None = None) -> ValidationError:
    return ValidationError([Problem(source, row, column, reason)])


def read_table(path: str | Path) -> pd.DataFrame:
    """The raw table of a .csv, .xlsx or .parquet file; column names stripped and lower-cased.

    The index is the row number a spreadsheet shows (the first data row is 2). Blank lines are
    dropped without renumbering the rows after them.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    source = path.name
    if suffix == ".xml" and path.is_file():
        from .sdmx import read_sdmx  # SDMX-ML 2.1 data messages (sdmx.py)

        return read_sdmx(path)
    if suffix not in FORMATS:
        raise _fail(source, f"unsupported file type {suffix or '(none)'!r}; use .csv, .xlsx or .parquet")
    if not path.is_file():
        raise _fail(source, "file not found")
    if path.stat().st_size == 0:
        raise _fail(source, "the file is empty")
    if suffix == ".csv":
        frame = _read_csv(path, source)
    elif suffix == ".xlsx":
        frame = _read_xlsx(path, source)
    else:
        frame = _read_parquet(path, source)
    return _finish(frame, source)


def _read_csv(path: Path, source: str) -> pd.DataFrame:
    data = path.read_bytes()
    if b"\x00" in data[:65536]:
        raise _fail(source, "this is not a text file (it contains NUL bytes); export the table as CSV UTF-8")
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
    if not text.strip():
        raise _fail(source, "the file is empty")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    # Cells stay text, except number columns: those are parsed in C, and only when a cell is not a
    # number does pandas fall back to text for that column (so "abc" is still reported for its row).
    header = next(csv.reader([first_line], delimiter=delimiter), [])
    numeric = {"value"}
    dtypes = {name: str for name in header if name.strip().lower().lstrip("\ufeff") not in numeric}
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=dtypes,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.ParserError as exc:
        raise _fail(source, f"malformed CSV: {_parser_message(exc)}", row=_parser_row(exc)) from None
    except (pd.errors.EmptyDataError, UnicodeError) as exc:
        raise _fail(source, f"malformed CSV: {exc}") from None
    return frame


def _parser_message(exc: Exception) -> str:
    message = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    return message.replace("Error tokenizing data. C error: ", "")


def _parser_row(exc: Exception) -> int | None:
    import re

    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def _read_xlsx(path: Path, source: str) -> pd.DataFrame:
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic != b"PK\x03\x04":
        raise _fail(source, "not an Excel workbook (.xlsx); save the table as 'Excel Workbook' or CSV UTF-8")
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl", header=0)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise _fail(source, f"cannot read the workbook: {type(exc).__name__}: {exc}"[:300]) from None
    return frame


def _read_parquet(path: Path, source: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for damaged files
        raise _fail(source, f"not a readable Parquet file: {type(exc).__name__}: {exc}"[:300]) from None


def _finish(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    columns = [str(c).strip().lower().lstrip("\ufeff") for c in frame.columns]
    if not columns or all(c.startswith("unnamed:") or c == "" for c in columns):
        raise _fail(source, "the file has no header row")
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise _fail(source, f"column(s) {', '.join(duplicated)} appear more than once in the header", row=1)
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
