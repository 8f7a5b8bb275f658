"""Secrets: database passwords never on the command line nor in logs; PINs only as argon2id hashes."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.bootstrap import bootstrap
from app.cli import main
from app.models import db
from app.models.schema import ScanEvent, User
from app.packing.outcome import Step
from app.packing.workflow import BenchWorkflow

SECRET = "s3cret-Pw-7781"


@pytest.mark.postgres
def test_password_in_db_url_warns_and_never_shows(pg_url, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    url = make_url(pg_url).set(password=SECRET).render_as_string(hide_password=False)
    assert main(["-v", "--db", url, "summary"]) == 0  # trust auth: the password is not checked
    out, err = capsys.readouterr()
    warning = caplog.text + err
    assert "PACKGATE_DB_PASSWORD_FILE" in warning and "PGPASSWORD" in warning
    assert SECRET not in out + err + caplog.text


def test_connection_errors_do_not_show_the_password(capsys, caplog):
    caplog.set_level(logging.DEBUG)
    url = f"postgresql+psycopg://packgate:{SECRET}@127.0.0.1:1/packgate"  # nothing listens on port 1
    assert main(["-v", "--db", url, "summary"]) != 0
    out, err = capsys.readouterr()
    assert "packgate:" in err and "Traceback" not in err
    assert SECRET not in out + err + caplog.text


@pytest.mark.postgres
def test_password_file_reaches_the_engine_but_no_log(pg_url, tmp_path, monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    secret_file = tmp_path / "db-password"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    monkeypatch.setenv("PACKGATE_DB_PASSWORD_FILE", str(secret_file))
    services = bootstrap(pg_url)  # the real server (trust auth) accepts it
    try:
        assert services.engine.url.password == SECRET  # handed to the driver
        assert SECRET not in services.safe_db_url and SECRET not in str(services.engine.url)
        assert SECRET not in repr(services)
    finally:
        services.close()
    monkeypatch.setenv("PACKGATE_DB", pg_url)
    assert main(["-v", "summary"]) == 0
    out, err = capsys.readouterr()
    assert "carries a password" not in err + caplog.text  # no warning: the URL itself has none
    assert SECRET not in out + err + caplog.text


def test_unreadable_password_file_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PACKGATE_DB_PASSWORD_FILE", str(tmp_path / "missing"))
    assert main(["--db", "postgresql+psycopg://packgate@127.0.0.1/packgate", "summary"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("packgate: Cannot read PACKGATE_DB_PASSWORD_FILE") and len(err.strip().splitlines()) == 1


def test_safe_url_hides_passwords():
    assert SECRET not in db.safe_url(f"postgresql+psycopg://u:{SECRET}@h/d")
    assert db.safe_url("not a url") == "<invalid database URL>"


def test_pins_are_argon2id_hashes_and_never_audited(sqlite_url, monkeypatch, capsys):
    monkeypatch.setenv("PACKGATE_PIN", "482913")
    assert main(["--db", sqlite_url, "users", "add", "Sup One", "--role", "supervisor", "--badge", "S-77",
                 "--pin"]) == 0
    services = bootstrap(sqlite_url)
    try:
        with services.read_uow() as uow:
            user = uow.session.scalar(select(User).where(User.badge == "S-77"))
            assert user.pin_hash.startswith("$argon2id$") and "482913" not in user.pin_hash
        flow = BenchWorkflow(services, "SECRETS-1")
        assert flow.handle("S-77").step == Step.PIN
        assert not flow.handle("111111").accepted  # a wrong PIN, typed at the PIN step
        assert flow.handle("482913").accepted
        with services.read_uow() as uow:
            raws = uow.session.scalars(select(ScanEvent.raw)).all()
        assert "482913" not in raws and "111111" not in raws
    finally:
        services.close()


def test_five_wrong_pins_lock_the_user(sqlite_url, monkeypatch):
    monkeypatch.setenv("PACKGATE_PIN", "2468")
    assert main(["--db", sqlite_url, "users", "add", "Pat", "--role", "packer", "--badge", "P-5", "--pin"]) == 0
    services = bootstrap(sqlite_url)
    try:
        flow = BenchWorkflow(services, "SECRETS-2")
        flow.handle("P-5")
        for _ in range(5):
            assert not flow.handle("0000").accepted
        out = flow.handle("P-5")
        assert not out.accepted and "locked" in out.message.render()
    finally:
        services.close()
