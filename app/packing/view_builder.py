"""What a bench shows, built from the database: after a scan (in its unit of work), at a refresh of
the view, at a notice of what changed, and after a print report.

The plain data comes from :mod:`app.packing.views`; this adds what the site's settings and the
bench's other modes say: the tolerance, whether video is required, the open return, how far the
platform got with the order just packed, and the idle screen's count of orders due soon. Also the
step an open order stands at, and a manifest's data for the printer, read the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlalchemy.orm import Session

from app.packing import repository as repo
from app.packing import returns_repo, site, views
from app.packing.model import BenchState, OrderSnap
from app.packing.outcome import BenchView, Step
from app.packing.ports import Services
from app.packing.ship_by import due_soon_count


class ViewBuilder:
    """Builds the views of one bench (station) with the site's settings as the bench last read them."""

    def __init__(self, station_name: str, services: Services, settings: Callable[[], site.SiteSettings]) -> None:
        self.station_name = station_name
        self.services = services
        self._settings = settings

    @property
    def _site(self) -> site.SiteSettings:
        return self._settings()

    @property
    def _tolerance(self):
        return self._site.tolerance_g()

    def build(self, s: Session, st: BenchState, order: OrderSnap | None, *, platform: bool = False) -> BenchView:
        """The view of ``st`` (``order``: its open order as the scan left it, if known); ``platform``:
        a refresh, not a scan (it reads how far the platform got, and the orders due soon)."""
        if st.order_id is not None and (order is None or order.id != st.order_id):
            order = repo.load_order(s, st.order_id)
        manifest = views.manifest_view(s, st.manifest_id, self.services.catalogue) if st.manifest_id is not None else None
        view = views.bench_view(self.station_name, st, order, manifest, self.services.catalogue, self._tolerance)
        view = replace(view, require_video=self._site.require_video)
        if st.returns and st.return_id is not None:  # the returns bench: the open return as it stands
            snap = returns_repo.load(s, st.return_id)
            if snap is not None:
                view = replace(view, return_view=returns_repo.return_view(s, snap, st.damaged_next))
        if st.completed_order is not None:
            # The scan that packed it just wrote its job (pending); a refresh of the view (not the
            # scan path) reads how far the platform got.
            known = repo.platform_state(s, st.completed_order) if platform else (
                "pending" if self._site.platform_trigger == "packed" else None)
            view = replace(view, completed_platform=known)
        if platform and view.idle:  # a refresh, not a scan: the idle screen's count of orders due soon
            hours = int(self.services.settings.due_soon_hours)
            view = replace(view, due_soon=due_soon_count(s, self.services.clock(), hours), due_soon_hours=hours)
        return view

    def with_order(self, st: BenchState, order: OrderSnap | None, shown: BenchView) -> BenchView:
        """The view of ``st`` with ``order`` as it stands now, and the manifest as ``shown`` had it (no query)."""
        return views.bench_view(self.station_name, st, order, shown.manifest, self.services.catalogue, self._tolerance)


def derive_order_step(s: Session, order_id: int) -> Step:
    """Where an open order stands, from what the database holds (crash-safe)."""
    return repo.order_step(s, order_id)


def manifest_data(s: Session, manifest_id: int, services: Services):
    """Plain data of a manifest for the printing layer (`packgate manifests print`)."""
    return views.manifest_data(s, manifest_id, services.catalogue)
