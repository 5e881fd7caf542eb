"""Render a :class:`~gosplan.review.document.Review` as one self-contained HTML page.

plotly.js is embedded from the installed plotly package, so the page works offline and can be
mailed as a single file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from gosplan.i18n import _, current_language
from gosplan.review.document import Review


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(loader=PackageLoader("gosplan.review", "templates"),
                              autoescape=select_autoescape(["html", "j2"]))
    environment.globals["_"] = _  # read the reader's language at each call, so one environment serves all
    return environment


@lru_cache(maxsize=1)
def plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def render_html(review: Review, *, embed_plotly: bool = True) -> str:
    template = _environment().get_template("review.html.j2")
    from gosplan.review.stocktake import page_one_html

    return template.render(review=review, page_one=page_one_html(review.stocktake), lang=current_language(),
                           plotly_js=plotly_js() if embed_plotly else "")


def write_html(review: Review, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(review), encoding="utf-8")
    return path
