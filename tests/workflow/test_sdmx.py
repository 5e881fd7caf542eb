"""SDMX 2.1 out and in, checked against an independent library (sdmx1): sdmx1 reads the structure
and the data gosplan writes; gosplan reads the data sdmx1 writes (generic and structure-specific);
re-importing an export changes nothing; bad messages are refused with their lines."""

from __future__ import annotations

import pandas as pd
import pytest

from clienv import run_cli
from gosplan.errors import ValidationError
from gosplan.ingest import import_file
from gosplan.service.sdmx import export_sdmx

sdmx = pytest.importorskip("sdmx")
from sdmx.model import v21 as m  # noqa: E402

TODAY = pd.Timestamp("2023-07-20").date()


def _data(dump: dict) -> dict:
    """A store's content but the audit log (an import through the CLI records its attempt)."""
    return {name: rows for name, rows in dump.items() if name != "audit_log"}


@pytest.fixture(scope="module")
def structure(db, tmp_path_factory):
    path = tmp_path_factory.mktemp("sdmx") / "dsd.xml"
    out = run_cli(db, "export", "structure", "--format", "sdmx", "--out", str(path)).output
    assert "structure written" in out
    return sdmx.read_sdmx(path)


def test_sdmx1_reads_the_structure(structure, db):
    from gosplan.service import Service

    service = Service.open(db)
    assert set(structure.dataflow) == {"DF_REPORTS", "DF_TARGETS"}
    assert len(structure.codelist["CL_UNIT"]) == len(service.units())
    assert len(structure.codelist["CL_INDICATOR"]) == len(service.indicators())
    assert structure.codelist["CL_UNIT"]["coal@tokchon"].parent.id == service.units().set_index("code").loc[
        "coal.tokchon", "parent"].replace(".", "@")
    dsd = structure.structure["DSD_TARGETS"]
    assert [d.id for d in dsd.dimensions.components] == ["PLAN", "REPORTING_UNIT", "INDICATOR", "TIME_PERIOD"]
    assert structure.dataflow["DF_REPORTS"].structure.id == "DSD_REPORTS"


def test_sdmx1_reads_the_data_and_a_reimport_changes_nothing(structure, db, tmp_path):
    from gosplan.service import Service

    path = tmp_path / "data.xml"
    run_cli(db, "export", "reports", "--period", "2023-Q2", "--format", "sdmx", "--out", str(path))
    message = sdmx.read_sdmx(path, structure=structure.structure["DSD_REPORTS"])
    series = sdmx.to_pandas(message.data[0])
    service = Service.open(db)
    stored = service.store.reports(first="2023-04", last="2023-06")
    assert len(series) == len(stored)
    key = ("coal@tokchon", "coal", "2023-04")
    assert series.loc[key] == stored.set_index(["unit", "indicator", "period"]).loc[
        ("coal.tokchon", "coal", "2023-04"), "value"]
    before = _data(service.store.dump())
    out = run_cli(db, "import", str(path), "--today", "2023-07-20").output
    assert f"0 new, 0 revised, {len(stored):,} unchanged" in out
    assert _data(service.store.dump()) == before


def test_targets_and_sdmx_csv(structure, db, tmp_path):
    path = tmp_path / "targets.xml"
    run_cli(db, "export", "targets", "--period", "2023", "--format", "sdmx", "--out", str(path))
    message = sdmx.read_sdmx(path, structure=structure.structure["DSD_TARGETS"])
    periods = set(sdmx.to_pandas(message.data[0]).index.get_level_values("TIME_PERIOD"))
    assert "2023" in periods and all("-H" not in p for p in periods)
    csv = tmp_path / "reports.csv"
    run_cli(db, "export", "reports", "--period", "2023-06", "--format", "sdmx-csv", "--out", str(csv))
    frame = pd.read_csv(csv)
    assert list(frame.columns) == ["DATAFLOW", "REPORTING_UNIT", "INDICATOR", "TIME_PERIOD", "OBS_VALUE",
                                   "UNIT_MEASURE"]
    assert set(frame["DATAFLOW"]) == {"GOSPLAN:DF_REPORTS(1.0)"}


def _sdmx1_message(structure, cls, rows):
    dsd = structure.structure["DSD_REPORTS"]
    ds = cls(structured_by=dsd)
    for (unit, indicator), observations in rows.items():
        key = dsd.make_key(m.SeriesKey, {"REPORTING_UNIT": unit, "INDICATOR": indicator})
        ds.add_obs([m.Observation(dimension=dsd.make_key(m.Key, {"TIME_PERIOD": p}), value=v,
                                  value_for=dsd.measures[0]) for p, v in observations], key)
    message = sdmx.message.DataMessage(data=[ds], observation_dimension=dsd.dimensions.get("TIME_PERIOD"))
    message.header = sdmx.message.Header(id="FROM_SDMX1", sender=m.Agency(id="OTHER"))
    return sdmx.to_xml(message, pretty_print=True)


