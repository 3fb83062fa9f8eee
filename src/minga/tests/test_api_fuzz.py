"""schemathesis against /api/v1/openapi.json, in process: bounded examples for every
operation, anonymous and with a secretariat's token — no answer is a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from minga.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
    database=None,
)
def test_no_operation_answers_a_server_error(case, api_token):
    for headers in ({}, {"Authorization": f"Bearer {api_token}"}):
        case.call_and_validate(headers=headers, checks=[not_a_server_error])


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes "old" database connections at each request's start and end; in a
    test transaction that would close the test's own connection (PostgreSQL notices). Django's
    test client unhooks the same signal handlers; so does this."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_token(personas):
    from minga.core.tokens import create_api_token

    return create_api_token(user=personas["secretariat"], name="fuzz")[1]
