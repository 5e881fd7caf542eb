"""The XLSX reader: the first sheet, streamed row by row (openpyxl's read-only mode) and counted as it comes.

A workbook is a zip archive whose members can unpack to a thousand times their packed size. The
archive's declared sizes are checked before anything is unpacked (Python's zipfile never unpacks a
member past its declared size), and rows are counted while they stream in, so a small file that
expands to millions of rows is refused after :attr:`Limits.rows` rows instead of being read whole.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd

from gosplan.errors import Problem, ValidationError

from .checks import Problems
from .limits import Limits, megabytes

_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _fail(source: str, reason: str) -> ValidationError:
    return ValidationError([Problem(source, None, None, reason)])


def read_xlsx(path: Path, source: str, limits: Limits) -> pd.DataFrame:
    """The first sheet of ``path`` as a frame of objects, header row as column names.

    Cells right of the last header cell must be empty; a value there is reported with its row and
    column (it would otherwise land in a column nobody named).
    """
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic != b"PK\x03\x04":
        raise _fail(source, "not an Excel workbook (.xlsx); save the table as 'Excel Workbook' or CSV UTF-8")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _fail(source, f"cannot read the workbook: {type(exc).__name__}: {exc}"[:300]) from None
    if unpacked > limits.bytes:
        raise _fail(source, f"the workbook unpacks to {megabytes(unpacked)} (from {megabytes(path.stat().st_size)}), "
                            f"more than {limits.describe_bytes()}; it was not opened")
    # Counting the first sheet's <row> elements in the raw XML is a hundred times faster than parsing
    # them (and openpyxl parses a sheet whole on opening when it does not declare its size): a workbook
    # past the limit is refused in a second instead of after a million parsed rows.
    if _count_rows(path) > limits.rows + 1:
        raise _fail(source, f"more than {limits.describe_rows()}; split the file or raise the limit")
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise _fail(source, f"cannot read the workbook: {type(exc).__name__}: {exc}"[:300]) from None
    problems = Problems(source)
    try:
        if not book.worksheets:
            raise _fail(source, "the workbook has no sheet")
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = list(next(rows, None) or [])
        while header and _blank(header[-1]):
            header.pop()
        width = len(header)
        kept: list[tuple] = []
        for count, row in enumerate(rows, start=1):
            if count > limits.rows:  # the count above may be fooled; this one is not
                raise _fail(source, f"more than {limits.describe_rows()}; split the file or raise the limit")
            if len(row) > width:
                stray = [i for i in range(width, len(row)) if not _blank(row[i])]
                if stray:
                    problems.add(count + 1, get_column_letter(stray[0] + 1),
                                 f"a value ({str(row[stray[0]])[:20]!r}) in a column without a header; the header "
                                 f"names {width} column(s)")
                row = row[:width]
            kept.append(row)
    except ValidationError:
        raise
    except Exception as exc:  # a damaged sheet part fails while streaming
        raise _fail(source, f"cannot read the workbook: {type(exc).__name__}: {exc}"[:300]) from None
    finally:
        book.close()
    problems.raise_if_any()
    frame = pd.DataFrame.from_records(kept, columns=range(width)) if kept else pd.DataFrame(columns=range(width))
    frame = frame.astype(object).where(frame.notna(), None)
    frame.columns = [f"Unnamed: {i}" if _blank(name) else _header_text(name) for i, name in enumerate(header)]
    return frame


def _count_rows(path: Path) -> int:
    """How many ``<row>`` elements the first sheet's XML holds (every sheet's, if the first is not found)."""
    count = 0
    with zipfile.ZipFile(path) as archive:
        names = _first_sheet(archive) or [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        for name in names:
            with archive.open(name) as handle:
                carry = b""
                while chunk := handle.read(1 << 20):
                    text = carry + chunk
                    cut = text.rfind(b">") + 1  # a tag cut by the chunk's end is counted with the next chunk
                    count += len(_ROW_TAG.findall(text, 0, cut))
                    carry = text[cut:]
    return count


def _first_sheet(archive: zipfile.ZipFile) -> list[str]:
    """The zip member of the workbook's first sheet (``xl/workbook.xml`` and its relationships)."""
    from xml.etree import ElementTree

    try:
        if max(archive.getinfo(n).file_size for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")) > 10_000_000:
            return []
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return []
    sheet = next((e for e in book.iter() if e.tag.endswith("}sheet")), None)
    rel_id = next((v for k, v in (sheet.attrib.items() if sheet is not None else []) if k.endswith("}id")), None)
    target = next((r.get("Target", "") for r in rels if r.get("Id") == rel_id), "")
    if not target:
        return []
    name = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return [name] if name in archive.namelist() else []


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
