"""Imports that succeed: templates in every format, kind detection, unit conversion, revisions,
idempotent re-import, export neutralisation, and the frame path used by the web form and the API."""

from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gosplan.errors import ValidationError
from gosplan.ingest import (
    KINDS,
    ImportResult,
    detect_kind,
    import_file,
    import_frame,
    read_table,
    write_table,
    write_template,
)
from gosplan.store import Store

from .conftest import TODAY

FORMATS = ["csv", "xlsx", "parquet"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_templates_round_trip_through_import(store, tmp_path, fmt):
    """Each template imports into an empty store in the order a new user would go."""
    for kind in KINDS:
        path = tmp_path / f"{kind}.{fmt}"
        write_template(kind, path)
        result = import_file(store, path, today=TODAY)
        assert result == ImportResult(kind, str(path), 1, 1, 0, 0)
        assert import_file(store, path, today=TODAY).unchanged == 1
    report = store.reports().iloc[0]
    assert (report["indicator"], report["unit"], report["period"]) == ("steel", "PY", "2023-06")
    assert report["value"] == pytest.approx(98_500.0)  # 98.5 kt in the indicator's canonical t
    assert store.targets()["value"].tolist() == [pytest.approx(1_200_000.0)]
    assert store.indicators()["key"].tolist() == [True]


def test_kind_is_detected_from_the_header():
    assert detect_kind(["plan", "indicator", "unit", "period", "value"]) == "targets"
    assert detect_kind(["indicator", "unit", "period", "value", "uom"]) == "reports"
    assert detect_kind(["code", "name", "kind", "start_year", "end_year"]) == "plans"
    assert detect_kind(["code", "name", "unit"]) == "indicators"
    assert detect_kind(["code", "name", "kind", "parent"]) == "units"
    assert detect_kind(["code", "name", "parent"]) == "sectors"
    assert detect_kind(["foo"]) is None


def test_units_of_measure_are_converted_to_the_canonical_unit(loaded, write):
    path = write(
        "r.csv",
        "indicator,unit,period,value,uom\nsteel,E1,2023-01,2.5,kt\npower,E1,2023-01,3,GWh\n"
        "coal,E2,2023-01,700,\nsteel,E1,2023-02,800,t\n",
    )
    assert import_file(loaded, path, today=TODAY).new == 4
    values = loaded.reports().set_index(["indicator", "period"])["value"]
    assert values[("steel", "2023-01")] == 2500.0
    assert values[("power", "2023-01")] == 3e6  # kWh
    assert values[("coal", "2023-01")] == 700.0  # no uom: already canonical
    assert values[("steel", "2023-02")] == 800.0


def test_reimport_is_a_noop_and_a_correction_is_a_new_revision(loaded, write):
    original = "indicator,unit,period,value\nsteel,E1,2023-01,100\nsteel,E1,2023-02,110\n"
    path = write("jan-feb.csv", original)
    assert import_file(loaded, path, today=TODAY, recorded_by="ana") == ImportResult(
        "reports", str(path), 2, 2, 0, 0
    )
    before = loaded.dump()
    assert import_file(loaded, path, today=TODAY).unchanged == 2
    assert loaded.dump() == before
    fixed = write("jan-feb-fixed.csv", original.replace("110", "112"))
    result = import_file(loaded, fixed, today=TODAY, recorded_by="bo")
    assert (result.new, result.revised, result.unchanged) == (0, 1, 1)
    history = loaded.report_history(indicator="steel", unit="E1", period="2023-02")
    assert history[["value", "revision", "source", "recorded_by", "current"]].values.tolist() == [
        [110.0, 1, "jan-feb.csv", "ana", False],
        [112.0, 2, "jan-feb-fixed.csv", "bo", True],
    ]


def test_bom_semicolons_blank_lines_and_spacing_are_tolerated(sqlite_loaded, write):
    content = "\ufeffIndicator ; Unit ; Period ; Value\n steel ; E1 ; 2023-1 ; 1.5 \n\ncoal;E2;2023-02;2\n"
    result = import_file(sqlite_loaded, write("r.csv", content), today=TODAY)
    assert result.new == 2
    assert sorted(sqlite_loaded.reports()["period"]) == ["2023-01", "2023-02"]


def test_blank_lines_do_not_shift_row_numbers(sqlite_loaded, write):
    path = write("r.csv", "indicator,unit,period,value\nsteel,E1,2023-01,1\n\n\nsteel,E1,2023-02,x\n")
    with pytest.raises(ValidationError) as info:
        import_file(sqlite_loaded, path, today=TODAY)
    assert [p.row for p in info.value.problems] == [5]


def test_export_neutralises_formulas_and_import_restores_the_text(sqlite_loaded, tmp_path):
    units = pd.DataFrame(
        {
            "code": ["E5", "E6", "E7"],
            "name": ['=HYPERLINK("http://x")', "+1 shift", "@SUM(A1)"],
            "kind": ["enterprise"] * 3,
            "parent": ["PY"] * 3,
            "sector": [None] * 3,
        }
    )
    csv_path, xlsx_path = tmp_path / "u.csv", tmp_path / "u.xlsx"
    write_table(units, csv_path)
    write_table(units, xlsx_path)
    assert "'=HYPERLINK" in csv_path.read_text(encoding="utf-8-sig")
    sheet = openpyxl.load_workbook(xlsx_path).active
    cells = [sheet.cell(row=r, column=2) for r in range(2, 5)]
    assert all(c.data_type == "s" and c.value.startswith("'") for c in cells), "no cell may be a formula"
    import_file(sqlite_loaded, xlsx_path)
    names = sqlite_loaded.units().set_index("code")["name"]
    assert names["E5"] == '=HYPERLINK("http://x")' and names["E7"] == "@SUM(A1)"


@pytest.mark.parametrize("fmt", FORMATS)
def test_write_and_read_table_keep_the_cells(tmp_path, fmt):
    frame = pd.DataFrame(
        {
            "indicator": ["steel", "coal"],
            "unit": ["E1", "Ch'ŏngjin"],
            "period": ["2023-01", "2023-02"],
            "value": [1.25, 3e9],
        }
    )
    path = tmp_path / f"t.{fmt}"
    write_table(frame, path)
    back = read_table(path)
    assert list(back.index) == [2, 3]
    assert back["unit"].tolist() == ["E1", "Ch'ŏngjin"]
    assert [float(v) for v in back["value"]] == [1.25, 3e9]


def test_import_frame_uses_the_same_validation(sqlite_loaded):
    frame = pd.DataFrame(
        {
            "indicator": ["steel", "steel"],
            "unit": ["E1", "E1"],
            "period": ["2023-03", "2023-13"],
            "value": ["5", "6"],
        }
    )
    with pytest.raises(ValidationError) as info:
        import_frame(sqlite_loaded, "reports", frame, source="web form", recorded_by="ana", today=TODAY)
    assert [(p.source, p.row, p.column) for p in info.value.problems] == [("web form", 3, "period")]
    result = import_frame(
        sqlite_loaded, "reports", frame.iloc[:1], source="web form", recorded_by="ana", today=TODAY
    )
    assert (result.kind, result.path, result.rows, result.new) == ("reports", None, 1, 1)


def test_reference_files_upsert_and_keep_hierarchy(sqlite_loaded, write):
    path = write(
        "u.csv",
        "code,name,kind,parent,sector\nKS,Kaesong,city,DPRK,\nK1,Kaesong light industry,enterprise,KS,IND\n",
    )
    assert import_file(sqlite_loaded, path).new == 2  # the parent KS comes from the same file
    renamed = write("u2.csv", "code,name,kind,parent,sector\nKS,Kaesong City,city,DPRK,\n")
    assert import_file(sqlite_loaded, renamed).revised == 1
    assert sqlite_loaded.units().set_index("code").loc["KS", "name"] == "Kaesong City"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=12),
            st.floats(allow_nan=True, allow_infinity=True).map(repr),
            st.integers(-10, 10**9).map(str),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_property_any_value_cell_is_imported_or_rejected_never_crashes(sqlite_loaded, cells):
    frame = pd.DataFrame(
        {
            "indicator": "coal",
            "unit": "E2",
            "period": [f"2022-{i + 1:02d}" for i in range(len(cells))],
            "value": cells,
        }
    )
    before = sqlite_loaded.dump()
    try:
        result = import_frame(sqlite_loaded, "reports", frame, source="prop", recorded_by="h", today=TODAY)
    except ValidationError as exc:
        assert exc.problems and all(p.column == "value" for p in exc.problems)
        assert sqlite_loaded.dump() == before
        return
    stored = sqlite_loaded.reports(indicators="coal", units="E2").set_index("period")["value"]
    for i, cell in enumerate(cells):
        number = float(cell.strip().replace("\u2212", "-"))
        assert math.isfinite(number) and number >= 0
        assert stored[f"2022-{i + 1:02d}"] == pytest.approx(number, rel=1e-15)  # pandas parses to 1 ulp
    assert result.rows == len(cells)


def test_template_unknown_kind(tmp_path):
    with pytest.raises(ValueError):
        write_template("budgets", tmp_path / "x.csv")


def test_store_left_open_elsewhere_sees_the_import(tmp_path, write):
    from .conftest import fill

    url = f"sqlite:///{tmp_path / 's.db'}"
    fill(Store.open(url))
    import_file(
        Store.open(url), write("r.csv", "indicator,unit,period,value\ncoal,E2,2023-05,4\n"), today=TODAY
    )
    assert Store.open(url).reports()["value"].tolist() == [4.0]
