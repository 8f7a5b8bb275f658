"""The server's evidence routes: benches deliver their clips' index rows and upload the clips.

A module-level router of thin translations over :class:`app.evidence.intake.ClipIntake` (the
server's context hands it in: :mod:`app.server.deps`). The bench is the station of the token (never a
field of the body); a clip is named by the bench's own key (32 hex digits, from its journal).

- ``PUT  /api/v1/clips/{key}``: the clip's index row (idempotent; an older state never wins); 403 for
  an order the bench did not open or a waybill not the order's. The bench's ``path`` is kept as its
  name for the clip, never a file the server reads.
- ``GET  /api/v1/clips/{key}/upload``: ``{"offset", "uploaded", "path"}``: the bytes the server has.
- ``PUT  /api/v1/clips/{key}/upload?offset=N``: the next chunk (409 with the server's offset otherwise;
  507 when the clip would take the disk below its reserve or the bench past its upload quota).
- ``POST /api/v1/clips/{key}/upload/done``: the bench's SHA-256; the server hashes the whole file:
  ``{"path", "sha256"}`` once it is in the store, 422 (partial discarded) when it does not match.
- ``DELETE /api/v1/clips/{key}/upload``: forget a partial upload (the bench starts again from 0).
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as UrlPart
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.evidence.store import ChecksumMismatch, NoRoom, NoSuchClip, NotReady, NotTheBenchs, OffsetMismatch
from app.server.deps import Ctx, Station
from app.server.problems import OffsetProblem, answers

API = "/api/v1"
KEY = r"^[0-9a-f]{32}$"
MAX_CHUNK = 16 * 1024 * 1024
# The gate's body limits (app/server/gate.py): a chunk, and a clip's row with up to 100,000 marks.
EVIDENCE_LIMITS = {("PUT", f"{API}/clips/{{key}}/upload"): MAX_CHUNK, ("PUT", f"{API}/clips/{{key}}"): MAX_CHUNK}
CHUNK_BODY = {"requestBody": {"required": True, "content": {"application/octet-stream": {
    "schema": {"type": "string", "format": "binary"}}}}}


class ClipRow(BaseModel):
    order_no: str = Field(min_length=1, max_length=64)
    packer: str = Field(default="", max_length=80)
    path: str = Field(min_length=1, max_length=1000, description="the clip's path at the bench")
    started_at: datetime
    ended_at: datetime | None = None
    fps: int = Field(ge=1, le=120)
    width: int = Field(ge=0, le=10000)
    height: int = Field(ge=0, le=10000)
    frames: int = Field(default=0, ge=0, le=2**31 - 1)  # what the columns hold: more is 422, not a 500
    bytes: int = Field(default=0, ge=0, le=2**63 - 1)
    sha256: str = Field(default="", pattern=r"^([0-9a-f]{64})?$")
    marks: list[dict[str, Any]] = Field(default_factory=list, max_length=100_000)
    state: Literal["recording", "complete", "interrupted"]
    end_reason: str = Field(default="", max_length=40)
    waybills: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(default_factory=list, max_length=100)
    kind: Literal["packing", "return"] = "packing"  # a return: a parcel opened at the returns bench


class Checksum(BaseModel):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


router = APIRouter(prefix=f"{API}/clips", tags=["evidence"])
Key = Annotated[str, UrlPart(pattern=KEY)]


@router.put("/{key}", responses=answers(400, 401, 403, 413, 422))
def deliver(key: Key, body: ClipRow, st: Station, ctx: Ctx) -> dict[str, Any]:
    try:
        return ctx.clips.deliver(st[1], key, body.model_dump())
    except NotTheBenchs as exc:
        raise HTTPException(403, exc.message) from None


@router.get("/{key}/upload", responses=answers(401, 404, 422))
def offset(key: Key, st: Station, ctx: Ctx) -> dict[str, Any]:
    try:
        return ctx.clips.offset(st[1], key)
    except NoSuchClip as exc:
        raise HTTPException(404, exc.message) from None


@router.put("/{key}/upload", openapi_extra=CHUNK_BODY,
            responses={**answers(401, 404, 413, 422, 507), 409: {"model": OffsetProblem, "description":
                       "not at the server's offset (it is in the body), or the clip is not ready"}})
async def chunk(key: Key, st: Station, request: Request,
                at: Annotated[int, Query(alias="offset", ge=0, le=2**63 - 1)], ctx: Ctx) -> Any:
    if int(request.headers.get("content-length") or 0) > MAX_CHUNK:  # refused before it is read
        raise HTTPException(413, f"A chunk is at most {MAX_CHUNK} bytes")
    data = await request.body()
    if len(data) > MAX_CHUNK:
        raise HTTPException(413, f"A chunk is at most {MAX_CHUNK} bytes")
    try:
        return {"offset": await run_in_threadpool(ctx.clips.append, st[1], key, at, data)}
    except NoSuchClip as exc:
        raise HTTPException(404, exc.message) from None
    except NotReady as exc:
        raise HTTPException(409, exc.message) from None
    except NoRoom as exc:
        raise HTTPException(507, exc.message) from None
    except OffsetMismatch as exc:
        return JSONResponse({"detail": exc.message, "offset": exc.offset}, status_code=409)


@router.delete("/{key}/upload", responses=answers(401, 422))
def discard(key: Key, st: Station, ctx: Ctx) -> dict[str, bool]:
    ctx.clips.discard(st[1], key)
    return {"ok": True}


@router.post("/{key}/upload/done", responses=answers(400, 401, 404, 409, 413, 422))
def done(key: Key, body: Checksum, st: Station, ctx: Ctx) -> dict[str, str]:
    try:
        path = ctx.clips.verify(st[1], key, body.sha256)
    except NoSuchClip as exc:
        raise HTTPException(404, exc.message) from None
    except NotReady as exc:
        raise HTTPException(409, exc.message) from None
    except ChecksumMismatch as exc:
        raise HTTPException(422, exc.message) from None
    return {"path": path, "sha256": body.sha256}
