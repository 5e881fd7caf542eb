"""Rendering helpers of the web pages: the Jinja2 environment, number filters, error pages, the review."""

from __future__ import annotations

import math
import threading
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from gosplan.i18n import LANGUAGE_NAMES, N_, _, current_language, gettext, ngettext
from gosplan.i18n.formats import format_month, format_period
from gosplan.quantities import display_unit, format_quantity
from gosplan.review.format import pct, signed_pct
from gosplan.review.terminal import status_label
from gosplan.service import Service

#: Codes the pages show through gettext (roles, kinds of unit, alert severities and kinds).
WORDS = (N_("admin"), N_("planner"), N_("reporter"), N_("viewer"), N_("country"), N_("province"), N_("county"),
         N_("enterprise"), N_("critical"), N_("warning"), N_("notable"), N_("forecast"), N_("exception"),
         N_("attainment"), N_("deviation"), N_("annual"), N_("five-year"), N_("draft"), N_("adopted"),
         N_("superseded"), N_("new"), N_("revised"), N_("unchanged"))
STATUS_CLASS = {"exceeding": "good", "on track": "good", "at risk": "warn", "lagging": "bad", "missing": "none"}
_review_lock = threading.Lock()


def _num(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:,.{digits}f}"


def _qty(value: Any, uom: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    try:
        return format_quantity(float(value), uom)
    except Exception:  # an unusual unit text is shown as it is rather than failing the page
        return f"{value:,.0f} {uom}"


def _exact(value: Any, uom: str = "") -> str:
    """A value as entered, to the last digit that matters, with its unit: ``1,234.5 t``; never ``1e+09``."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{float(value):,.6f}".rstrip("0").rstrip(".")
    return f"{text} {display_unit(uom)}".strip()


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("gosplan.web", "templates"), autoescape=select_autoescape(["html", "j2"]))
    from gosplan.i18n.codes import code_word
    from gosplan.service.wording import probability_label

    env.filters.update(pct=pct, signed_pct=signed_pct, num=_num, qty=_qty, exact=_exact, uom=display_unit,
                       probability=probability_label, status_class=lambda s: STATUS_CLASS.get(str(s), "none"),
                       status=status_label, period=format_period, month=format_month, word=code_word)
    # Every word of a page goes through the catalogue: {{ _("Sectors") }}, {{ _("{n} more", n=3) }}.
    env.globals.update(_=_, ngettext=ngettext, gettext=gettext, languages=LANGUAGE_NAMES,
                       current_language=current_language)
    return env


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    from gosplan.api.auth import csrf_token, identify

    context.setdefault("user", identify(request))
    context.setdefault("csrf", csrf_token(request))
    html = environment().get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code)


def error_page(request: Request, status: int, detail: str, problems: list) -> HTMLResponse:
    return render(request, "error.html.j2", status_code=status, status=status, detail=detail, problems=problems)


def review_html(service: Service, period: str | None = None, *, embed_plotly: bool = True) -> str:
    """The review page for ``period`` (default: the half-year of the current month), built once per
    snapshot. ``embed_plotly=False`` links /static/plotly.min.js instead of inlining 4 MB of it."""
    from gosplan.model import Period
    from gosplan.review import build_review, render_html
    from gosplan.service.operations import current_period

    if period is None:
        month = Period.parse(current_period(service))
        period = f"{month.year}-H{1 if month.index <= 6 else 2}"
    with _review_lock:  # several viewers asking at once build it once
        review = service._cached(("review", period), lambda: build_review(service, period))
    if embed_plotly:
        return service._cached(("review_html", period), lambda: render_html(review))
    html = render_html(review, embed_plotly=False)
    return html.replace("<head>", '<head>\n<script src="/static/plotly.min.js"></script>', 1)
