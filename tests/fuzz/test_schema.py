"""Schemathesis over the whole OpenAPI schema, in process (WSGI) against the real test database and Redis.

Every operation is called with data generated from its own schema, signed in as a shopper, as a writer and
as an operator (API tokens) and anonymously, and every answer is checked: no 5xx, a documented status, the
documented media type, and a body that matches the schema (errors included). Half the generated cases name
rows that exist (the shopper's order, the writer's note...) instead of random ids, so the fuzzing gets past
the 404s. Each call runs in a savepoint that is rolled back, so one case never changes the next one's world.

A second test runs stateful scenarios: chains of calls along the links Schemathesis infers (an id one answer
gives, used by the next call), per role, each scenario in a savepoint rolled back at its end.

The normal suite runs ``FUZZ_EXAMPLES`` (default 3) derandomized examples per operation and a few scenarios
per role; ``make fuzz`` runs the long form (FUZZ_EXAMPLES=200). The test prints its figures (operations, examples, failures) and fails listing every
operation and check that failed, with the request that showed it.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# Stateful scenarios per role: a scenario chains calls along the links Schemathesis infers from the schema
# (a board's id from GET /api/boards/ into PATCH /api/boards/{board_id}/, and so on).
SCENARIOS = max(2, EXAMPLES // 4)
SCENARIO_STEPS = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class _RolledBack(Exception):
    pass


@pytest.fixture
def connection_kept_open():
    """As Django's test client does: a request's end must not close the test's connection (and its
    transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _call(case, headers):
    """The answer to ``case``, its writes rolled back (a savepoint marked as the test case's own, so the
    services' durable blocks nest in it as they do in a TestCase)."""
    atomic = transaction.atomic()
    atomic._from_testcase = True
    response = None
    try:
        with atomic:
            response = case.call(headers=headers)
            raise _RolledBack
    except _RolledBack:
        pass
    return response


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_every_operation_keeps_its_schema(world, connection_kept_open, capsys, mode):
    """Positive cases (valid by the schema) and negative ones (a parameter or body the schema forbids: they
    must be refused with a documented 4xx and the error body, never a 500)."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()), key=lambda op: (op.path, op.method)
    )
    roles = [None, *world["tokens"]]
    examples = Counter()
    failures: dict[tuple[str, str], str] = {}
    unfuzzable = []

    def fuzzer(operation):
        label = f"{operation.method.upper()} {operation.path}"
        known = {
            name: value
            for name, value in world["known"].items()
            if name in {p.name for p in operation.path_parameters}
        }

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def fuzz(data):
            case = data.draw(operation.as_strategy(generation_mode=mode))
            if known and data.draw(st.booleans(), label="real rows"):
                case.path_parameters = {**(case.path_parameters or {}), **known}
            role = data.draw(st.sampled_from(roles), label="role")
            headers = {"Authorization": f"Token {world['tokens'][role]}"} if role else {}
            examples[label] += 1
            response = _call(case, headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except BaseExceptionGroup as exc:  # a FailureGroup: keep the first of each kind
                for failure in exc.exceptions:
                    key = (label, getattr(failure, "title", type(failure).__name__))
                    failures.setdefault(key, f"as {role or 'anonymous'}: {exc}"[:3000])
            assert connection.in_atomic_block  # the test's own transaction is still usable

        return fuzz

    for operation in operations:
        try:
            fuzzer(operation)()
        except Unsatisfiable:  # negative: nothing in this operation can be made invalid (no parameters)
            unfuzzable.append(operation)

    with capsys.disabled():
        print(
            f"\nschemathesis {mode}: {len(operations) - len(unfuzzable)} operations, "
            f"{sum(examples.values())} examples ({EXAMPLES} per operation), {len(failures)} failures"
        )
        for (label, title), message in sorted(failures.items()):
            print(f"\n--- {label}: {title}\n{message}")
    assert len(examples) == len(operations) - len(unfuzzable)
    assert mode == GenerationMode.NEGATIVE or not unfuzzable
    assert not failures, f"{len(failures)} schema failures: " + ", ".join(
        f"{label} ({title})" for label, title in sorted(failures)
    )


def test_stateful_scenarios_keep_the_schema(world, connection_kept_open, capsys):
    """Scenarios of chained calls, per role, each in a savepoint rolled back when the scenario ends."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    steps = Counter()
    failures: dict[tuple[str, str], str] = {}

    for signed_in in (None, *world["tokens"]):

        class Workflow(schema.as_state_machine()):
            role = signed_in
            headers = {"Authorization": f"Token {world['tokens'][signed_in]}"} if signed_in else {}

            def setup(self):
                self.savepoint = transaction.atomic()
                self.savepoint._from_testcase = True
                self.savepoint.__enter__()

            def teardown(self):
                transaction.set_rollback(True)
                self.savepoint.__exit__(None, None, None)

            def get_call_kwargs(self, case):
                return {"headers": self.headers}

            def validate_response(self, response, case, additional_checks=None, **kwargs):
                label = f"{case.operation.method.upper()} {case.operation.path}"
                steps[label] += 1
                try:
                    case.validate_response(response, checks=CHECKS, headers=self.headers)
                except BaseExceptionGroup as exc:
                    for failure in exc.exceptions:
                        key = (label, getattr(failure, "title", type(failure).__name__))
                        failures.setdefault(key, f"as {self.role or 'anonymous'}: {exc}"[:3000])

        Workflow.run(
            settings=settings(
                max_examples=SCENARIOS,
                stateful_step_count=SCENARIO_STEPS,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
        )

    with capsys.disabled():
        print(
            f"\nschemathesis stateful: {SCENARIOS} scenarios per role, {sum(steps.values())} calls over "
            f"{len(steps)} operations, {len(failures)} failures"
        )
        for (label, title), message in sorted(failures.items()):
            print(f"\n--- {label}: {title}\n{message}")
    assert steps, "no scenario made a call"
    assert not failures, f"{len(failures)} stateful failures: " + ", ".join(
        f"{label} ({title})" for label, title in sorted(failures)
    )
