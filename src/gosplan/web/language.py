"""The language of each request: the switch in the page header (a cookie, saved for a signed-in user),
else the browser's Accept-Language, else ``GOSPLAN_LANG``.

The language is set in :mod:`gosplan.i18n`'s context variable for the whole request, so the pages, the
API's error messages and the names the service reads all follow it.

>>> best_language("ko-KR,ko;q=0.9,en-US;q=0.8")
'ko'
>>> best_language("fr-FR,fr;q=0.9,en;q=0.5")
'en'
>>> best_language("de") is None
True
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from gosplan.i18n import LANGUAGES, PSEUDO, default_language, normalise, use_language

#: The cookie that keeps the language chosen with the switch (a year; not a secret).
LANGUAGE_COOKIE = "gosplan_lang"
_YEAR = 365 * 24 * 3600

router = APIRouter()


def _code(text: str | None) -> str | None:
    try:
        return normalise(text) if text else None
    except ValueError:
        return None


def best_language(header: str | None) -> str | None:
    """The language of ``Accept-Language`` with the highest weight that has a catalogue (None: none has)."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        code = _code(tag) if tag and tag != "*" else None
        if code and code != PSEUDO and weight > 0:
            ranked.append((-weight, position, code))
    return min(ranked)[2] if ranked else None


def request_language(cookies: dict[str, str], accept: str | None) -> str:
    """The language of a request: the cookie of the switch, the browser's, else ``GOSPLAN_LANG``."""
    return _code(cookies.get(LANGUAGE_COOKIE)) or best_language(accept) or default_language()


class LanguageMiddleware:
    """Pure ASGI middleware: runs each request in its language."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        with use_language(request_language(request.cookies, request.headers.get("accept-language"))):
            await self.app(scope, receive, send)


def set_language_cookie(response: Response, language: str) -> None:
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=_YEAR, httponly=True, samesite="lax")


@router.get("/language/{code}", include_in_schema=False)
async def switch_language(request: Request, code: str, next: Annotated[str, Query(max_length=300)] = "/"
                          ) -> Response:
    """The switch in the page header: remember ``code`` in a cookie (and for a signed-in user, in the
    store, so that it follows them to another browser), then go back to the page."""
    from gosplan.api.auth import identify
    from gosplan.web.pages import _safe_next

    language = _code(code)
    if language not in LANGUAGES:
        language = LANGUAGES[0]
    who = identify(request)
    if who is not None:
        await run_in_threadpool(request.app.state.gosplan.snapshots.writer.store.set_user_language, who.name,
                                language)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_language_cookie(response, language)
    return response


__all__ = ["LANGUAGE_COOKIE", "LanguageMiddleware", "best_language", "request_language", "router",
           "set_language_cookie"]
