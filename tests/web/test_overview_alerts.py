"""The overview's open alerts read as a short list (what, where, the message with units), not a record dump."""

from __future__ import annotations

import re

import pytest

from webenv import login


@pytest.fixture(scope="module")
def admin(sqlite_demo, tmp_path_factory):
    from fastapi.testclient import TestClient

    from gosplan.api import create_app
    from webenv import copy_sqlite, make_env

    env = make_env(copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("overview") / "demo.db"))
    client = TestClient(create_app(env.url, refresh_interval=0.1, login_attempts=10_000),
                        raise_server_exceptions=False)
    assert login(client, "admin").status_code == 303
    return client


def test_open_alerts_are_named_and_readable(admin):
    page = admin.get("/")
    assert page.status_code == 200
    listed = re.search(r'<ul id="alerts" class="alerts">(.*?)</ul>', page.text, re.S)
    assert listed, "the demo opens with its alerts raised"
    items = re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)
    assert 0 < len(items) <= 12
    first = items[0]
    assert re.search(r'class="badge (bad|warn|good)">(critical|warning|notable)<', first)
    assert re.search(r'<a href="/indicators/[^"]+\?unit=[^"]+">[^<]+, [^<]+</a>', first)  # indicator, unit name
    for item in items:
        text = re.sub(r"<[^>]+>", " ", item)
        assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", text), text  # no raw timestamps
        assert not re.search(r"\d\.\d{6,}", text), text  # no raw scores
        assert "None" not in text and "nan" not in text
    assert re.search(r"and \d+ more", page.text)
    # The cards print probabilities as the review does: "< 1 %", never "0 %".
    assert "P(target) 0 %" not in page.text
    assert "P(target) &lt; 1 %" in page.text
