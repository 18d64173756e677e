"""schemathesis against the published OpenAPI spec: whatever it sends to any operation,
signed in as the CEC's administrator or not signed in at all, the service never answers
with a 5xx."""

from __future__ import annotations

from api_helpers import Person
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.openapi.loaders import from_asgi

from saylau.api.app import create_app
from saylau.core.roles import Role
from saylau.store import Store

EXAMPLES = 8
REAL = {
    "election": "test-2024",
    "station": "001",
    "contest": "list",
    "commission": "north-t",
    "login": "root",
}
"""Path parameters that exist, so that generated bodies reach the services too."""


def test_no_server_errors(store: Store, person: Person) -> None:
    admin = person("root", Role.ADMIN, "cec")
    schema = from_asgi("/api/openapi.json", create_app(store))
    failures: list[tuple[str, str, int, str]] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Case) -> None:
            for headers in (admin, {}):
                response = case.call(headers=headers)
                if response.status_code >= 500:
                    failures.append((case.method, case.path, response.status_code, response.text))
            if case.path_parameters:
                case.path_parameters = {name: REAL[name] for name in case.path_parameters}
                response = case.call(headers=admin)
                if response.status_code >= 500:
                    failures.append((case.method, case.path, response.status_code, response.text))

        run()
    assert failures == []
