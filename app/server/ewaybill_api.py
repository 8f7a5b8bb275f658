"""E-waybills behind the server: the server takes the parcel's number from the platform (after the
weight scan's commit, in no transaction), the bench prints it through its own print component and
reports back. Thin routes over :class:`app.platform.ewaybill_bench.PlatformEwaybills` and the
station's workflow (``ewaybill_printed`` / ``ewaybill_failed``), only for the order this bench holds.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import select

from app.models.schema import Order
from app.platform.ewaybill_bench import PlatformEwaybills, for_services
from app.server.deps import Ctx, ServerContext, Station
from app.server.desk_api import RowId
from app.server.problems import answers

API = "/api/v1/ewaybill"
router = APIRouter()
_takers: dict[int, PlatformEwaybills] = {}  # one per server context (its PDD clients kept alive)


class TakeRequest(BaseModel):
    session: str | None = None
    order_id: RowId
    seq: int = Field(ge=1, le=999)


class TakeReply(BaseModel):
    ok: bool
    waybill_code: str = ""
    print_data: str = ""
    message: str = ""
    kind: str = "ok"


class PrintedRequest(TakeRequest):
    waybill_code: str = Field(min_length=1, max_length=64)
    detail: str = Field(default="", max_length=500)


class FailedRequest(TakeRequest):
    error: str = Field(max_length=2000)
    refused: bool = True


class EwaybillReply(BaseModel):
    outcome: dict[str, Any] | None = None
    view: dict[str, Any] | None = None
    session: str


def _held(ctx: ServerContext, st: tuple[int, str], order_id: int) -> None:
    """Only the order this bench is packing (404 otherwise)."""
    with ctx.services.read_uow() as uow:
        held = uow.session.scalar(select(Order.id).where(Order.id == order_id, Order.station_id == st[0],
                                                         Order.state == "packing"))
    if held is None:
        raise HTTPException(404, f"No order {order_id} being packed at this bench")


@router.post(f"{API}/take", response_model=TakeReply, responses=answers(400, 401, 404, 413, 422))
def take(body: TakeRequest, st: Station, ctx: Ctx) -> TakeReply:
    """The parcel's number (taken now, or the one stored): the platform's refusal in its words."""
    ctx.bench.workflow(st, body.session)  # the session must be live
    _held(ctx, st, body.order_id)
    taker = _takers.get(id(ctx))
    if taker is None:
        taker = _takers[id(ctx)] = for_services(ctx.services)
    answer = taker.take(body.order_id, body.seq)
    return TakeReply(ok=answer.ok, waybill_code=answer.waybill_code, print_data=answer.print_data,
                     message=answer.message, kind=answer.kind)


@router.post(f"{API}/printed", response_model=EwaybillReply, responses=answers(400, 401, 404, 413, 422))
def printed(body: PrintedRequest, st: Station, ctx: Ctx) -> EwaybillReply:
    flow = ctx.bench.workflow(st, body.session)
    _held(ctx, st, body.order_id)
    outcome = flow.ewaybill_printed(body.order_id, body.seq, body.waybill_code, body.detail)
    return EwaybillReply(**ctx.bench.reply(st, flow.state, outcome))


@router.post(f"{API}/failed", response_model=EwaybillReply, responses=answers(400, 401, 404, 413, 422))
def failed(body: FailedRequest, st: Station, ctx: Ctx) -> EwaybillReply:
    flow = ctx.bench.workflow(st, body.session)
    _held(ctx, st, body.order_id)
    outcome = flow.ewaybill_failed(body.order_id, body.seq, body.error, refused=body.refused)
    return EwaybillReply(**ctx.bench.reply(st, flow.state, outcome))
