"""The error shape of the API as published in its OpenAPI schema, and the status codes per route.

Every refusal is JSON of one shape (:class:`ErrorOut`): ``error`` (a short code), ``detail`` (a
sentence) and ``problems`` (one entry per bad row or field).

>>> sorted(errors(401, 409))
[401, 409]
>>> errors(413)[413]["model"].__name__
'ErrorOut'
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ProblemOut(BaseModel):
    """One problem: where (source, row, field) and why."""

    source: str | None = Field(None, examples=["request"])
    row: int | None = Field(None, description="Row number in the submitted file or list, if any")
    field: str | None = Field(None, examples=["period"])
    reason: str = Field(examples=["not a month (YYYY-MM)"])


class ErrorOut(BaseModel):
    """Every error answer of the API."""

    error: str = Field(description="A short code: validation, not_authenticated, forbidden, csrf, not_found, "
                                   "conflict, too_large, too_many, bad_request, http_NNN, internal",
                       examples=["validation"])
    detail: str = Field(examples=["1 problem found; nothing was written"])
    problems: list[ProblemOut] = Field(default_factory=list)


DESCRIPTIONS = {
    400: "Bad request",
    401: "Not signed in: no valid session or API token",
    403: "Not allowed for this role or unit subtree, or the CSRF check failed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict: e.g. an idempotency key reused with a different submission, or the last admin",
    413: "The request body is over this route's size limit",
    422: "Invalid input: every problem is listed",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route that can answer ``codes`` (all in the :class:`ErrorOut` shape)."""
    return {code: {"model": ErrorOut, "description": DESCRIPTIONS.get(code, "Error")} for code in codes}


# What every route of the API can answer besides its own codes.
COMMON = (401, 422)
WRITE = (*COMMON, 403, 409, 413)
