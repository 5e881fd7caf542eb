"""The potentiality page: Beer's indices by sector, the development projects, the movement per sector;
national readers only."""

from __future__ import annotations

import pytest

from webenv import assert_no_leak, signed_in


@pytest.fixture(scope="module")
def app(sqlite_demo, tmp_path_factory):
    from gosplan.api import create_app
    from webenv import copy_sqlite, make_env

    env = make_env(copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("potential") / "demo.db"))
    return create_app(env.url, refresh_interval=0.1, login_attempts=10_000)


def test_the_page_shows_the_indices_projects_and_movements(app):
    client = signed_in(app, "viewer")
    page = client.get("/potential?period=2023-H1")
    assert page.status_code == 200
    text = page.text
    assert 'id="potential"' in text and "Rolled steel" in text and "Latency" in text
    assert "kt of rolled steel not produced" in text  # the late modernisation's cost in tonnes
    assert "coal-innovation-2023 in electric power" in text and "Stalled" in text
    assert 'href="/potential"' in text  # in the navigation of a national reader
    assert ">nan<" not in text and "e+0" not in text
    assert_no_leak(text)


def test_a_subtree_account_is_refused(app):
    client = signed_in(app, "viewer1")
    assert client.get("/potential").status_code == 403
    assert 'href="/potential"' not in client.get("/").text
