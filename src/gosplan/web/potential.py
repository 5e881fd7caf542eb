"""The potentiality page: Beer's indices by sector, development projects and what late ones cost,
science and technology, movements across sectors. The same figures and sentences as ``gosplan
potential`` and the review's potentiality section."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from gosplan.api.auth import require_principal
from gosplan.errors import PermissionDenied
from gosplan.i18n import _
from gosplan.review.format import pct, qty
from gosplan.service.accounts import Principal, visible_units
from gosplan.web.pages import _period, reader
from gosplan.web.render import render

router = APIRouter()
Who = Annotated[Principal, Depends(require_principal)]


@router.get("/potential", response_class=HTMLResponse)
def potential_page(request: Request, who: Who, period: Annotated[str | None, Query(max_length=64)] = None
                   ) -> Response:
    from gosplan.model import Period
    from gosplan.review.sections.potential import (
        beer_note,
        development,
        indices_sentence,
        movement_lines,
    )
    from gosplan.service.potentiality import potential

    service = reader(request, who)
    if visible_units(service, who) is not None:
        raise PermissionDenied("potentiality covers the whole economy; this account is limited to a subtree")
    shown = _period(service, period)
    # The indices compare half-years by default: one month of DEA says little about a peer group.
    p = Period.parse(shown)
    if period is None and p.kind == "M":
        p = Period(p.year, "H", 1 if p.index <= 6 else 2)
    view = potential(service, p)
    indicators = service.indicators().set_index("code")["name"]
    names = service.sectors().set_index("code")["name"]
    rows = [{"output": indicators.get(r.indicator, r.indicator), "sector": names.get(r.sector, r.sector),
             "actuality": qty(r.actuality, r.uom), "capability": qty(r.capability, r.uom),
             "potentiality": qty(r.potentiality, r.uom), "productivity": pct(r.productivity),
             "latency": pct(r.latency), "performance": pct(r.performance)} for r in view.sectors.itertuples()]
    lower = indicators.str.lower().to_dict()
    headers = [_("Output"), _("Sector"), _("Actuality"), _("Capability"), _("Potentiality"), _("Productivity"),
               _("Latency"), _("Performance")]
    return render(request, "potential.html.j2", title=_("Potentiality"), period=view.period, headers=headers,
                  rows=rows, summary=indices_sentence(view.sectors, names, view.period, lower),
                  development=development(service, view.period)[0], movements=movement_lines(service)[0],
                  note=beer_note(), development_heading=_("Development projects, science and technology"),
                  movements_heading=_("Movements across sectors"))
