"""People and PINs: who may add or change a supervisor, disabled and locked users, growing lockouts,
supervisor PINs of six digits, and demo data kept out of a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.cli import main
from app.demo import DemoRefused, seed_demo
from app.models.schema import User
from app.packing.auth import NotAuthorized, authorize_supervisor
from app.security import LOCK_MINUTES, hash_pin


def cli(url, *args) -> int:
    return main(["--db", url, "users", *args])


def users_events(services) -> list:
    with services.read_uow() as uow:
        return uow.session.execute(text(
            "SELECT e.raw, e.message, u.badge AS by_badge FROM scan_events e LEFT JOIN users u ON u.id = e.user_id "
            "WHERE e.kind = 'users' ORDER BY e.id")).all()


def user(services, badge) -> User | None:
    with services.read_uow() as uow:
        found = uow.session.scalar(select(User).where(User.badge == badge))
        if found is not None:
            uow.session.expunge(found)
        return found


@pytest.fixture
def boss(sqlite_url, sqlite_services, monkeypatch):
    """The first user of an empty database: a supervisor, added without anyone's authority."""
    monkeypatch.setenv("PACKGATE_PIN", "918273")
    assert cli(sqlite_url, "add", "Boss", "--role", "supervisor", "--badge", "S-1", "--pin") == 0
    return sqlite_services


def test_first_supervisor_needs_no_authority_and_is_audited(boss):
    (event,) = users_events(boss)
    assert event.raw == "S-1" and event.by_badge is None and "added supervisor Boss (S-1) with a PIN" in event.message


def test_a_second_supervisor_needs_a_supervisor(boss, sqlite_url, monkeypatch, capsys):
    monkeypatch.setenv("PACKGATE_PIN", "564738")
    assert cli(sqlite_url, "add", "Eve", "--role", "supervisor", "--badge", "S-2", "--pin") == 2
    assert "needs a supervisor: add --by BADGE" in capsys.readouterr().err
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", "000000")
    assert cli(sqlite_url, "add", "Eve", "--role", "supervisor", "--badge", "S-2", "--pin", "--by", "S-1") == 2
    assert "Not authorised: Wrong PIN (4 tries left)" in capsys.readouterr().err
    assert user(boss, "S-2") is None and len(users_events(boss)) == 1
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", "918273")
    assert cli(sqlite_url, "add", "Eve", "--role", "supervisor", "--badge", "S-2", "--pin", "--by", "S-1") == 0
    event = users_events(boss)[-1]
    assert event.by_badge == "S-1" and event.message.startswith("Boss: added supervisor Eve (S-2)")


def test_supervisor_pins_have_six_digits(boss, sqlite_url, monkeypatch, capsys):
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", "918273")
    monkeypatch.setenv("PACKGATE_PIN", "12345")
    assert cli(sqlite_url, "add", "Eve", "--role", "supervisor", "--badge", "S-2", "--pin", "--by", "S-1") == 2
    assert "a supervisor's PIN is 6 to 12 digits" in capsys.readouterr().err
    assert cli(sqlite_url, "add", "Pat", "--role", "packer", "--badge", "P-1", "--pin") == 0  # packers: 4+
    with pytest.raises(ValueError):
        hash_pin("1234", "supervisor")


def test_disable_enable_set_pin_and_list(boss, sqlite_url, monkeypatch, capsys, clock):
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", "918273")
    monkeypatch.setenv("PACKGATE_PIN", "4321")
    assert cli(sqlite_url, "add", "Pat", "--role", "packer", "--badge", "P-1", "--pin") == 0
    assert cli(sqlite_url, "disable", "S-1", "--by", "S-1") == 2  # the last active supervisor
    assert "last active supervisor" in capsys.readouterr().err
    assert cli(sqlite_url, "disable", "P-1") == 0
    assert not user(boss, "P-1").active
    # Lock the boss out with wrong PINs (through the command: its clock is the real one), then list.
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", "111111")
    for _ in range(5):
        assert cli(sqlite_url, "set-pin", "S-1", "--by", "S-1") == 2
    assert "locked for 5 minutes" in capsys.readouterr().err
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", "918273")
    assert cli(sqlite_url, "list") == 0
    listed = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert "disabled" in listed["P-1"] and "locked until" in listed["S-1"]
    # A locked supervisor cannot authorise; set-pin needs a supervisor for a supervisor's PIN.
    assert cli(sqlite_url, "set-pin", "S-1", "--by", "S-1") == 2
    assert "is locked" in capsys.readouterr().err
    assert cli(sqlite_url, "enable", "P-1") == 0
    monkeypatch.setenv("PACKGATE_PIN", "8642")
    assert cli(sqlite_url, "set-pin", "P-1") == 0
    assert user(boss, "P-1").active
    messages = [e.message for e in users_events(boss)]
    assert any("disabled packer Pat (P-1)" in m for m in messages)
    assert any("enabled packer Pat (P-1)" in m for m in messages)
    assert any("set a new PIN for packer Pat (P-1)" in m for m in messages)
    assert cli(sqlite_url, "enable", "NOBODY") == 2


