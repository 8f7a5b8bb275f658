"""A bounded Schemathesis run against a real server process: every operation of the server's own
OpenAPI document, a few generated requests each (valid and invalid), with both credentials (the
station token, and a supervisor's desk session). No answer is a 5xx, and every answer is one the
document declares: its status, its body's schema and its content type. The seed is fixed, so a
failure repeats; a few examples per operation keep it to well under a minute on two cores."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from app.bootstrap import bootstrap
from app.config import Settings
from app.demo import seed_demo
from tests.integration.test_server import start_server
from tests.integration.test_server_desk import PIN, SUPERVISOR, desk_through

SEED = 18
EXAMPLES = 3  # per operation and kind of data (valid, invalid)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]


@pytest.fixture
def served(sqlite_url, tmp_path, capsys):
    svc = bootstrap(sqlite_url, Settings(station="SEED"))
    seed_demo(svc)
    svc.close()
    srv = start_server(sqlite_url, tmp_path / "server-home")
    desk = desk_through(srv, "FUZZ-DESK", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    yield srv, {"Authorization": f"Bearer {desk.link.token}", "X-Desk-Session": desk.session}
    desk.close()
    srv.stop()


def test_every_operation_answers_as_its_document_says(served):
    server, credentials = served
    config = SchemathesisConfig.from_dict({"seed": SEED, "headers": credentials,
                                           "generation": {"max-examples": EXAMPLES, "deterministic": True}})
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json", config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 28
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # The credentials are fixed: the generator varies everything else (valid, then invalid).
            strategy = operation.as_strategy(mode, headers=dict(credentials))

            @given(case=strategy)
            @seed(SEED)
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            def answers_as_documented(case) -> None:
                case.call_and_validate(checks=CHECKS, timeout=30)

            try:
                answers_as_documented()
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body): nothing to send
                assert mode is GenerationMode.NEGATIVE, operation.label
            except Exception as failure:
                failure.add_note(f"{operation.label}, {mode.value} data, seed {SEED}")
                raise
