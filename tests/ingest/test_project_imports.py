"""Import of project schedules, progress, farms and weather events: the same rules as reports."""

from datetime import date

import pandas as pd
import pytest

from gosplan.errors import ValidationError
from gosplan.ingest import detect_kind, import_file, import_frame, write_template

from .conftest import problems_of

TODAY = date(2023, 7, 10)


@pytest.fixture()
def store(demo_store):
    """These tests import into a store holding the demo's reference data."""
    return demo_store


def _load(store, kind, frame):
    return import_frame(store, kind, frame, source=f"{kind}.csv", recorded_by="test", today=TODAY)


def test_the_demo_tables_import_and_reimport_changes_nothing(store, demo, tmp_path):
    for kind, frame in (("projects", demo.projects), ("project_milestones", demo.project_milestones),
                        ("project_progress", demo.project_progress), ("farms", demo.farms),
                        ("weather_events", demo.weather_events)):
        path = tmp_path / f"{kind}.csv"
        frame.to_csv(path, index=False)
        assert detect_kind(list(frame.columns)) == kind
        result = import_file(store, path, today=TODAY)
        assert (result.kind, result.new) == (kind, len(frame))
        again = import_file(store, path, today=TODAY)
        assert again.unchanged == len(frame) and again.new == 0
    assert len(store.project_progress()) == len(demo.project_progress)


def test_bad_project_schedule_lists_every_problem(store):
    frame = pd.DataFrame({
        "code": ["ok", "bad code", "ok"], "name": ["A", "B", "C"], "unit": ["bld.hwasong", "nowhere", "bld.hwasong"],
        "budget": ["100", "-5", "abc"], "start": ["2023-01", "2023-13", "2023-05"],
        "planned_end": ["2023-12", "2024-01", "2023-02"]})
    with pytest.raises(ValidationError) as excinfo:
        _load(store, "projects", frame)
    problems = problems_of(excinfo)
    assert (3, "code", "code 'bad code' may only contain letters, digits, '_', '.' and '-'") in problems
    assert (3, "unit", "unknown unit 'nowhere'") in problems
    assert (3, "budget", "negative value; this indicator is non-negative") in problems
    assert (4, "budget", "not a number: 'abc'") in problems
    assert any(p[:2] == (3, "start") and "not a month" in p[2] for p in problems)
    assert (4, "planned_end", "planned_end is before start") in problems
    assert any(p[0] == 4 and p[2].startswith("duplicate") for p in problems)
    assert store.projects().empty


def test_bad_progress_file(store, demo, tmp_path):
    store.write_projects(demo.projects)
    frame = pd.DataFrame({"project": ["hwasong-2", "ghost", "hwasong-2", "hwasong-2", "hwasong-2"],
                          "period": ["2023-05", "2023-05", "2023-09", "2023-05", "May"],
                          "percent_complete": ["40", "10", "50", "41", "101"],
                          "actual_cost": ["1", "1", "nan", "1", "1"]})
    with pytest.raises(ValidationError) as excinfo:
        _load(store, "project_progress", frame)
    problems = problems_of(excinfo)
    assert (3, "project", "unknown project 'ghost'") in problems
    assert (4, "period", "a report for a future month (today is 2023-07-10)") in problems
    assert (4, "actual_cost", "not a finite number: 'nan'") in problems
    assert (5, None, "duplicate: same project, period as row 2") in problems
    assert (6, "percent_complete", "percent complete must lie in 0..100") in problems
    assert any(p[:2] == (6, "period") for p in problems)
    assert store.project_progress().empty
    latin1 = tmp_path / "progress.csv"
    latin1.write_bytes("project,period,percent_complete,actual_cost\nhwasong-2,2023-05,40,1 \xe9\n".encode("latin-1"))
    with pytest.raises(ValidationError, match="not UTF-8"):
        import_file(store, latin1, today=TODAY)


def test_bad_farms_and_weather(store):
    farms = pd.DataFrame({"unit": ["farm.anju", "farm.nowhere"], "crop_area_ha": ["100", "10"],
                          "irrigated_ha": ["150", "5"], "colour": ["red", "blue"]})
    with pytest.raises(ValidationError) as excinfo:
        _load(store, "farms", farms)
    assert (1, "colour", "unknown column (a farms file has: unit, crop_area_ha, irrigated_ha)") in problems_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        _load(store, "farms", farms.drop(columns="colour"))
    problems = problems_of(excinfo)
    assert (2, "irrigated_ha", "irrigated area exceeds the crop area") in problems
    assert (3, "unit", "unknown unit 'farm.nowhere'") in problems
    events = pd.DataFrame({"province": ["KP-05", "KP-05", "KP-99"], "period": ["2023-05", "2023-06", "2023-05"],
                           "kind": ["Heavy rain", "hail", "drought"], "severity": ["0.5", "1.5", "0.2"]})
    with pytest.raises(ValidationError) as excinfo:
        _load(store, "weather_events", events)
    problems = problems_of(excinfo)
    assert any(p[:2] == (3, "kind") for p in problems) and (3, "severity", "severity must lie in 0..1") in problems
    assert (4, "province", "unknown unit 'KP-99'") in problems
    result = _load(store, "weather_events", events.iloc[[0]])
    assert result.new == 1 and store.weather_events()["kind"].tolist() == ["flood"]  # the alias is resolved


@pytest.mark.parametrize("kind", ["projects", "project_milestones", "project_progress", "farms", "weather_events"])
def test_templates_have_the_columns_the_importer_reads(kind, tmp_path):
    path = tmp_path / f"{kind}.csv"
    write_template(kind, path)
    assert detect_kind(list(pd.read_csv(path).columns)) == kind
