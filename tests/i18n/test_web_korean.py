"""The web pages in Korean: the browser's Accept-Language, the switch in the header (a cookie, saved for
the signed-in user), <html lang>, Korean names of units and indicators, API errors in Korean."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from webenv import PASSWORD

KOREAN = {"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}


@pytest.fixture(scope="module")
def korean_app(sqlite_demo, tmp_path_factory):
    from gosplan.api import create_app
    from webenv import copy_sqlite

    return create_app(copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("ko") / "demo.db"), refresh_interval=0.1)


def signed_in(app, name: str = "planner", headers: dict | None = None) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False, headers=headers or {})
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    done = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token, "next": "/"},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    return client


def test_a_korean_browser_gets_korean_pages_with_korean_names(korean_app):
    client = signed_in(korean_app, headers=KOREAN)
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="ko">' in page.text
    for word in ("운영실", "부문", "평안남도", "석탄", "압연강재", "2023년"):
        assert word in page.text, word
    assert "Operations room" not in page.text and "South Pyongan" not in page.text
    unit = client.get("/units/KP-02")
    assert unit.status_code == 200 and "평안남도" in unit.text and "개천시" in unit.text
    english = signed_in(korean_app)  # no Accept-Language: English
    assert '<html lang="en">' in english.get("/").text


def test_the_switch_sets_a_cookie_and_is_remembered_for_the_user(korean_app):
    client = signed_in(korean_app, name="viewer")
    assert '<html lang="en">' in client.get("/").text
    switched = client.get("/language/ko?next=/sectors", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/sectors"
    assert '<html lang="ko">' in client.get("/sectors").text
    elsewhere = signed_in(korean_app, name="viewer")  # another browser: the saved choice follows the user
    assert '<html lang="ko">' in elsewhere.get("/").text
    elsewhere.get("/language/en")
    assert '<html lang="en">' in elsewhere.get("/").text


def test_api_errors_speak_the_readers_language_and_keep_their_codes(korean_app):
    client = TestClient(korean_app, raise_server_exceptions=False)
    english = client.get("/api/v1/status?period=2023-06")
    korean = client.get("/api/v1/status?period=2023-06", headers=KOREAN)
    assert english.status_code == korean.status_code == 401
    assert english.json()["error"] == korean.json()["error"] == "not_authenticated"
    assert re.search("[가-힣]", str(korean.json())) and not re.search("[가-힣]", str(english.json()))
