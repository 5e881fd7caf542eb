"""The refusals of the service layer and the store in the reader's language: a Korean reader of the command
line (GOSPLAN_LANG=ko) gets them in Korean, with the particle that fits the value; in English they keep the
words the other tests pin.

The command-line cases run in one subprocess per language (each case calls ``gosplan.cli.main`` in turn), so
that the language chosen for the command line does not leak into the other tests of this process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from gosplan.errors import GosplanError, InvalidValue, ValidationError
from gosplan.i18n import use_language
from gosplan.ingest.wording import problems_text
from gosplan.model import Period

SRC = str(Path(__file__).resolve().parents[2] / "src")

#: Each case: the command line, then the refusal in Korean and in English (each as the command prints it).
CASES: list[tuple[list[str], str, str]] = [
    (["status", "--period", "2023-13"],
     "기간이 아닙니다: '2023-13' (월은 01..12여야 합니다)",
     "not a period: '2023-13' (month must be 01..12)"),
    (["forecast", "--as-of", "0999-06"],
     "기간이 아닙니다: '0999-06' (연도는 1000..9999여야 합니다)",
     "not a period: '0999-06' (the year must be 1000..9999)"),
    (["status", "--period", "2023-06", "--unit", "NOPE"],
     "단위 'NOPE'가 없습니다",
     "unknown unit 'NOPE'"),
    (["status", "--period", "2023-06", "--indicator", "iron"],
     "지표 'iron'이 없습니다",
     "unknown indicator 'iron'"),
    (["status", "--period", "2023-06", "--sector", "NOPE"],
     "부문 'NOPE'가 없습니다",
     "unknown sector 'NOPE'"),
    (["alerts", "ack", "99999"],
     "번호가 99999인 경보가 없습니다",
     "no alert with id 99999"),
    (["plan", "variant", "nope", "--name", "x"],
     "계획 판본 'nope'가 없습니다.",
     "no plan version 'nope'; known versions: "),
    (["plan", "draft", "--year", "2024", "--rule", "lottery"],
     "--rule의 값은 shares, capacity 가운데 하나여야 합니다(받은 값: 'lottery')",
     "--rule must be one of shares, capacity, not 'lottery'"),
    (["campaigns", "show", "nope"],
     "경쟁 운동 'nope'가 없습니다(등록된 경쟁 운동: ",
     "no campaign 'nope' (known: "),
    (["reserves", "--period", "2023-H1", "--rts", "drs"],
     "--rts의 값은 crs, vrs 가운데 하나여야 합니다(받은 값: 'drs')",
     "--rts must be one of crs, vrs, not 'drs'"),
    (["rules", "add", "r1", "coal <= 2 * electricity", "--severity", "fatal"],
     "심각도는 error, warning 가운데 하나여야 합니다(받은 값: 'fatal')",
     "severity must be one of error, warning, not 'fatal'"),
    (["rules", "add", "r2", "coal <= 2 * unobtainium"],
     "규칙 r2, 열 'formula': 'coal <= 2 * unobtainium'의 지표 'unobtainium'이 없습니다",
     "rule r2, column 'formula': unknown indicator 'unobtainium' in 'coal <= 2 * unobtainium'"),
    (["rules", "set-bounds", "--unit", "KP", "--indicator", "coal", "--low", "5", "--high", "1"],
     "하한 5가 상한 1보다 큽니다",
     "the low bound 5 is above the high bound 1"),
    (["rules", "delete", "nope"],
     "규칙 'nope'가 없습니다",
     "no rule 'nope'"),
    (["rules", "resolve", "99999", "--comment", "fixed"],
     "id 99999인 위반 없음",  # the pages' words for the same refusal
     "no violation with id 99999"),
    (["actions", "accept", "99999"],
     "번호가 99999인 대책이 없습니다",
     "no action with id 99999"),
    (["completeness", "assign", "core", "--unit", "KP", "--kind", "galaxy"],
     "'KP' 아래에 종류가 'galaxy'인 단위가 없습니다",
     "no unit of kind 'galaxy' under 'KP'"),
]

_DRIVER = """
import json, sys
from gosplan.cli import main
for argv in json.loads(sys.stdin.read()):
    print("=== case", flush=True, file=sys.stderr)
    try:
        main(argv)
    except SystemExit as done:
        print(f"=== exit {done.code}", flush=True, file=sys.stderr)
