"""The PackGate server: :func:`create_app` composes it, and the bench's routes live here as a
module-level router of thin translations over :class:`app.server.bench.ServerBench`, the same
workflow the embedded bench runs in-process (one service, two doors). Pydantic models live here, at
the edge; the Outcome travels as the domain's own plain data (:mod:`app.packing.wire`). A route gets
what it uses through FastAPI dependencies (:mod:`app.server.deps`): the app's context, the station.
The evidence routes are :mod:`app.server.evidence_api`, the supervisor desk's :mod:`app.server.desk_api`.

Every route but ``/api/v1/enrol`` and ``/api/v1/health`` needs the station's token
(``Authorization: Bearer ...``): 401 without it or once revoked, checked by the gate
(:mod:`app.server.gate`) before a byte of the body is read; bodies have a limit per route (413).
The long poll ``/api/v1/wait`` holds no worker thread (:mod:`app.server.waits`) and a station has
at most a few open (429). Error bodies have one shape each (:mod:`app.server.problems`). Scans are
idempotent by the bench's scan id: the reply is stored in the scan's own transaction, and a retry
gets it back.
"""


from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from app.errors import DatabaseUnavailable, KnownError
from app.packing.ports import Services
from app.server import desk_api, evidence_api, ewaybill_api, floor, share_page, stations
from app.server.bench import TokenRefused
from app.server.deps import NO_TOKEN, REVOKED, Ctx, ServerContext, Station, station_token
from app.server.desk_api import DESK_LIMITS, RowId
from app.server.evidence_api import EVIDENCE_LIMITS
from app.server.gate import Gate
from app.server.page_headers import PageHeaders
from app.server.problems import answers, install
from app.server.sessions import SessionSigner
from app.server.waits import unless_gone

API = "/api/v1"
Token = Annotated[str, Depends(station_token)]


class EnrolRequest(BaseModel):
    station: str = Field(min_length=1, max_length=64)
    code: str = Field(min_length=1, max_length=64)


class EnrolReply(BaseModel):
    station: str
    token: str


class ScanRequest(BaseModel):
    scan_id: str = Field(min_length=8, max_length=64, description="the bench's id of this scan; a retry repeats it")
    raw: str = Field(max_length=4096, description="exactly what the scanner typed")
    session: str | None = Field(default=None, description="the session blob of the previous reply")
    printer: str | None = Field(default=None, max_length=500,
                                description="the printer this bench prints its labels on (named in the audit trail)")


class SessionRequest(BaseModel):
    session: str | None = None


class WaitRequest(BaseModel):
    session: str | None = None
    timeout_s: float = Field(default=25, ge=0, le=60)


class LabelFailedRequest(BaseModel):
    session: str | None = None
    order_id: RowId
    seq: int = Field(ge=1, le=999)
    reprint: bool = False
    error: str = Field(max_length=500)


class PrintedRequest(BaseModel):
    session: str | None = None
    manifest_id: RowId
    ok: bool
    detail: str = Field(default="", max_length=500)
    printer: str | None = Field(default=None, max_length=500, description="the bench's printer that printed it")


class Changed(BaseModel):
    changed: bool


class Done(BaseModel):
    ok: bool


class BenchReply(BaseModel):
    outcome: dict[str, Any] | None = None
    view: dict[str, Any] | None = None
    session: str


router = APIRouter()


def _json(text: str) -> Response:
    return Response(text.encode(), media_type="application/json")


@router.get(f"{API}/health")
def health() -> dict[str, Any]:
    return {"ok": True, "server": "packgate"}


@router.post(f"{API}/enrol", response_model=EnrolReply, responses=answers(400, 403, 413, 422))
def enrol(body: EnrolRequest, ctx: Ctx) -> EnrolReply:
    try:
        token = stations.enrol(ctx.services, body.station, body.code)
    except KnownError as exc:
        raise HTTPException(403, exc.message) from None
    return EnrolReply(station=body.station.strip(), token=token)


@router.post(f"{API}/scan", response_model=BenchReply, responses=answers(400, 401, 413, 422, 503))
def scan(body: ScanRequest, token: Token, ctx: Ctx) -> Response:
    # The token checked again in the scan's own transaction; the reply kept for a retry of its scan id.
    try:
        return _json(ctx.bench.scan(token, body.scan_id, body.raw, body.session, body.printer))
    except TokenRefused:  # revoked before the scan began
        raise HTTPException(401, REVOKED) from None
    except DatabaseUnavailable:  # nothing was saved: the bench says so and keeps its view
        raise HTTPException(503, "The server's database is unreachable: nothing was saved") from None


