"""The OpenAPI schema describes every endpoint without warnings."""

from io import StringIO

from django.core.management import call_command


def test_the_openapi_schema_builds_cleanly_and_validates(db):
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    assert '"/api/v1/schedules/preview/"' in out.getvalue()
    assert '"/api/v1/offerings/{offering_id}/subscriptions/"' in out.getvalue()
