"""Size limits of the readers (rows and unpacked bytes) and rows with more cells than the header.

A 1.6 MB workbook that unpacks to two million rows once held a server for minutes: the readers must
refuse such files while reading (rows counted as they stream in, a workbook's declared unpacked size
checked before it is opened), with the file and the limit named.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from gosplan.errors import ValidationError
from gosplan.ingest import import_file, read_table
from gosplan.ingest.limits import Limits

from .conftest import TODAY

R = "indicator,unit,period,value\n"


def xlsx_with_rows(path: Path, rows: int, extra_cell_row: int | None = None) -> Path:
    """A minimal workbook of ``rows`` report rows written as XML straight into the zip (fast, and it
    compresses the way a zip bomb does: a few hundred kB for a hundred thousand rows)."""
    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    head = "".join(cell(f"{c}1", name) for c, name in zip("ABCD", ["indicator", "unit", "period", "value"],
                                                         strict=True))
    body = []
    for r in range(2, rows + 2):
        cells = cell(f"A{r}", "coal") + cell(f"B{r}", "E2") + cell(f"C{r}", "2023-01") + f'<c r="D{r}"><v>1</v></c>'
        if r == extra_cell_row:
            cells += cell(f"E{r}", "stray")
        body.append(f'<row r="{r}">{cells}</row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><sheetData><row r="1">{head}</row>{"".join(body)}</sheetData></worksheet>')
    main = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
        f'org/package/2006/relationships"><Relationship Id="rId1" Type="{main}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" xmlns:r="{main}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
        '</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{main}/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def bomb(path: Path, rows: int) -> Path:
    """A workbook of ``rows`` one-cell rows, written in a stream: two million rows pack into about 2 MB."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        template = xlsx_with_rows(path.with_suffix(".template.xlsx"), 0)
        with zipfile.ZipFile(template) as parts:
            for name in parts.namelist():
                if name != "xl/worksheets/sheet1.xml":
                    archive.writestr(name, parts.read(name))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                        b'2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>value</t></is></c></row>')
            block = b"".join(b'<row><c><v>1</v></c></row>' for _ in range(10_000))
            for _ in range(rows // 10_000):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


def test_the_two_million_row_workbook_is_refused_in_seconds_not_minutes(tmp_path):
    import time

    path = bomb(tmp_path / "bomb.xlsx", 2_000_000)
    assert path.stat().st_size < 2_000_000
    started = time.perf_counter()
    with pytest.raises(ValidationError) as info:
        read_table(path)  # the default limits
    assert reasons(info) == ["bomb.xlsx: more than 1,000,000 data rows (GOSPLAN_MAX_IMPORT_ROWS); split the file "
                             "or raise the limit"]
    # Once 494 s and 1.5 GB on a server; a few seconds here even on a loaded machine.
    assert time.perf_counter() - started < 60


def reasons(info) -> list[str]:
    return [str(p) for p in info.value.problems]


def test_a_small_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    path = xlsx_with_rows(tmp_path / "bomb.xlsx", 100_000)
    packed, unpacked = path.stat().st_size, sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    assert unpacked > 10 * packed  # the shape of a zip bomb
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    monkeypatch.setenv("GOSPLAN_MAX_IMPORT_MB", "5")
    with pytest.raises(ValidationError) as info:
        read_table(path)
    (problem,) = info.value.problems
    assert problem.source == "bomb.xlsx"
    assert "unpacks to" in problem.reason and "5 MB unpacked (GOSPLAN_MAX_IMPORT_MB)" in problem.reason


def test_workbook_rows_are_counted_while_streaming_and_reading_stops_past_the_limit(tmp_path, monkeypatch):
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    path = xlsx_with_rows(tmp_path / "long.xlsx", 5_000)
    pulled = []
    original = ReadOnlyWorksheet.iter_rows

    def counting(self, *args, **kwargs):
        for row in original(self, *args, **kwargs):
            pulled.append(1)
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counting)
    # The quick count of <row> tags in the raw XML is fooled here: the rows parsed are counted too.
    from gosplan.ingest import workbook

    monkeypatch.setattr(workbook, "_count_rows", lambda path: 0)
    with pytest.raises(ValidationError) as info:
        read_table(path, limits=Limits(rows=1_000))
    assert reasons(info) == ["long.xlsx: more than 1,000 data rows (GOSPLAN_MAX_IMPORT_ROWS); split the file or "
                             "raise the limit"]
    assert len(pulled) <= 1_002  # the header, the limit and the row past it; never the other 4,000
    pulled.clear()
    assert len(read_table(path, limits=Limits(rows=5_000))) == 5_000


