"""The supervisor's shop-platform tiles and failed-job list, with the platform's own message and a
retry that runs on the worker."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from sqlalchemy import select, update

from app.models.schema import Order, PlatformJob


def test_platform_tiles_turn_red_after_the_grace_time_and_a_failed_job_can_be_retried(qtbot, logged_in, demo_services):
    d = logged_in.dashboard
    with demo_services.read_uow() as uow:
        packed = uow.session.scalar(select(Order.id).where(Order.state.in_(("packed", "handed_over"))).limit(1))
        jobs = uow.session.scalars(select(PlatformJob.id).order_by(PlatformJob.id)).all()
    assert packed is not None and jobs  # the demo packs orders: their jobs wait for the platform
    assert int(d.tiles["not_on_platform"].value.text()) >= len(jobs) - 1
    assert not d.tiles["not_on_platform"].alarm and not d.tiles["platform_failed"].alarm  # within the grace time

    old = demo_services.clock.now - timedelta(hours=2)
    message = "the platform holds ZT75310000000001 for this order; PackGate linked SF1400000000000"
    with demo_services.uow() as uow:
        uow.session.execute(update(PlatformJob).where(PlatformJob.id == jobs[0])
                            .values(state="failed", error=message, created_at=old, attempts=1))
        uow.session.execute(update(Order).values(packed_at=old).where(Order.state.in_(("packed", "handed_over"))))
    d.refresh(force=True)  # a refresh already under way may answer first: wait for the figures
    qtbot.waitUntil(lambda: d.tiles["platform_failed"].value.text() == "1", timeout=10_000)
    assert d.tiles["platform_failed"].alarm
    assert d.tiles["not_on_platform"].alarm
    assert d.platform_jobs.rowCount() == 1 and d.platform_jobs.item(0, 6).text() == message

    d.platform_jobs.selectRow(0)
    qtbot.mouseClick(d.platform_retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.tiles["platform_failed"].value.text() == "0" and d.platform_jobs.rowCount() == 0,
                    timeout=10_000)
    with demo_services.read_uow() as uow:
        assert uow.session.scalar(select(PlatformJob.state).where(PlatformJob.id == jobs[0])) == "pending"