"""


def _refusals(db: str, lang: str | None) -> list[tuple[int | None, str]]:
    """Every case run by ``gosplan`` against ``db`` in ``lang``: (exit code, what it wrote to stderr)."""
    env = {**os.environ, "PYTHONPATH": SRC, "COLUMNS": "200", "GOSPLAN_DB": db}
    env.pop("GOSPLAN_LANG", None)
    if lang:
        env["GOSPLAN_LANG"] = lang
    done = subprocess.run([sys.executable, "-c", _DRIVER], input=json.dumps([args for args, _, _ in CASES]),
                          env=env, capture_output=True, text=True, timeout=600)
    found = []
    for chunk in done.stderr.split("=== case\n")[1:]:
        text, _, code = chunk.rpartition("=== exit ")
        found.append((int(code) if code.strip().isdigit() else None, text))
    assert len(found) == len(CASES), done.stderr[-2000:]
    return found


@pytest.fixture(scope="module")
def demo_db(sqlite_demo, tmp_path_factory):
    from webenv import copy_sqlite

    return copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("refusals-ko") / "demo.db")


@pytest.fixture(scope="module")
def korean(demo_db):
    return _refusals(demo_db, "ko")


@pytest.fixture(scope="module")
def english(demo_db):
    return _refusals(demo_db, None)


@pytest.mark.parametrize("case", range(len(CASES)), ids=[" ".join(args[:2]) for args, _, _ in CASES])
def test_the_command_line_refuses_in_korean(korean, case):
    code, text = korean[case]
    assert code == 1 and "Traceback" not in text, text
    assert text.startswith("오류: ") or "오류" in text.splitlines()[0], text
    assert CASES[case][1] in text, text
    assert not any(word in text for word in ("unknown", "must be", "no such", " not ")), text


@pytest.mark.parametrize("case", range(len(CASES)), ids=[" ".join(args[:2]) for args, _, _ in CASES])
def test_the_command_line_keeps_its_english_words(english, case):
    code, text = english[case]
    assert code == 1 and "Traceback" not in text, text
    assert CASES[case][2] in text, text


# -- the service layer, called directly ------------------------------------------------------------------------


def test_period_parsing_refuses_in_the_readers_language():
    with use_language("ko"), pytest.raises(InvalidValue) as refused:
        Period.parse("2023-Q5")
    assert str(refused.value) == "기간이 아닙니다: '2023-Q5' (2023, 2023-H1, 2023-Q2 또는 2023-06 형식이어야 합니다)"
    with pytest.raises(InvalidValue, match=r"^not a period: '2023-Q5' \(expected 2023, 2023-H1, 2023-Q2 or 2023-06\)$"):
        Period.parse("2023-Q5")


def _refusal(call, *args) -> str:
    with pytest.raises(GosplanError) as refused:
        call(*args)
    return str(refused.value)


def test_plan_edits_refuse_in_korean():
    from gosplan.service.plans import parse_edits

    with use_language("ko"):
        assert _refusal(parse_edits, ["coal"], []) == ("--scale 'coal': INDICATOR=FACTOR 형식이어야 합니다. "
                                                        "예: coal=1.05")
        assert _refusal(parse_edits, [], ["KP:coal=-1"]) == "--set 'KP:coal=-1': 과제는 음수일 수 없습니다"
    assert _refusal(parse_edits, [], ["KP:coal=-1"]) == "--set 'KP:coal=-1': a target must not be negative"


def test_an_empty_store_says_what_to_import_first():
    from gosplan.service import Service
    from gosplan.service.material import norm_table
    from gosplan.service.projects import project_status

    service = Service.open("sqlite://")
    with use_language("ko"):
        assert _refusal(service.root) == ("데이터베이스에 아직 단위가 없습니다. "
                                          "먼저 단위를 가져오십시오(gosplan template units)")
        assert _refusal(norm_table, service) == ("저장된 투입 기준이 없습니다. 시범 자료(gosplan demo)에 들어 있으며, "
                                                 "입력한 기준을 가져올 수도 있습니다")
        assert _refusal(project_status, service) == ("데이터베이스에 건설 대상이 없습니다. "
                                                     "먼저 projects와 project_progress를 가져오십시오")
    assert _refusal(service.root) == "the store has no units yet: import units first (gosplan template units)"
    assert _refusal(project_status, service) == "no projects in the store: import projects and project_progress first"


def test_refused_rows_of_a_file_are_explained_in_korean(demo_db, tmp_path):
    from gosplan.service import Service

    service = Service.open(demo_db)
    bad = pd.DataFrame({"good": ["coal", "kryptonite", "coal"], "consumer": ["electricity", "cement", "steel"],
                        "norm": [-1.0, 0.5, "lots"], "source": ["entered", "entered", "guess"]})
    with use_language("ko"):
        with pytest.raises(ValidationError) as refused:
            service.store.write_norms(bad, recorded_by="t", source="norms.csv")
        text = problems_text(refused.value)
    assert text.startswith("문제 5건이 발견되어 아무것도 기록하지 않았습니다:"), text
    assert "norms.csv, 2행, 열 'norm': 음수일 수 없습니다: -1" in text, text
    assert "norms.csv, 3행, 열 'good': 알 수 없는 지표 'kryptonite'" in text, text
    assert "norms.csv, 4행, 열 'norm': 유한한 숫자가 아닙니다: 'lots'" in text, text
    assert "norms.csv, 4행, 열 'source': io_table, reports, entered" in text and "must be" not in text, text
    with pytest.raises(ValidationError) as refused:
        service.store.write_norms(bad, recorded_by="t", source="norms.csv")
    assert "row 3, column 'good': unknown indicator 'kryptonite'" in str(refused.value)



def test_the_api_refuses_in_the_language_of_the_request(sqlite_demo, tmp_path):
    """The API's ``detail`` is the service's refusal, made in the language the request asks for."""
    from fastapi.testclient import TestClient

    from gosplan.api import create_app
    from webenv import copy_sqlite, make_env

    env = make_env(copy_sqlite(sqlite_demo, tmp_path / "demo.db"))
    with TestClient(create_app(env.url, refresh_interval=0.1), raise_server_exceptions=False) as client:
        asked = {"period": "2023-06", "indicator": "iron"}
        korean = client.get("/api/v1/fulfilment", params=asked,
                            headers={**env.bearer("viewer"), "Accept-Language": "ko"})
        english = client.get("/api/v1/fulfilment", params=asked, headers=env.bearer("viewer"))
    assert korean.status_code == english.status_code == 404
    assert korean.json()["detail"] == "지표 'iron'이 없습니다"
    assert english.json()["detail"] == "unknown indicator 'iron'"
