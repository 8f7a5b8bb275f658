"""The server's error answers, one shape each, as the OpenAPI document declares them.

Every refusal is ``{"detail": ...}``: a sentence for the operator (401, 404, 409, 413, 429, 503), the
desk's refusal as data its client turns back into the domain's exception (403 and 409 of the desk
routes), and for 422 always a list of issues (``loc``, ``msg``, ``type``), whether pydantic found
them or a route did. A 422 never carries the input back: a 20 MB body is not answered with 20 MB.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException


class Problem(BaseModel):
    detail: str


class Issue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationProblem(BaseModel):
    detail: list[Issue]


class DeskRefusal(BaseModel):
    kind: Literal["not_authorized", "no_session", "refused", "not_here", "desk", "known"]
    text: str
    message: dict[str, Any] | None = None


class DeskProblem(BaseModel):
    detail: DeskRefusal


class OffsetProblem(BaseModel):
    detail: str
    offset: int | None = None  # with a 409 for a chunk at the wrong offset: the one the server has


WHY = {
    400: "the body cannot be decoded (not UTF-8 JSON)",
    401: "no station token, or an unknown or revoked one: enrol this bench again",
    403: "refused",
    404: "no such thing for this station",
    409: "refused in the current state",
    413: "the body is over this call's limit (refused before it is read)",
    422: "a field is missing or invalid: each issue names it (the input is never echoed)",
    429: "this station already holds its most open long polls: wait for one to answer",
    503: "the server's database is unreachable: nothing was saved",
    507: "no room: the clip would take the server's disk below its reserve or this bench past its upload quota",
}
MODEL: dict[int, type[BaseModel]] = {422: ValidationProblem}


def answers(*codes: int, **models: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route that answers ``codes``; ``s403=DeskProblem`` picks another body."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        out[code] = {"description": WHY[code], "model": models.get(f"s{code}") or MODEL.get(code, Problem)}
    return out


def issue(msg: str, *loc: str | int, type_: str = "value_error") -> list[dict[str, Any]]:
    """One 422 issue, the shape pydantic's have: for a refusal a route finds itself."""
    return [{"loc": list(loc), "msg": msg, "type": type_}]


def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    issues = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
              for e in exc.errors()]
    return JSONResponse({"detail": issues}, status_code=422)


def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail: Any = exc.detail
    if exc.status_code == 422 and not isinstance(detail, list):  # one 422 shape, whoever refused
        detail = issue(str(detail))
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)

