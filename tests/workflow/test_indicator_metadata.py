"""Indicator metadata on SQLite and PostgreSQL: imported with the indicators file (columns left out keep
what is stored), refused when bad, shown by ``gosplan indicators``, in the review's annex and in the
SDMX structure."""

from __future__ import annotations

import pandas as pd
import pytest

from clienv import run_cli
from gosplan.errors import NotFound, ValidationError
from gosplan.ingest import import_file
from gosplan.review import build_review
from gosplan.service.metadata import indicator_card

COAL = {"code": "coal", "name": "Coal", "unit": "t", "definition": "Run-of-mine coal raised to the surface",
        "method": "Sum of the tonnage weighed at the pit head", "source": "Monthly form 1-P",
        "responsible": "Ministry of Coal Industry", "frequency": "Monthly"}


def _file(tmp_path, rows: list[dict], name: str = "indicators.csv"):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_metadata_imported_kept_and_refused(service, tmp_path):
    result = import_file(service.store, _file(tmp_path, [COAL]), kind="indicators")
    assert result.revised == 1  # the metadata is new for a stored indicator
    card = indicator_card(service, "coal")
    assert card["definition"] == COAL["definition"] and card["frequency"] == "monthly"
    # A file without the metadata columns leaves them alone; the same file again changes nothing.
    plain = {k: COAL[k] for k in ("code", "name", "unit")}
    assert import_file(service.store, _file(tmp_path, [plain], "plain.csv"), kind="indicators").revised == 0
    assert import_file(service.store, _file(tmp_path, [COAL]), kind="indicators").unchanged == 1
    assert indicator_card(service, "coal")["responsible"] == "Ministry of Coal Industry"
    before = service.store.dump()
    with pytest.raises(ValidationError) as caught:
        import_file(service.store, _file(tmp_path, [{**COAL, "frequency": "hourly"}], "bad.csv"), kind="indicators")
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (2, "frequency") and "monthly, quarterly" in problem.reason
    assert service.store.dump() == before
    with pytest.raises(NotFound, match="unknown indicator 'cola' \\(did you mean 'coal'\\?\\)"):
        indicator_card(service, "cola")


def test_metadata_on_the_command_line_in_the_review_and_in_sdmx(service, tmp_path):
    sdmx = pytest.importorskip("sdmx")
    assert build_review(service, "2023-06", only=["indicator_metadata"]).sections == []  # nothing described yet
    import_file(service.store, _file(tmp_path, [COAL]), kind="indicators")
    url = service.store.url
    listing = run_cli(url, "indicators", width=80).output
    assert "Ministry of Coal Industry" in listing and max(map(len, listing.splitlines())) <= 80
    card = run_cli(url, "indicators", "show", "coal", width=80).output
    assert "Method of calculation" in card and "pit head" in card
    assert "unknown indicator 'nope'" in str(run_cli(url, "indicators", "show", "nope", code=1).exception)
    annex = build_review(service, "2023-06", only=["indicator_metadata"]).section("indicator_metadata")
    assert annex.title == "Indicator definitions" and COAL["definition"] in annex.body_html
    assert annex.tables["indicator_metadata"]["code"].tolist() == ["coal"]
    path = tmp_path / "dsd.xml"
    run_cli(url, "export", "structure", "--format", "sdmx", "--out", str(path))
    code = sdmx.read_sdmx(path).codelist["CL_INDICATOR"]["coal"]
    assert str(code.description) == COAL["definition"]
    assert {str(a.type): str(a.text) for a in code.annotations}["RESPONSIBLE_AGENCY"] == \
        "Ministry of Coal Industry"


COAL_KO = {"definition_ko": "캐내어 지상으로 올린 원탄", "method_ko": "갱구에서 단 톤수의 합",
           "source_ko": "월 보고 1-P",
           "responsible_ko": "석탄공업성", "name_ko": "석탄"}


def test_korean_metadata_is_shown_to_korean_readers_and_both_languages_go_to_sdmx(service, tmp_path):
    from typer.testing import CliRunner

    from gosplan.cli import app
    from gosplan.i18n import use_language

    sdmx = pytest.importorskip("sdmx")
    import_file(service.store, _file(tmp_path, [{**COAL, **COAL_KO}]), kind="indicators")
    assert indicator_card(service, "coal")["responsible"] == "Ministry of Coal Industry"
    with use_language("ko"):
        card = indicator_card(service, "coal")
        assert (card["name"], card["definition"], card["responsible"], card["frequency"]) == \
            ("석탄", COAL_KO["definition_ko"], "석탄공업성", "매월")
    listing = CliRunner().invoke(app, ["indicators", "--db", service.store.url],
                                 env={"COLUMNS": "80", "GOSPLAN_LANG": "ko"}).output
    assert "석탄공업성" in listing and "Ministry of Coal Industry" not in listing
    # A file without the Korean columns keeps them; an empty cell clears one (English shown again).
    import_file(service.store, _file(tmp_path, [COAL], "en.csv"), kind="indicators")
    with use_language("ko"):
        assert indicator_card(service, "coal")["method"] == COAL_KO["method_ko"]
    import_file(service.store, _file(tmp_path, [{**COAL, **COAL_KO, "method_ko": ""}], "clear.csv"), kind="indicators")
    with use_language("ko"):
        assert indicator_card(service, "coal")["method"] == COAL["method"]
    path = tmp_path / "dsd.xml"
    CliRunner().invoke(app, ["export", "structure", "--format", "sdmx", "--out", str(path), "--db", service.store.url],
                       env={"GOSPLAN_LANG": "ko"})  # the reader's language does not change the structure's labels
    code = sdmx.read_sdmx(path).codelist["CL_INDICATOR"]["coal"]
    assert code.name.localizations == {"en": "Coal", "ko": "석탄"}
    assert code.description.localizations == {"en": COAL["definition"], "ko": COAL_KO["definition_ko"]}