def test_the_row_limit_setting_applies_to_csv_and_parquet(tmp_path, monkeypatch):
    monkeypatch.setenv("GOSPLAN_MAX_IMPORT_ROWS", "10")
    rows = pd.DataFrame({"indicator": ["coal"] * 11, "unit": ["E2"] * 11, "period": ["2023-01"] * 11,
                         "value": range(11)})
    for name in ("eleven.csv", "eleven.parquet", "eleven.xlsx"):
        path = tmp_path / name
        rows.to_parquet(path) if name.endswith("parquet") else (
            rows.to_csv(path, index=False) if name.endswith("csv") else rows.to_excel(path, index=False))
        with pytest.raises(ValidationError) as info:
            read_table(path)
        assert reasons(info) == [f"{name}: more than 10 data rows (GOSPLAN_MAX_IMPORT_ROWS); split the file or "
                                 "raise the limit"]
        rows.head(10).to_parquet(path) if name.endswith("parquet") else (
            rows.head(10).to_csv(path, index=False) if name.endswith("csv") else rows.head(10).to_excel(path,
                                                                                                       index=False))
        assert len(read_table(path)) == 10


def test_a_csv_larger_than_the_byte_limit_is_refused_unread(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(R + "coal,E2,2023-01,1\n" * 2000)
    with pytest.raises(ValidationError) as info:
        read_table(path, limits=Limits(bytes=10_000))
    assert reasons(info) == ["big.csv: the file is 36 kB, more than 10 kB unpacked (GOSPLAN_MAX_IMPORT_MB); split it"]


def test_a_bad_limit_setting_is_named(tmp_path, monkeypatch):
    from gosplan.errors import GosplanError

    path = tmp_path / "r.csv"
    path.write_text(R + "coal,E2,2023-01,1\n")
    monkeypatch.setenv("GOSPLAN_MAX_IMPORT_ROWS", "lots")
    with pytest.raises(GosplanError, match="GOSPLAN_MAX_IMPORT_ROWS must be a whole number"):
        read_table(path)


# ------------------------------------------------------------------------------ extra cells per row
def test_csv_rows_with_extra_cells_are_rejected_naming_row_and_column_not_shifted(sqlite_loaded, tmp_path):
    path = tmp_path / "shifted.csv"
    path.write_text(R + "coal,E2,2023-01,5,t\ncoal,E2,2023-02,6,t\ncoal,E2,2023-03,7\n")
    before = sqlite_loaded.dump()
    with pytest.raises(ValidationError) as info:
        import_file(sqlite_loaded, path, today=TODAY)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "E"), (3, "E")]
    assert "5 cells but the header names 4 columns; 't' has no column" in info.value.problems[0].reason
    assert sqlite_loaded.dump() == before


def test_trailing_empty_cells_are_harmless(sqlite_loaded, tmp_path):
    path = tmp_path / "trailing.csv"
    path.write_text(R + "coal,E2,2023-01,5,\ncoal,E2,2023-02,6,,\n")
    frame = read_table(path)
    assert frame.to_dict("list") == {"indicator": ["coal", "coal"], "unit": ["E2", "E2"],
                                     "period": ["2023-01", "2023-02"], "value": [5, 6]}
    assert import_file(sqlite_loaded, path, today=TODAY).new == 2


def test_xlsx_value_right_of_the_header_is_rejected_with_its_cell(sqlite_loaded, tmp_path):
    path = xlsx_with_rows(tmp_path / "stray.xlsx", 5, extra_cell_row=4)
    with pytest.raises(ValidationError) as info:
        import_file(sqlite_loaded, path, today=TODAY)
    assert [(p.row, p.column) for p in info.value.problems] == [(4, "E")]
    assert "'stray'" in info.value.problems[0].reason


def test_xlsx_dates_and_numbers_read_as_before(tmp_path):
    from datetime import datetime

    path = tmp_path / "dates.xlsx"
    pd.DataFrame({"indicator": ["coal"], "unit": ["E2"], "period": [datetime(2023, 6, 1)], "value": [5.0]}).to_excel(
        path, index=False)
    from gosplan.ingest.checks import text_column

    frame = read_table(path)
    assert text_column(frame, "period").tolist() == ["2023-06"]
    assert text_column(frame, "value").tolist() == ["5"]
