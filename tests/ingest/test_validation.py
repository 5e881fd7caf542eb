"""Every validation rule, each with a small bad file: the problem's file, row, column and reason are
checked, and the store must be exactly unchanged afterwards."""

from __future__ import annotations

import pytest

from gosplan.errors import ValidationError
from gosplan.ingest import import_file

from .conftest import TODAY

R = "indicator,unit,period,value\n"
RU = "indicator,unit,period,value,uom\n"
T = "plan,indicator,unit,period,value\n"

# (case id, file name, content, kind or None, expected (row, column, fragment of the reason))
CASES = [
    (
        "unknown-unit",
        "r.csv",
        R + "steel,E1,2023-01,1\nsteel,E9,2023-01,1\n",
        None,
        (3, "unit", "unknown unit 'E9'"),
    ),
    (
        "unknown-indicator",
        "r.csv",
        R + "iron,E1,2023-01,1\n",
        None,
        (2, "indicator", "unknown indicator 'iron'"),
    ),
    ("unknown-plan", "t.csv", T + "AP1999,steel,E1,2023,5\n", None, (2, "plan", "unknown plan 'AP1999'")),
    (
        "malformed-target-period",
        "t.csv",
        T + "AP2023,steel,E1,2023-Q5,5\n",
        None,
        (2, "period", "not a period"),
    ),
    (
        "target-outside-plan",
        "t.csv",
        T + "AP2023,steel,E1,2024,5\n",
        None,
        (2, "period", "outside plan AP2023 (2023-2023)"),
    ),
    (
        "report-period-not-a-month",
        "r.csv",
        R + "steel,E1,2023-Q2,1\n",
        None,
        (2, "period", "reports are monthly"),
    ),
    ("report-period-malformed", "r.csv", R + "steel,E1,2023/06,1\n", None, (2, "period", "not a month")),
    ("report-month-13", "r.csv", R + "steel,E1,2023-13,1\n", None, (2, "period", "not a month")),
    (
        "future-month",
        "r.csv",
        R + "steel,E1,2023-07,1\nsteel,E1,2023-08,1\n",
        None,
        (3, "period", "future month (today is 2023-07-15)"),
    ),
    (
        "unknown-uom",
        "r.csv",
        RU + "steel,E1,2023-01,1,furlong_t\n",
        None,
        (2, "uom", "unknown unit of measure 'furlong_t'"),
    ),
    (
        "dwellings-in-tonnes",
        "r.csv",
        RU + "housing,E1,2023-01,12,t\n",
        None,
        (2, "uom", "cannot convert 't' to 'dwelling'"),
    ),
    ("negative-output", "r.csv", R + "steel,E1,2023-01,-5\n", None, (2, "value", "negative value")),
    ("nan", "r.csv", R + "steel,E1,2023-01,NaN\n", None, (2, "value", "not a finite number")),
    ("inf", "r.csv", R + "steel,E1,2023-01,inf\n", None, (2, "value", "not a finite number")),
    ("empty-value", "r.csv", R + "steel,E1,2023-01,\n", None, (2, "value", "required number is empty")),
    (
        "text-in-number",
        "r.csv",
        R + "steel,E1,2023-01,12,5\n".replace("12,5", '"12,5"'),
        None,
        (2, "value", "not a number: '12,5'"),
    ),
    (
        "abc-in-number",
        "r.csv",
        R + "steel,E1,2023-01,1\nsteel,E1,2023-02,abc\n",
        None,
        (3, "value", "not a number: 'abc'"),
    ),
    (
        "duplicate-key",
        "r.csv",
        R + "steel,E1,2023-01,1\ncoal,E2,2023-01,1\nsteel,E1,2023-01,2\n",
        None,
        (4, None, "same indicator, unit, period as row 2"),
    ),
    (
        "missing-column",
        "r.csv",
        "indicator,unit,value\nsteel,E1,1\n",
        "reports",
        (1, "period", "missing required"),
    ),
    (
        "unknown-column",
        "r.csv",
        "indicator,unit,period,value,comment\nsteel,E1,2023-01,1,ok\n",
        None,
        (1, "comment", "unknown column"),
    ),
    ("empty-file", "r.csv", "", None, (None, None, "the file is empty")),
    ("blank-file", "r.csv", "\n\n  \n", None, (None, None, "the file is empty")),
    ("header-only", "r.csv", R, None, (None, None, "no data rows")),
    (
        "latin-1",
        "r.csv",
        (R + "steel,E1,2023-01,1\ncoal,Ch\xf6ngjin,2023-01,1\n").encode("latin-1"),
        None,
        (3, None, "not UTF-8"),
    ),
    (
        "ragged",
        "r.csv",
        R + "steel,E1,2023-01,1\nsteel,E1,2023-02,1,7,8\n",
        None,
        (3, "E", "6 cells but the header names 4 columns"),
    ),
    (
        # Every row one cell too long: pandas would make the first column an index and shift the rest.
        "extra-cell-every-row",
        "r.csv",
        R + "steel,E1,2023-01,1,x\nsteel,E1,2023-02,2,y\n",
        None,
        (2, "E", "'x' has no column"),
    ),

    (
        "binary-junk",
        "r.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20,
        None,
        (None, None, "not a text file"),
    ),
    (
        "xlsx-not-a-workbook",
        "r.xlsx",
        R + "steel,E1,2023-01,1\n",
        None,
        (None, None, "not an Excel workbook"),
    ),
    (
        "xlsx-damaged",
        "r.xlsx",
        b"PK\x03\x04" + b"garbage" * 50,
        None,
        (None, None, "cannot read the workbook"),
    ),
    (
        "parquet-damaged",
        "r.parquet",
        b"PAR1" + b"\x01" * 100,
        None,
        (None, None, "not a readable Parquet file"),
    ),
    ("unsupported-type", "r.txt", R + "steel,E1,2023-01,1\n", None, (None, None, "unsupported file type")),
    (
        "control-characters",
        "u.csv",
        "code,name,kind\nE5,Bad\x07name,enterprise\n",
        None,
        (2, "name", "control characters"),
    ),
    (
        "over-long-name",
        "u.csv",
        "code,name,kind\nE5," + "x" * 401 + ",enterprise\n",
        None,
        (2, "name", "longer than 400"),
    ),
    (
        "hostile-code",
        "u.csv",
        "code,name,kind\nE5;DROP TABLE,Works,enterprise\n",
        None,
        (2, "code", "may only contain letters"),
    ),
    (
        "over-long-code",
        "u.csv",
        "code,name,kind\n" + "E" * 65 + ",Works,enterprise\n",
        None,
        (2, "code", "longer than 64"),
    ),
    (
        "missing-parent",
        "u.csv",
        "code,name,kind,parent\nE5,Works,enterprise,NOWHERE\n",
        None,
        (2, "parent", "parent unit 'NOWHERE' does not exist"),
    ),
    (
        "unit-cycle",
        "u.csv",
        "code,name,kind,parent\nA1,A,county,B1\nB1,B,county,A1\n",
        None,
        (2, "parent", "cycle in the unit hierarchy: A1 -> B1 -> A1"),
    ),
    (
        "cycle-through-stored-units",
        "u.csv",
        "code,name,kind,parent\nPY,Pyongyang,province,E1\n",
        None,
        (2, "parent", "cycle in the unit hierarchy"),
    ),
    (
        "unknown-sector",
        "i.csv",
        "code,name,unit,sector\ncement,Cement,t,BUILD\n",
        None,
        (2, "sector", "unknown sector 'BUILD'"),
    ),
    (
        "unknown-canonical-unit",
        "i.csv",
        "code,name,unit\ncement,Cement,bushels_of_x\n",
        None,
        (2, "unit", "unknown unit of measure"),
    ),
    (
        "bad-aggregation",
        "i.csv",
        "code,name,unit,aggregation\ncement,Cement,t,median\n",
        None,
        (2, "aggregation", "must be one of"),
    ),
    (
        "plan-years-reversed",
        "p.csv",
        "code,name,kind,start_year,end_year\nAP2024,Plan,annual,2024,2023\n",
        None,
        (2, "end_year", "not before start_year"),
    ),
    (
        "plan-year-text",
        "p.csv",
        "code,name,kind,start_year,end_year\nAP2024,Plan,annual,twenty,2024\n",
        None,
        (2, "start_year", "not a number"),
    ),
    ("undetectable-kind", "x.csv", "a,b\n1,2\n", None, (1, None, "cannot tell the kind")),
]


