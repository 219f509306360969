"""Fuzz every operation of the OpenAPI schema with schemathesis: no input may cause a 500.
Bounded: a few examples per operation, with a viewer key (planner actions answer 403, so the
fuzz never starts runs or imports). Driven directly (each operation's hypothesis strategy),
since schemathesis' pytest plugin does not yet run under pytest 9."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.api.conftest import Live

EXAMPLES = 15


@pytest.mark.slow
def test_no_input_causes_a_server_error(live: Live) -> None:
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    headers = {"X-API-Key": live.keys["viewer"]}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(base_url=live.url, headers=headers, checks=[not_a_server_error])

        fuzz()
