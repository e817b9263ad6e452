"""The OpenAPI schema describes every endpoint without warnings, and tells the truth about it."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def _component(schema, reference):
    return schema["components"]["schemas"][reference["$ref"].rsplit("/", 1)[-1]]


def test_the_openapi_schema_builds_cleanly_and_validates(db):
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    assert '"/api/v1/schedules/preview/"' in out.getvalue()
    assert '"/api/v1/offerings/{offering_id}/subscriptions/"' in out.getvalue()


def test_chain_status_is_documented_as_the_object_it_returns(schema):
    body = schema["paths"]["/api/v1/chain/status/"]["get"]["responses"]["200"]["content"]["application/json"]
    answer = _component(schema, body["schema"])
    assert answer["type"] == "object"
    assert answer["properties"]["counts"]["additionalProperties"] == {"type": "integer"}
    assert answer["properties"]["transactions"]["type"] == "array"


def test_every_operation_documents_its_refusals_with_the_one_error_body(schema):
    for name, operation in _operations(schema):
        responses = operation["responses"]
        assert "403" in responses, f"{name} does not document 403 (signed out, CSRF, role)"
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(responses), (
                f"{name} takes a body but documents no 400/413/415"
            )
        if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
            assert "404" in responses, f"{name} names an object but documents no 404"
        for status, response in responses.items():
            if int(status) >= 400:
                reference = response["content"]["application/json"]["schema"]["$ref"]
                assert reference == "#/components/schemas/Error", (name, status)


def test_the_error_body_has_detail_code_and_field_messages(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"detail", "code"}
    assert error["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
        "description": "The messages of one input field.",
    }


def test_state_changes_document_409_and_chain_work_503(schema):
    paths = schema["paths"]
    assert "409" in paths["/api/v1/offerings/{offering_id}/close/"]["post"]["responses"]
    assert "503" in paths["/api/v1/offerings/{offering_id}/subscriptions/"]["post"]["responses"]
    assert "429" in paths["/api/v1/auth/login/"]["post"]["responses"]


def _decimal_patterns(schema):
    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            if spec.get("format") == "decimal":
                yield f"{name}.{field}", re.compile(spec["pattern"])


def test_decimal_patterns_refuse_empty_and_bare_signs(schema):
    patterns = dict(_decimal_patterns(schema))
    assert patterns
    for name, pattern in patterns.items():
        for bad in ["", "-", ".", "-.", "1.", ".5", "1.2.3", "1e5"]:
            assert not pattern.match(bad), f"{name} accepts {bad!r}"
        assert pattern.match("12.5"), name
        assert pattern.match("0"), name


def test_decimal_inputs_that_refuse_negatives_say_so_in_the_pattern(schema):
    patterns = dict(_decimal_patterns(schema))
    for name in [
        "FaucetInputRequest.amount",
        "MyKycInputRequest.declared_portfolio_hkd",
        "PersonInputRequest.ownership_percent",
        "CompanyProfileInputRequest.annual_revenue",
    ]:
        assert not patterns[name].match("-1"), name
    assert patterns["SubscriptionOutput.amount"].match("-1.50")