@pytest.mark.parametrize(
    ("name", "content", "kind", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_file_is_rejected_with_its_problem_and_nothing_is_written(
    sqlite_loaded, write, name, content, kind, expected
):
    before = sqlite_loaded.dump()
    path = write(name, content)
    with pytest.raises(ValidationError) as info:
        import_file(sqlite_loaded, path, kind, today=TODAY)
    row, column, fragment = expected
    matching = [
        p for p in info.value.problems if p.row == row and p.column == column and fragment in p.reason
    ]
    assert matching, f"expected ({row}, {column}, ~{fragment!r}); got {[str(p) for p in info.value.problems]}"
    assert all(p.source == name for p in info.value.problems)
    assert sqlite_loaded.dump() == before


def test_all_problems_are_reported_at_once(sqlite_loaded, write):
    path = write("many.csv", R + "steel,E1,2023-01,abc\niron,E1,2023-02,1\nsteel,E9,2023-Q1,-1\n")
    with pytest.raises(ValidationError) as info:
        import_file(sqlite_loaded, path, today=TODAY)
    cells = {(p.row, p.column) for p in info.value.problems}
    assert {(2, "value"), (3, "indicator"), (4, "unit"), (4, "period"), (4, "value")} <= cells


def test_one_bad_row_at_the_end_blocks_the_whole_file(sqlite_loaded, write):
    rows = "".join(f"coal,E2,{y}-{m:02d},{m}\n" for y in (2021, 2022) for m in range(1, 13))
    path = write("late-error.csv", R + rows + "coal,E2,2023-01,oops\n")
    before = sqlite_loaded.dump()
    with pytest.raises(ValidationError) as info:
        import_file(sqlite_loaded, path, today=TODAY)
    assert [(p.row, p.column) for p in info.value.problems] == [(26, "value")]
    assert sqlite_loaded.dump() == before


def test_problems_are_capped_but_all_counted(sqlite_loaded, write):
    path = write("bad.csv", R + "".join(f"steel,E1,2023-01,x{i}\n" for i in range(1500)))
    with pytest.raises(ValidationError) as info:
        import_file(sqlite_loaded, path, today=TODAY)
    # 1500 "not a number" plus 1499 duplicates; only the first thousand are listed
    assert len(info.value.problems) == 1000
    assert info.value.total == 2999
    assert str(info.value).startswith("2999 problems found; nothing was written")
