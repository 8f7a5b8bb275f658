"""What the server's routes are given: one :class:`ServerContext` per app, built once by
:func:`app.server.api.create_app` and kept on ``app.state``, and the FastAPI dependencies that hand
its parts to a route (the calling station, the bench and evidence services, the change feed).

Routes are module-level routers (:mod:`app.server.api`, :mod:`app.server.desk_api`,
:mod:`app.server.evidence_api`); they reach nothing else, so a test or a second app builds its own
context and nothing is shared between two apps in one process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from app.desk.local import LocalDesk
from app.evidence.intake import ClipIntake
from app.evidence.store import evidence_store
from app.packing.ports import Services
from app.server import stations
from app.server.bench import ServerBench
from app.server.sessions import SessionSigner
from app.server.waits import ChangeFeed, PollCap

REVOKED = "Unknown or revoked station token: enrol this bench again"
NO_TOKEN = "This bench has no station token: enrol it (packgate enrol)"
bearer = HTTPBearer(auto_error=False, scheme_name="stationToken",
                    description="The station's token from enrolment (`packgate enrol`)")


@dataclass(frozen=True)
class ServerContext:
    """Everything the routes use, built once per app: the services, the session signer, the bench
    and evidence services over them, the long polls' change feed and cap, and the folders the desk
    serves clips from (the evidence store, the server PC's evidence folder)."""

    services: Services
    signer: SessionSigner
    bench: ServerBench
    clips: ClipIntake
    feed: ChangeFeed
    cap: PollCap
    clip_roots: tuple[Path, ...]

    @classmethod
    def build(cls, services: Services, signer: SessionSigner, evidence_dir: Path | None = None) -> ServerContext:
        store = Path(evidence_dir or services.settings.evidence_path())
        feed = ChangeFeed(LocalDesk(services, None).version)  # one version read per tick for every long poll
        return cls(services=services, signer=signer, bench=ServerBench(services, signer, feed),
                   clips=ClipIntake(services, evidence_store(services.settings, store)), feed=feed, cap=PollCap(),
                   clip_roots=tuple(p.resolve() for p in (store, Path(services.settings.evidence_path()))))

    def station_for_token(self, token: str) -> tuple[int, str] | None:
        """The (id, name) of the enrolled, unrevoked station holding ``token`` (the gate asks first)."""
        with self.services.read_uow() as uow:
            return stations.station_for_token(uow.session, token)


# The dependencies are coroutines: they read no database, so they run in the event loop rather
# than each taking a worker thread's round trip on every scan.


async def context(request: Request) -> ServerContext:
    return request.app.state.context


Ctx = Annotated[ServerContext, Depends(context)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    token = credentials.credentials.strip() if credentials is not None else ""
    if not token:
        raise HTTPException(401, NO_TOKEN)
    return token


async def station_token(credentials: Credentials) -> str:
    """The station token the call carries (the gate refused a call without one already)."""
    return _token(credentials)


async def station(request: Request, credentials: Credentials) -> tuple[int, str]:
    """The calling station: the one the gate found for its token, else looked up here (401)."""
    found = request.scope.get("state", {}).get("station")  # the gate checked the token already
    if found is None:
        found = await run_in_threadpool(request.app.state.context.station_for_token, _token(credentials))
    if found is None:
        raise HTTPException(401, REVOKED)
    return found


Station = Annotated[tuple[int, str], Depends(station)]
