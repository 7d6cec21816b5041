"""schemathesis against ``/openapi.json`` of a live node: every operation, a few generated
requests each, answered as the document says (declared statuses, content types, error bodies,
headers) and never with a server error.

The node runs in a background thread (schemathesis calls it synchronously); requests carry an
admin's bearer token, so that operations get past sign-in and reach their own checks. Every
operation runs even when an earlier one fails, and the test reports them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import CHECKS

from tests.fakes import ADMIN, DEMO_PASSWORD
from tests.web.browser.harness import NodeThread

#: Generated requests per operation (the document has about 65 operations).
EXAMPLES = 6

CHECK_NAMES = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
               "response_headers_conformance", "response_schema_conformance")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeThread]:
    node = NodeThread(tmp_path_factory.mktemp("node")).start()
    yield node
    node.stop()


def bearer(node: NodeThread) -> str:
    response = httpx.post(f"{node.url}/api/v1/auth/signin",
                          json={"email": ADMIN, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return response.cookies["vclinic_session"]


def exercise(operation: Any, node: NodeThread, token: str) -> None:
    """Send ``EXAMPLES`` generated requests to one operation and check each answer."""
    checks = [CHECKS.get_one(name) for name in CHECK_NAMES]

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        # Signing out ends the token it is sent with: give it one of its own.
        auth = bearer(node) if operation.path == "/api/v1/auth/signout" else token
        case.call_and_validate(base_url=node.url, headers={"Authorization": f"Bearer {auth}"},
                               checks=checks)

    run()


def test_every_operation_answers_as_documented(live: NodeThread) -> None:
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    token = bearer(live)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60
    failures = []
    for operation in operations:
        try:
            exercise(operation, live, token)
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: "
                            "\n".join(str(exc).strip().splitlines()[:14]))
    assert failures == [], "\n".join(failures)
