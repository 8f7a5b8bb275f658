"""The outbox's database side: lease due jobs, record what the platform answered, and the figures.

The lease is one conditional UPDATE (``... WHERE id IN (...) AND (lease_until IS NULL OR
lease_until < now)``) that works on SQLite and PostgreSQL alike; on PostgreSQL the candidates are
picked ``FOR UPDATE SKIP LOCKED`` so two senders do not even wait for each other. A sender killed
mid-batch leaves its leases to expire; the next sender finishes those jobs (at least once), and
the platform's answer ("already shipped", read back) makes the repeat harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from app.models.schema import ORDER_STATES, JobState, NotOnPlatformHourly, Order, OrderState, PlatformJob
from app.platform.config import masked_urls

DUE_STATES = (JobState.PENDING.value, JobState.SENT.value)
# Orders the platform hears of; every other state but cancelled is an open queue.
SHIPPED = (OrderState.PACKED.value, OrderState.HANDED_OVER.value)
UNSHIPPED = tuple(st for st in ORDER_STATES if st not in SHIPPED and st != OrderState.CANCELLED.value)
OPEN_STATES = (JobState.PENDING.value, JobState.SENT.value, JobState.EXPORTED.value, JobState.FAILED.value)


@dataclass(frozen=True)
class Job:
    """A leased job as plain data (the channels never see an ORM object)."""

    id: int
    order_id: int
    order_no: str
    kind: str
    parcel_seq: int
    carrier_code: str
    tracking_number: str
    attempts: int
    shop_id: int | None = None  # the order's shop (None: imported from a file, the site's channel)


@dataclass(frozen=True)
class Result:
    """What became of one job: ``confirmed``, ``retry`` (went out or not: ``sent``), ``failed``,
    ``stop`` (the channel stops; the job waits untouched) or ``exported`` (into ``export_file``)."""

    job_id: int
    kind: str
    message: str = ""
    platform_number: str | None = None
    logistics_id: int | None = None
    went_out: bool = True
    export_file: str | None = None
    retry_after_s: float = 0.0


def _free(now: datetime):
    return or_(PlatformJob.lease_until.is_(None), PlatformJob.lease_until < now)


def _due(now: datetime, extras_wait: bool = True):
    due = and_(PlatformJob.state.in_(DUE_STATES), PlatformJob.next_attempt_at <= now, _free(now))
    if not extras_wait:
        return due
    ship = aliased(PlatformJob)
    parcel_one_confirmed = exists().where(ship.order_id == PlatformJob.order_id, ship.kind == "ship",
                                          ship.state == JobState.CONFIRMED.value)
    return and_(due, or_(PlatformJob.kind != "extra", parcel_one_confirmed))  # extra parcels after parcel 1


def for_shops(site: bool, shop_ids: Sequence[int]):
    """The jobs whose order belongs to one of ``shop_ids`` (and, with ``site``, to no shop: the
    site's channel): a stopped or disabled shop's jobs wait untouched."""
    shop = Order.shop_id.in_(list(shop_ids)) if shop_ids else None
    which = or_(Order.shop_id.is_(None), shop) if site and shop is not None else (
        Order.shop_id.is_(None) if site else shop)
    if which is None:
        return PlatformJob.id.is_(None)  # nothing
    return exists().where(Order.id == PlatformJob.order_id, which)


_JOB_SHOP = select(Order.shop_id).where(Order.id == PlatformJob.order_id).scalar_subquery()


def lease(s: Session, owner: str, now: datetime, seconds: float, limit: int, *, extras_wait: bool = True,
          scope=None) -> list[Job]:
    """Take up to ``limit`` due jobs for ``owner`` until ``now + seconds``; the caller commits.
    ``extras_wait``: a split order's extra parcels wait until the platform confirmed parcel 1.
    ``scope``: only these jobs (:func:`for_shops`); None: every due job."""
    due = _due(now, extras_wait) if scope is None else and_(_due(now, extras_wait), scope)
    candidates = select(PlatformJob.id).where(due).order_by(PlatformJob.id).limit(limit)
    if s.bind.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True, of=PlatformJob)
    ids = list(s.scalars(candidates))
    if not ids:
        return []
    until = now + timedelta(seconds=seconds)
    s.execute(update(PlatformJob).where(PlatformJob.id.in_(ids), PlatformJob.state.in_(DUE_STATES), _free(now))
              .values(lease_owner=owner, lease_until=until).execution_options(synchronize_session=False))
    rows = s.execute(select(PlatformJob.id, PlatformJob.order_id, PlatformJob.order_no, PlatformJob.kind,
                            PlatformJob.parcel_seq, PlatformJob.carrier_code, PlatformJob.tracking_number,
                            PlatformJob.attempts, _JOB_SHOP)
                     .where(PlatformJob.id.in_(ids), PlatformJob.lease_owner == owner, PlatformJob.lease_until == until)
                     .order_by(PlatformJob.id)).all()
    return [Job(*r) for r in rows]


_CONFIRM = (update(PlatformJob)
            .where(PlatformJob.id == bindparam("c_id"), PlatformJob.lease_owner == bindparam("c_owner"))
            .values(state=JobState.CONFIRMED.value, confirmed_at=bindparam("c_now"), error="",
                    attempts=PlatformJob.attempts + 1, sent_at=func.coalesce(PlatformJob.sent_at, bindparam("c_now")),
                    logistics_id=func.coalesce(bindparam("c_lid"), PlatformJob.logistics_id),
                    platform_number=func.coalesce(bindparam("c_number"), PlatformJob.platform_number),
                    lease_owner=None, lease_until=None))


def record(s: Session, owner: str, results: Sequence[Result], now: datetime, *, backoff) -> int:
    """Write each result, only where ``owner`` still holds the lease (a result of a lost lease is
    dropped: the job's new holder will ask the platform again). Returns how many were written."""
    written = 0
    confirmed = [r for r in results if r.kind == "confirmed"]
    if confirmed:  # the usual answer: one statement, many rows
        s.connection().execute(_CONFIRM, [{"c_id": r.job_id, "c_owner": owner, "c_now": now,
                                           "c_lid": r.logistics_id, "c_number": r.platform_number} for r in confirmed])
        written += len(confirmed)
    for r in results:
        if r.kind == "confirmed":
            continue
        mine = (PlatformJob.id == r.job_id, PlatformJob.lease_owner == owner)
        values: dict[str, Any] = {"lease_owner": None, "lease_until": None}
        error = masked_urls(r.message)  # a channel's words may quote a URL with its credentials
        if r.kind == "stop":
            values.update(error=error)
        else:
            values["attempts"] = PlatformJob.attempts + 1
            if r.went_out:
                values["sent_at"] = func.coalesce(PlatformJob.sent_at, now)
            if r.logistics_id is not None:
                values["logistics_id"] = r.logistics_id
            if r.platform_number is not None:
                values["platform_number"] = r.platform_number
            if r.kind == "confirmed":
                values.update(state=JobState.CONFIRMED.value, confirmed_at=now, error="")
            elif r.kind == "exported":
                values.update(state=JobState.EXPORTED.value, export_file=r.export_file, error="")
            elif r.kind == "failed":
                values.update(state=JobState.FAILED.value, error=error)
            else:  # retry
                attempts = s.scalar(select(PlatformJob.attempts).where(PlatformJob.id == r.job_id)) or 0
                wait = max(r.retry_after_s, backoff(attempts + 1))
                values.update(state=JobState.SENT.value if r.went_out else JobState.PENDING.value, error=error,
                              next_attempt_at=now + timedelta(seconds=wait))
        written += s.execute(update(PlatformJob).where(*mine).values(**values)
                             .execution_options(synchronize_session=False)).rowcount
    return written


def release(s: Session, owner: str) -> None:
    """Give back every lease of ``owner`` (a sender that stops cleanly)."""
    s.execute(update(PlatformJob).where(PlatformJob.lease_owner == owner)
              .values(lease_owner=None, lease_until=None).execution_options(synchronize_session=False))


def retry(s: Session, job_id: int, now: datetime) -> bool:
    """A supervisor's retry: a failed job is due again at once (attempts kept)."""
    return s.execute(update(PlatformJob).where(PlatformJob.id == job_id, PlatformJob.state == JobState.FAILED.value)
                     .values(state=JobState.PENDING.value, next_attempt_at=now)
                     .execution_options(synchronize_session=False)).rowcount == 1


def mark_uploaded(s: Session, file_name: str, now: datetime) -> int:
    """The supervisor uploaded this bulk-shipping file in the shop's back office: its jobs are confirmed."""
    return s.execute(update(PlatformJob).where(PlatformJob.export_file == file_name,
                                               PlatformJob.state == JobState.EXPORTED.value)
                     .values(state=JobState.CONFIRMED.value, confirmed_at=now)
                     .execution_options(synchronize_session=False)).rowcount


# ----------------------------------------------------------------------------------- figures


def counts(s: Session) -> dict[str, int]:
    rows = dict(s.execute(select(PlatformJob.state, func.count()).group_by(PlatformJob.state)).all())
    return {state.value: int(rows.get(state.value, 0)) for state in JobState}


def failed_jobs(s: Session, limit: int = 200) -> list[dict[str, Any]]:
    rows = s.execute(select(PlatformJob.id, PlatformJob.order_no, PlatformJob.kind, PlatformJob.parcel_seq,
                            PlatformJob.carrier_code, PlatformJob.tracking_number, PlatformJob.attempts,
                            PlatformJob.error, PlatformJob.platform_number, PlatformJob.created_at)
                     .where(PlatformJob.state == JobState.FAILED.value).order_by(PlatformJob.id).limit(limit)).all()
    return [{"job": r.id, "order_no": r.order_no, "kind": r.kind, "parcel": r.parcel_seq, "carrier": r.carrier_code,
             "tracking_number": r.tracking_number, "attempts": r.attempts, "error": masked_urls(r.error),
             "platform_number": r.platform_number,
             "created_at": r.created_at.astimezone().isoformat(timespec="seconds") if r.created_at else None}
            for r in rows]


def _shipped_confirmed():
    return exists().where(PlatformJob.order_id == Order.id, PlatformJob.kind == "ship",
                          PlatformJob.state == JobState.CONFIRMED.value)


def not_on_platform(s: Session, older_than: datetime | None = None) -> int:
    """Packed or handed-over orders whose first waybill the platform has not confirmed (packed
    before ``older_than``, if given)."""
    edge = _hour_floor(older_than) if older_than is not None else None
    return int(s.scalar(select(_not_on_platform(older_than, edge))) or 0)


def platform_failed(s: Session, older_than: datetime | None = None) -> int:
    return int(s.scalar(select(_platform_failed(older_than))) or 0)


def late_to_platform(s: Session, now: datetime, hours: int = 24) -> int:
    """The platform's shipping rule measured to its confirmation, not to the bench: orders created
    more than ``hours`` ago, not cancelled, whose first waybill the platform has not confirmed."""
    cutoff = now - timedelta(hours=hours)
    return int(s.scalar(select(_late_to_platform(cutoff, _hour_floor(cutoff)))) or 0)


def tile_counts(s: Session, now: datetime, grace: datetime, late_hours: int = 24) -> dict[str, int]:
    """The summary's platform tiles in one statement: not on the platform and failed (now and
    past ``grace``), late to the platform."""
    columns = tile_count_columns(now, grace, late_hours)
    row = s.execute(select(*columns.values())).one()
    return {name: int(n or 0) for name, n in zip(columns, row, strict=True)}


TILE_COUNTS = ("not_on_platform", "platform_failed", "not_on_platform_after_grace", "failed_after_grace",
               "late_to_platform")


def tile_count_columns(now: datetime, grace: datetime, late_hours: int = 24) -> dict[str, Any]:
    """``tile_counts``' figures as SQL scalars, by name: the summary reads them in its own statement
    of counts (one round trip for every count of the summary)."""
    return tile_count_columns_at(**tile_count_times(now, grace, late_hours))


def tile_count_times(now: datetime, grace: datetime, late_hours: int = 24) -> dict[str, datetime]:
    """The times ``tile_count_columns_at`` compares with, by name."""
    cutoff = now - timedelta(hours=late_hours)
    return {"grace": grace, "grace_edge": _hour_floor(grace), "late_cutoff": cutoff, "late_edge": _hour_floor(cutoff)}


def tile_count_columns_at(grace, grace_edge, late_cutoff, late_edge) -> dict[str, Any]:
    """The same from its times (datetimes, or bind parameters: the summary builds its statement once)."""
    return {"not_on_platform": _not_on_platform(None), "platform_failed": _platform_failed(None),
            "not_on_platform_after_grace": _not_on_platform(grace, grace_edge),
            "failed_after_grace": _platform_failed(grace), "late_to_platform": _late_to_platform(late_cutoff, late_edge)}


# The figures as SQL expressions (one scalar each), so the summary reads them in one round trip.
# The orders the platform has not confirmed come from the rollup the database keeps (migration
# 0013p): a total per bench less the few hours from the one a time falls in, plus that hour's part
# from orders; the open queues (ready, packing, on hold) from orders by state and creation time.


def _not_on_platform(older_than: datetime | None, edge: datetime | None = None):
    """``edge``: the hour ``older_than`` falls in."""
    if older_than is None:
        return _backlog("total")
    recent = (select(func.count()).select_from(Order)
              .where(Order.packed_at >= edge, Order.packed_at < older_than, Order.state.in_(SHIPPED),
                     ~_shipped_confirmed()))
    return _backlog("total") - _backlog("packed_at", edge) + recent.scalar_subquery()


def _platform_failed(older_than: datetime | None):
    q = select(func.count()).select_from(PlatformJob).where(PlatformJob.state == JobState.FAILED.value)
    if older_than is not None:
        q = q.where(PlatformJob.created_at < older_than)
    return q.scalar_subquery()


def _late_to_platform(cutoff: datetime, edge: datetime):
    """Late: created before ``cutoff``; ``edge``: the hour ``cutoff`` falls in."""
    created_before = (Order.created_at < cutoff, ~_shipped_confirmed())
    open_late = select(func.count()).select_from(Order).where(Order.state.in_(UNSHIPPED), *created_before)
    shipped_edge = (select(func.count()).select_from(Order)
                    .where(Order.state.in_(SHIPPED), Order.created_at >= edge, *created_before))
    return (open_late.scalar_subquery() + _backlog("total") - _backlog("created_at", edge)
            + shipped_edge.scalar_subquery())


def _backlog(hour_of: str, since: datetime | None = None):
    """Sum of not_on_platform_hourly's ``hour_of`` rows (from the hour ``since`` on, if given): the
    totals are one row per bench, the recent hours a few rows per bench."""
    r = NotOnPlatformHourly
    q = select(func.coalesce(func.sum(r.orders), 0)).where(r.hour_of == hour_of)
    if since is not None:
        q = q.where(r.hour_utc >= since)
    return q.scalar_subquery()


def _hour_floor(dt: datetime) -> datetime:
    return dt.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def order_platform_status(s: Session, order_id: int) -> dict[str, Any] | None:
    """``order --json``'s ``platform_status``: the order's jobs as one state (None: no job yet)."""
    rows = s.execute(select(PlatformJob.state, PlatformJob.attempts, PlatformJob.error, PlatformJob.confirmed_at)
                     .where(PlatformJob.order_id == order_id, PlatformJob.state != JobState.VOID.value)
                     .order_by(PlatformJob.id)).all()
    if not rows:
        return None
    states = {r.state for r in rows}
    for state in ("failed", "pending", "sent", "exported", "confirmed"):
        if state in states:
            break
    errors = [r.error for r in rows if r.state == state and r.error] or [r.error for r in rows if r.error]
    # masked again when shown: an error stored before URLs were masked may still quote one
    confirmed = [r.confirmed_at for r in rows if r.confirmed_at is not None]
    return {"state": state, "attempts": sum(r.attempts for r in rows), "error": masked_urls(errors[-1]) if errors else None,
            "confirmed_at": max(confirmed).astimezone().isoformat(timespec="seconds")
            if state == "confirmed" and confirmed else None}
