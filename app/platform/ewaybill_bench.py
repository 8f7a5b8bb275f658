"""The bench's way to the platform's e-waybills (:class:`~app.packing.ewaybills.EwaybillTaker`): read
the parcel's request, ask ``pdd.waybill.get`` with no transaction open, store the number and print
data in a short one of its own.

A parcel never gets a second number: a number already stored is given back without asking; the
platform gives the same number for the same order and package again (so a crash between its answer
and the store costs nothing either); a row no longer waiting (cancelled meanwhile) is never filled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.config import Settings
from app.models.schema import Ewaybill, Order, Parcel, Shop
from app.models.uow import UnitOfWork
from app.packing import ewaybills
from app.packing.ewaybill_port import TakeAnswer
from app.platform import ewaybill_sources
from app.platform.ewaybill import PddWaybills, WaybillAsk, wp_code
from app.platform.pdd import PddClient


class PlatformEwaybills:
    """One per bench (or server): a PDD client per shop, built from the shop's credentials."""

    def __init__(self, uow: Callable[[], UnitOfWork], read_uow: Callable[[], UnitOfWork], settings: Settings,
                 clock: Callable[[], datetime], *, waybills: Callable[[dict[str, Any]], PddWaybills] | None = None) -> None:
        self._uow, self._read_uow, self._settings, self._clock = uow, read_uow, settings, clock
        self._make = waybills or (lambda options: PddWaybills(PddClient.from_options(options)))
        self._clients: dict[str, PddWaybills] = {}
        self._lock = threading.Lock()

    def _client(self, options: dict[str, Any]) -> PddWaybills:
        import json

        key = json.dumps(options, sort_keys=True)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._make(options)
            return self._clients[key]

    def take(self, order_id: int, seq: int) -> TakeAnswer:
        import json

        with self._read_uow() as uow:
            s = uow.session
            row = ewaybills.live(s, order_id, seq)
            if row is None:
                return TakeAnswer(False, message="no e-waybill was asked for this parcel (cancelled?): scan CMD:REPRINT",
                                  kind="refused")
            if row.waybill_code:
                return TakeAnswer(True, row.waybill_code, row.print_data)
            order = s.execute(select(Order.order_no, Order.shop_id, Order.carrier_code).where(Order.id == order_id)).one()
            shop = s.get(Shop, order.shop_id) if order.shop_id is not None else None
            source = ewaybill_sources.source_for(s, order.shop_id, order.carrier_code)
            weight = s.scalar(select(Parcel.weight_g).where(Parcel.order_id == order_id, Parcel.seq == seq))
            doc = ewaybills.document(s, order_id, seq)
            options = json.loads(shop.options or "{}") if shop is not None else {}
        if shop is None or source is None or source.source != "pdd" or not source.address:
            return TakeAnswer(False, message=f"order {order.order_no}'s carrier takes no e-waybills for its shop "
                                             f"(`packgate ewaybill use`)", kind="refused")
        waybills = self._client(options)
        template = source.template_url
        now = self._clock()
        if source.template_stale(now):  # the carrier's standard template, refreshed daily
            verdict, templates = waybills.templates(wp_code(source.carrier_code))
            template = templates.get(wp_code(source.carrier_code)) or template
            if verdict.kind == "ok" and template:
                with self._uow() as uow:
                    ewaybill_sources.refresh_template(uow.session, source.shop_id, source.carrier_code, template, now)
        ask = WaybillAsk(wp_code(source.carrier_code), self._settings.sender_name or shop.name,
                         self._settings.sender_phone, dict(source.address), f"{order_id}-{seq}", order.order_no,
                         str(seq), doc.items if doc is not None else (), weight, template,
                         str(options.get("user_id") or options.get("mall_id") or ""))
        result = waybills.take(ask)  # no transaction is open here
        if result.taken is None:
            return TakeAnswer(False, message=result.message, kind=result.kind)
        with self._uow() as uow:
            stored = ewaybills.store_taken(uow.session, order_id, seq, result.taken.waybill_code,
                                           result.taken.print_data, self._clock())
            if not stored:
                again = uow.session.execute(select(Ewaybill.waybill_code, Ewaybill.print_data, Ewaybill.state)
                                            .where(Ewaybill.order_id == order_id, Ewaybill.parcel_seq == seq,
                                                   Ewaybill.waybill_code.is_not(None), ewaybills.LIVE)).first()
        if stored:
            return TakeAnswer(True, result.taken.waybill_code, result.taken.print_data)
        if again is not None:
            return TakeAnswer(True, again.waybill_code, again.print_data)
        return TakeAnswer(False, message="the parcel's e-waybill was cancelled meanwhile: scan CMD:REPRINT",
                          kind="refused")


def for_services(services: Any) -> PlatformEwaybills:
    """The embedded bench's e-waybill taker, on the bench's own services."""
    return PlatformEwaybills(services.uow, services.read_uow, services.settings, services.clock)