@router.post(f"{API}/view", response_model=BenchReply, responses=answers(400, 401, 413, 422))
def view(body: SessionRequest, st: Station, ctx: Ctx) -> BenchReply:
    return BenchReply(**ctx.bench.view(st, body.session))


@router.post(f"{API}/watch", response_model=BenchReply, responses=answers(400, 401, 413, 422))
def watch(body: SessionRequest, st: Station, ctx: Ctx) -> BenchReply:
    """What changed behind the bench's back (a take-back, an unlink): a notice, or no outcome."""
    return BenchReply(**ctx.bench.watch(st, body.session))


@router.post(f"{API}/wait", response_model=Changed, responses=answers(400, 401, 413, 422, 429))
async def wait(body: WaitRequest, st: Station, request: Request, ctx: Ctx) -> Changed:
    """Long poll: answers as soon as something changed behind the bench's back (then the bench
    calls /watch), or after ``timeout_s`` with ``changed: false``. It waits in the event loop,
    woken by the shared change feed; a station holds at most a few open (429)."""
    flow = await run_in_threadpool(ctx.bench.workflow, st, body.session)  # its session check reads the database
    with ctx.cap.hold(st):
        return Changed(changed=await unless_gone(request.receive, ctx.bench.until_changed(flow, body.timeout_s), False))


@router.post(f"{API}/label-failed", response_model=BenchReply, responses=answers(400, 401, 404, 413, 422))
def label_failed(body: LabelFailedRequest, st: Station, ctx: Ctx) -> BenchReply:
    try:
        return BenchReply(**ctx.bench.label_failed(st, body.session, body.order_id, body.seq, body.reprint, body.error))
    except LookupError:
        raise HTTPException(404, f"No order {body.order_id}") from None


@router.post(f"{API}/printed", response_model=Done, responses=answers(400, 401, 404, 413, 422))
def printed(body: PrintedRequest, st: Station, ctx: Ctx) -> Done:
    """Audit a manifest this bench printed (one of its own: another station's is 404)."""
    try:
        ctx.bench.manifest_printed(st, body.session, body.printer, body.manifest_id, body.ok, body.detail)
    except LookupError:
        raise HTTPException(404, f"No manifest {body.manifest_id} of this bench") from None
    return Done(ok=True)


def create_app(services: Services, signer: SessionSigner, evidence_dir: Path | None = None) -> FastAPI:
    """The server: its context (services, signer, change feed, clip folders) on ``app.state``, the
    bench's, the evidence and the desk's routers, the error shapes and the gate in front."""
    app = FastAPI(title="PackGate server", version="1",
                  description="Benches scan through this server; it alone holds the database credentials.")
    ctx = app.state.context = ServerContext.build(services, signer, evidence_dir)
    ctx.bench.forget_old_replies()
    # clips from the benches (issue 12), the desk, e-waybills taken for the benches (issue 21)
    for part in (router, evidence_api.router, desk_api.router, ewaybill_api.router):
        app.include_router(part)
    for part in (floor.router, share_page.router):  # the floor in a browser and its share links (issue 24)
        app.include_router(part)
    install(app)
    app.add_middleware(Gate, routes=lambda: {path: set(item) for path, item in app.openapi()["paths"].items()},
                       limits={**EVIDENCE_LIMITS, **DESK_LIMITS}, open_paths=frozenset({f"{API}/health", f"{API}/enrol"}),
                       station_for_token=ctx.station_for_token, no_token=NO_TOKEN, revoked=REVOKED,
                       rechecked=frozenset({("POST", f"{API}/scan")}))  # its transaction checks the token again
    app.add_middleware(PageHeaders)  # the page's CSP and friends (issue 24)
    _declare_security(app)
    return app


def _declare_security(app: FastAPI) -> None:
    """The document names both credentials: the station token on every call that checks it (a
    route's own dependency says so), the desk session on the desk's calls after login."""
    make = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = make()
            for path, item in schema.get("paths", {}).items():
                for op in item.values():
                    if not isinstance(op, dict) or not path.startswith(API) or path in (f"{API}/health", f"{API}/enrol"):
                        continue
                    both: dict[str, list] = {"stationToken": []}  # the gate asks every call here for it
                    for requirement in op.get("security", []):
                        both.update(requirement)  # FastAPI lists them as alternatives; all are needed
                    op["security"] = [both]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
