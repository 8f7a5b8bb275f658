"""The pickup watch in the supervisor view: the tiles turn red when not zero, the list names each
parcel's manifest, courier and last trace line (an exception in the carrier's words), the manifest
reads "picked up 1 of 2" and the per-courier table counts and times the pickups."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.models.schema import Manifest, ManifestItem, ParcelTracking


def test_pickup_tiles_list_and_manifest(qtbot, logged_in, demo_services):
    d = logged_in.dashboard
    assert d.tiles["not_picked_up"].value.text() == "0" and not d.tiles["not_picked_up"].alarm
    now = demo_services.clock.now
    with demo_services.uow() as uow:
        s = uow.session
        manifest_id, number = s.execute(select(Manifest.id, Manifest.manifest_no)
                                        .where(Manifest.closed_at.is_not(None))).first()
        first, second = s.scalars(select(ManifestItem.parcel_id).where(ManifestItem.manifest_id == manifest_id)
                                  .order_by(ManifestItem.id)).all()[:2]
        enrolled = set(s.scalars(select(ParcelTracking.parcel_id)))
        for pid in (first, second):  # the demo's history may predate the watch: enrol as the handover does
            if pid not in enrolled:
                s.add(ParcelTracking(parcel_id=pid, order_id=s.scalar(select(ManifestItem.order_id)
                                                                      .where(ManifestItem.parcel_id == pid)),
                                     handed_over_at=now, next_check_at=None))
        s.flush()
        handed = now - timedelta(hours=30)
        s.execute(update(ParcelTracking).where(ParcelTracking.parcel_id == first)
                  .values(handed_over_at=handed, picked_up_at=handed + timedelta(minutes=45), picked_up_by="trace",
                          next_check_at=None, trace_action="GOT", trace_time=handed + timedelta(minutes=45),
                          trace_desc="快递员已揽收"))
        s.execute(update(ParcelTracking).where(ParcelTracking.parcel_id == second)
                  .values(handed_over_at=handed, next_check_at=now + timedelta(hours=1), trace_action="FAIL",
                          trace_time=handed + timedelta(hours=2), trace_desc="揽收失败：联系不上寄件人",
                          exception_action="FAIL", exception_time=handed + timedelta(hours=2),
                          exception_desc="揽收失败：联系不上寄件人"))
    with qtbot.waitSignal(d.refreshed, timeout=10_000):  # the per-courier table counts the period's handovers
        d.set_period("range", (now - timedelta(days=3)).date(), now.date())
    d.refresh(force=True)
    qtbot.waitUntil(lambda: d.tiles["not_picked_up"].value.text() == "1" and d.pickup_tab.couriers.rowCount() > 0,
                    timeout=10_000)
    for key in ("not_picked_up", "pickup_overdue", "trace_exceptions"):
        assert d.tiles[key].alarm, key
    tab = d.pickup_tab
    assert tab.waiting.rowCount() == 1
    row = [tab.waiting.item(0, c).text() for c in range(tab.waiting.columnCount())]
    assert row[3] == number and row[2] == "ZTO" and "FAIL 揽收失败：联系不上寄件人" in row[6]
    assert tab.exceptions.rowCount() == 1 and tab.exceptions.item(0, 6).text() == "揽收失败：联系不上寄件人"
    manifests = {tab.manifests.item(r, 0).text(): tab.manifests.item(r, 3).text() for r in range(tab.manifests.rowCount())}
    assert manifests[number] == "picked up 1 of 2"
    couriers = {tab.couriers.item(r, 0).text(): [tab.couriers.item(r, c).text() for c in range(1, 4)]
                for r in range(tab.couriers.rowCount())}
    assert couriers["ZTO"][1] == "1" and couriers["ZTO"][2] == "45.0 min"