def test_lockouts_grow_and_a_right_pin_resets_them(boss, clock):
    def lock_out() -> str:
        for _ in range(4):
            with pytest.raises(NotAuthorized):
                authorize_supervisor(boss, "S-1", "111111", action="test")
        with pytest.raises(NotAuthorized) as caught:
            authorize_supervisor(boss, "S-1", "111111", action="test")
        return caught.value.message.render()

    for minutes in LOCK_MINUTES[:3]:
        assert lock_out() == f"Wrong PIN: Boss is locked for {minutes} minutes"
        clock.advance(minutes=minutes - 1)
        with pytest.raises(NotAuthorized, match="locked"):
            authorize_supervisor(boss, "S-1", "918273", action="test")  # still locked: even the right PIN
        clock.advance(minutes=1, seconds=1)
    assert LOCK_MINUTES[:3] == (5, 15, 60)
    assert authorize_supervisor(boss, "S-1", "918273", action="test").name == "Boss"
    assert user(boss, "S-1").lockouts == 0
    assert lock_out() == "Wrong PIN: Boss is locked for 5 minutes"


def test_demo_data_is_refused_on_a_real_database(boss, sqlite_url, capsys):
    with pytest.raises(DemoRefused, match="user S-1"):
        seed_demo(boss)
    assert user(boss, "S-9001") is None
    assert main(["--db", sqlite_url, "demo"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "real data (user S-1" in err and "nothing was added" in err


def test_demo_twice_is_still_fine(sqlite_services):
    seed_demo(sqlite_services)
    assert seed_demo(sqlite_services)["orders"] == 0


def test_the_first_supervisor_of_a_packers_only_database_needs_no_one(sqlite_url, sqlite_services, monkeypatch):
    monkeypatch.setenv("PACKGATE_PIN", "4321")
    assert cli(sqlite_url, "add", "Pat", "--role", "packer", "--badge", "P-1", "--pin") == 0
    monkeypatch.setenv("PACKGATE_PIN", "918273")
    assert cli(sqlite_url, "add", "Boss", "--role", "supervisor", "--badge", "S-1", "--pin") == 0
    assert cli(sqlite_url, "add", "Eve", "--role", "supervisor", "--badge", "S-2", "--pin") == 2  # now there is one


def test_a_pin_given_as_the_authorising_badge_is_masked_in_the_audit_trail(boss, sqlite_url, monkeypatch, capsys):
    """``--by 918273`` (the PIN typed where the badge goes): refused, and neither the audit trail nor
    the message keeps the digits, as at the bench's scanner."""
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", "000000")
    assert cli(sqlite_url, "disable", "S-1", "--by", "918273") == 2
    assert "918273" not in capsys.readouterr().err
    with boss.read_uow() as uow:
        audited = uow.session.execute(text("SELECT raw, message FROM scan_events WHERE kind = 'auth'")).all()
    assert audited and all(raw == "****" and "918273" not in message for raw, message in audited)


def lock(services, badge: str, pin: str = "111111") -> None:
    for _ in range(5):
        with pytest.raises(NotAuthorized):
            authorize_supervisor(services, badge, pin, action="test")


def test_the_database_owner_unlocks_a_locked_out_supervisor_without_a_pin(boss, sqlite_url, monkeypatch, capsys,
                                                                         clock):
    from datetime import UTC, datetime

    clock.now = datetime.now(UTC)  # the command line below runs on the real clock: lock out until after it
    lock(boss, "S-1")
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", "918273")
    assert cli(sqlite_url, "enable", "S-1", "--by", "S-1") == 2  # locked: no supervisor gets back in
    assert "locked" in capsys.readouterr().err
    epoch = user(boss, "S-1").session_epoch
    assert cli(sqlite_url, "unlock", "S-1", "--owner") == 0
    assert "(as the owner of the database file)" in capsys.readouterr().out
    back = user(boss, "S-1")
    assert back.locked_until is None and back.failed_pins == 0 and back.session_epoch == epoch + 1
    assert users_events(boss)[-1].message == "the owner of the database file: unlocked supervisor Boss (S-1): no lockout"
    assert cli(sqlite_url, "enable", "S-1", "--by", "S-1") == 0  # the right PIN works again
    with pytest.raises(SystemExit):
        cli(sqlite_url, "unlock", "S-1")  # never without saying who acts


def test_only_the_role_that_owns_the_tables_unlocks_on_postgresql(pg_url, clock, monkeypatch, capsys):
    """The server's role (SELECT, INSERT, UPDATE, as docs/deployment.md grants) is not the owner."""
    import uuid
    from datetime import UTC, datetime

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from tests.conftest import _test_services

    clock.now = datetime.now(UTC)  # the command line runs on the real clock
    owner = _test_services(pg_url, clock)
    role = f"packgate_srv_{uuid.uuid4().hex[:8]}"
    try:
        monkeypatch.setenv("PACKGATE_PIN", "918273")
        assert cli(pg_url, "add", "Boss", "--role", "supervisor", "--badge", "S-1", "--pin") == 0
        lock(owner, "S-1")
        with owner.engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
            conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {role}")
            conn.exec_driver_sql(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")
        server_url = make_url(pg_url).set(username=role).render_as_string(hide_password=False)
        assert cli(server_url, "unlock", "S-1", "--owner") == 2
        assert "needs the database's owner" in capsys.readouterr().err
        assert user(owner, "S-1").locked_until is not None
        assert cli(pg_url, "unlock", "S-1", "--owner") == 0
        assert user(owner, "S-1").locked_until is None
        assert "database owner (role postgres)" in users_events(owner)[-1].message
    finally:
        owner.close()
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


def test_unknown_badges_count_towards_the_stations_limit(sqlite_services):
    """Someone scanning badge after badge at one bench closes PIN entry there like wrong PINs do."""
    from app.demo import seed_demo
    from app.packing.auth import STATION_PIN_LIMIT
    from app.packing.workflow import BenchWorkflow

    seed_demo(sqlite_services)
    bench = BenchWorkflow(sqlite_services, "BENCH-Q")
    for i in range(STATION_PIN_LIMIT):
        assert not bench.handle(f"X-{i}").accepted
    assert bench.handle("P-1003").accepted  # a known badge: the PIN is asked
    out = bench.handle("2468")  # even the right PIN
    assert not out.accepted and "PIN entry is closed" in out.message.render()
    other = BenchWorkflow(sqlite_services, "BENCH-R")  # another bench is not affected
    assert other.handle("P-1003").accepted and other.handle("2468").accepted


def test_orders_items_and_boxes_scanned_while_logged_out_do_not_close_pin_entry(sqlite_services):
    """A packer scanning goods at the login prompt is told to scan the badge first; it is no badge
    guess, so PIN entry at that bench stays open however many there are."""
    from app.demo import seed_demo
    from app.packing.auth import STATION_PIN_LIMIT
    from app.packing.workflow import BenchWorkflow

    seed_demo(sqlite_services)
    bench = BenchWorkflow(sqlite_services, "BENCH-G")
    for i in range(STATION_PIN_LIMIT + 2):
        out = bench.handle(("PDD-1001", "6901234567892", "BOX-M")[i % 3])
        assert not out.accepted and out.message.render() == "Scan your badge first"
    assert bench.handle("P-1003").accepted
    assert bench.handle("2468").accepted  # PIN entry still open


def test_a_pin_typed_as_the_badge_is_masked_even_when_pin_entry_is_closed(sqlite_services):
    """The refusal that closes PIN entry at a bench comes first; the digits are masked all the same."""
    from app.demo import seed_demo
    from app.packing.auth import STATION_PIN_LIMIT
    from app.packing.workflow import BenchWorkflow

    seed_demo(sqlite_services)
    bench = BenchWorkflow(sqlite_services, "BENCH-Q")
    for i in range(STATION_PIN_LIMIT):
        assert not bench.handle(f"X-{i}").accepted
    with pytest.raises(NotAuthorized, match="PIN entry is closed"):
        authorize_supervisor(sqlite_services, "918273", "000000", action="test", station="BENCH-Q")
    with sqlite_services.read_uow() as uow:
        raws = uow.session.scalars(select(text("raw")).select_from(text("scan_events"))
                                   .where(text("kind = 'auth'"))).all()
    assert raws == ["****"]