@pytest.mark.parametrize("cls", [m.GenericDataSet, m.StructureSpecificDataSet])
def test_gosplan_reads_what_sdmx1_writes(structure, db, tmp_path, cls):
    from gosplan.service import Service

    path = tmp_path / "from-sdmx1.xml"
    path.write_bytes(_sdmx1_message(structure, cls, {("coal@tokchon", "coal"): [("2023-06", 123456.5)]}))
    result = import_file(Service.open(db).store, path, today=TODAY)
    assert (result.kind, result.rows) == ("reports", 1)
    stored = Service.open(db).store.reports(indicators="coal", units="coal.tokchon", first="2023-06", last="2023-06")
    assert stored["value"].tolist() == [123456.5]


def test_bad_messages_are_refused_with_their_lines_and_change_nothing(structure, db, tmp_path):
    from gosplan.service import Service

    service = Service.open(db)
    before = service.store.dump()
    unknown = tmp_path / "unknown.xml"
    unknown.write_bytes(_sdmx1_message(structure, m.StructureSpecificDataSet,
                                       {("coal@nowhere", "coal"): [("2023-06", 1.0)]}))
    with pytest.raises(ValidationError) as caught:
        import_file(service.store, unknown, today=TODAY)
    problem = caught.value.problems[0]
    assert problem.column == "unit" and "unknown unit 'coal.nowhere'" in problem.reason
    assert unknown.read_text().splitlines()[problem.row - 1].strip().startswith("<Obs")
    export = tmp_path / "data.xml"
    export_sdmx(service, "reports", export, "2023-06")
    text = export.read_text().replace('INDICATOR="coal"', 'INDICATOR="coal" SHIFT="night"', 1)
    text = text.replace('OBS_VALUE="', 'OBS_VALUE="x', 1)
    broken = tmp_path / "broken.xml"
    broken.write_text(text)
    with pytest.raises(ValidationError) as caught:
        import_file(service.store, broken, today=TODAY)
    reasons = [str(p) for p in caught.value.problems]
    assert any("unknown dimension or attribute 'SHIFT'" in r and ", row " in r for r in reasons)
    structure_file = tmp_path / "dsd.xml"
    export_sdmx(service, "structure", structure_file)
    with pytest.raises(ValidationError, match=r"not an SDMX-ML 2\.1 data message"):
        import_file(service.store, structure_file, today=TODAY)
    other = tmp_path / "other.xml"
    other.write_text(export.read_text().replace("DSD_REPORTS", "DSD_PRICES"))
    with pytest.raises(ValidationError, match="names no structure of gosplan"):
        import_file(service.store, other, today=TODAY)
    assert service.store.dump() == before


def test_roundtrip_on_each_backend(service, tmp_path):
    frame = pd.DataFrame({"indicator": ["coal", "steel"], "unit": ["E2", "E1"], "period": ["2023-05", "2023-06"],
                          "value": [0.1 + 0.2, 1e-7]})
    service.store.write_reports(frame, source="t", recorded_by="t")
    path, count = export_sdmx(service, "reports", tmp_path / "r.xml", "2023-Q2")
    assert count == 2
    before = service.store.dump()
    result = import_file(service.store, path, today=TODAY)
    assert (result.new, result.revised, result.unchanged) == (0, 0, 2)
    assert service.store.dump() == before


def test_sdmx_csv_import_roundtrip_and_unknown_codes(service, tmp_path):
    frame = pd.DataFrame({"indicator": ["coal", "steel"], "unit": ["E2", "E1"], "period": ["2023-05", "2023-06"],
                          "value": [0.1 + 0.2, 1e-7]})
    service.store.write_reports(frame, source="t", recorded_by="t")
    path, _ = export_sdmx(service, "reports", tmp_path / "r.csv", "2023-Q2", fmt="sdmx-csv")
    before = service.store.dump()
    result = import_file(service.store, path, today=TODAY)
    assert (result.kind, result.new, result.revised, result.unchanged) == ("reports", 0, 0, 2)
    assert service.store.dump() == before
    lines = path.read_text().splitlines()
    # A code the codelist does not have, and a column the structure does not have: named with row and column.
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], lines[1].replace(",E2,", ",E9,").replace(",E1,", ",E9,"), lines[2]]) + "\n")
    with pytest.raises(ValidationError) as caught:
        import_file(service.store, bad, today=TODAY)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (2, "REPORTING_UNIT") and "unknown unit 'E9'" in problem.reason
    extra = tmp_path / "extra.csv"
    extra.write_text("\n".join([lines[0] + ",SHIFT", lines[1] + ",night"]) + "\n")
    with pytest.raises(ValidationError, match="unknown dimension or attribute 'SHIFT'"):
        import_file(service.store, extra, today=TODAY)
    flow = tmp_path / "flow.csv"
    flow.write_text("\n".join([lines[0], lines[1].replace("DF_REPORTS", "DF_PRICES")]) + "\n")
    with pytest.raises(ValidationError) as caught:
        import_file(service.store, flow, today=TODAY)
    assert (caught.value.problems[0].row, caught.value.problems[0].column) == (2, "DATAFLOW")
    assert service.store.dump() == before
