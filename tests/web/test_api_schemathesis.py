"""Schemathesis against the API's own OpenAPI document, through the WSGI app: every
operation, with inputs it generates from the document (valid and invalid ones), answers
without a server error and as the document says (status, content type, headers, body)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy

PATHS = (
    "/api/v1/projects",
    "/api/v1/organisations",
    "/api/v1/projects/{project_id}",
    "/api/v1/organisations/{organisation_id}",
    "/api/v1/taxonomy",
    "/api/v1/events",
    "/api/v1/events/{event_id}",
    "/api/v1/insights",
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def schema(app):
    """The document as served, and a small register: one published organisation with a
    project, and a draft project."""
    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    organisation = make_organisation(UserFactory())
    publish("organisation", organisation, moderator)
    publish("project", make_project(organisation), moderator)
    make_project(organisation, texts={"en": {"title": "Draft", "summary": "", "description": ""}})
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_every_operation_is_tested(schema):
    assert set(schema.raw_schema["paths"]) == set(PATHS)


@pytest.mark.parametrize("path", PATHS)
def test_the_operation_answers_as_documented(client, schema, path):
    operation = schema[path]["GET"]
    cases = st.one_of(
        operation.as_strategy(),
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=cases)
    def answers_as_documented(case):
        # Uncompressed: the test client, unlike an HTTP one, would not undo the compression.
        request = case.as_transport_kwargs(headers={"Accept-Encoding": "identity"})
        response = client.open(**request)
        case.validate_response(response, checks=CHECKS)

    answers_as_documented()
