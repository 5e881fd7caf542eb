"""Server-rendered pages of the operations room (Jinja2 templates, one CSS file, plotly.js served
from the installed plotly package — no JavaScript build step and no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def mount_web(app: FastAPI) -> None:
    """Add the pages, /static and /static/plotly.min.js to ``app``."""
    import plotly
    from fastapi.responses import FileResponse

    from gosplan.web.action_plan import router as action_plan
    from gosplan.web.admin import router as admin
    from gosplan.web.forms import router as forms
    from gosplan.web.language import router as language
    from gosplan.web.pages import router as pages
    from gosplan.web.pages import warm_overview
    from gosplan.web.plan_drafts import router as plan_drafts
    from gosplan.web.potential import router as potential
    from gosplan.web.workflow_pages import router as workflow_pages

    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    state = getattr(app.state, "gosplan", None)
    if state is not None:  # every new read snapshot comes with the overview page built
        state.snapshots.warmers.append(warm_overview)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_script() -> FileResponse:
        return FileResponse(plotly_js, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (pages, forms, admin, plan_drafts, action_plan, workflow_pages, potential, language):
        app.include_router(router, include_in_schema=False)
