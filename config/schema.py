"""OpenAPI pieces shared by every app: the one error body, the refusals an operation documents, decimals.

Every API view states the refusals it can answer with `refusals(...)`; the body is always the `Error`
component, the shape `config.api.exception_handler` and DRF give: `detail`, `code` and, for input
errors, each field's messages.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

REFUSALS = {
    400: "The input breaks a rule: `detail` says what, and each field lists its messages.",
    401: "The API key in `Authorization` is malformed, unknown, revoked or expired; `detail` says which.",
    403: "Not signed in, no CSRF token on a signed-in write, or the role or ownership does not allow it.",
    404: "No such object, or it is not visible to you.",
    409: "Not possible in the object's current state, or a concurrent change won; nothing changed.",
    413: "The request body is larger than the platform accepts; it was not read.",
    415: "The body is not in a media type this operation reads.",
    429: "Too many attempts; `detail` says when to try again.",
    503: "A service the platform depends on (the chain, the broker) is not answering; nothing changed.",
}


class ErrorOutput(serializers.Serializer):
    """The body of every refusal (any other key is a field name with its messages)."""

    detail = serializers.CharField(required=False, help_text="What went wrong, in plain words.")
    code = serializers.CharField(required=False, help_text="The kind of refusal, e.g. `Conflict`.")


class ErrorOutputExtension(OpenApiSerializerExtension):
    """Adds the field -> messages map that DRF's validation errors and domain errors carry."""

    target_class = ErrorOutput

    def get_name(self, auto_schema: Any, direction: str) -> str:
        return "Error"

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = {
            "type": "array",
            "items": {"type": "string"},
            "description": "The messages of one input field.",
        }
        return schema


def refusals(*statuses: int) -> dict[int, OpenApiResponse]:
    """The documented refusals of one operation; 403 always, since CSRF and roles apply everywhere."""
    return {
        status: OpenApiResponse(response=ErrorOutput, description=REFUSALS[status])
        for status in sorted({403, *statuses})
    }


class RecommendedOutput(serializers.Serializer):
    """Adds `recommended` to a decision's answer; the view puts it in the serializer's context."""

    recommended = serializers.SerializerMethodField(
        help_text="True (with status 202) when the decision was kept as a recommendation: the case needs "
        "an approver, and an approver other than you decides it."
    )

    def get_recommended(self, instance: Any) -> bool:
        return bool(self.context["recommended"])


def decision_responses(output: Any, *statuses: int) -> dict[int, OpenApiResponse]:
    """A decision's answers under four eyes: 200 applied, 202 kept as a recommendation, and refusals."""
    return {
        200: OpenApiResponse(response=output, description="The decision was applied."),
        202: OpenApiResponse(
            response=output,
            description="Kept as a recommendation: an approver other than you decides the case.",
        ),
        **refusals(*statuses),
    }


class DecimalFieldExtension(OpenApiSerializerFieldExtension):
    """Decimal strings with at least one digit on each side of the point (drf-spectacular accepts "" and "-").

    A field with a non-negative `min_value` gets a pattern without the minus sign.
    """

    target_class = serializers.DecimalField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        field = self.target
        if "pattern" in schema:
            sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
            whole = r"0" if field.max_whole_digits == 0 else rf"\d{{1,{field.max_whole_digits}}}"
            schema["pattern"] = rf"^{sign}{whole}(?:\.\d{{1,{field.decimal_places}}})?$"
        return schema


def path_ids_are_non_negative(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Integer path parameters come from Django's `int` converter, which matches digits only."""
    for item in result["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                    parameter["schema"]["minimum"] = 0
    return result


def api_key_refusals(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every operation that accepts an API key documents 401, the answer to a bad one."""
    error = {"$ref": "#/components/schemas/Error"}
    for item in result["paths"].values():
        for operation in item.values():
            if any("bearerAuth" in requirement for requirement in operation.get("security", [])):
                responses = operation["responses"]
                responses["401"] = {
                    "description": REFUSALS[401],
                    "content": {"application/json": {"schema": error}},
                }
                operation["responses"] = dict(sorted(responses.items()))
    return result


def stored_file_responses() -> dict[Any, OpenApiResponse]:
    """The answers of an operation that sends one stored upload (PDF, PNG or JPEG) as it is, or a 404."""
    return {
        **{
            (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
            for media_type in ("application/pdf", "image/png", "image/jpeg")
        },
        **refusals(404),
    }
