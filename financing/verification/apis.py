"""The public verification API (no authentication): is this trade document financed here?

`POST /api/v1/verify/` takes the document's fields as JSON (the same names as the JSON data file) or a
data file as multipart (`kind` and `file`); `GET /api/v1/verify/{fingerprint}/` looks a fingerprint up.
Each request is counted per client address before anything is read, and each distinct document
against the address's guesses (config/ratelimit.py); the answer is read from the chain.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config import api_fields
from config.ratelimit import RateLimitThrottle
from config.schema import refusals
from financing.choices import TradeDocumentKind
from financing.trade.normalise import (
    BILL_OF_LADING_FIELDS,
    FIELD_MAX_LENGTH,
    INVOICE,
    INVOICE_FIELDS,
)
from financing.verification.files import example_file, fields_from_file
from financing.verification.forms import FINGERPRINT_MAX_LENGTH
from financing.verification.selectors import (
    FINANCED,
    RELEASED,
    SCOPE_NOTE,
    WITHDRAWN,
    Verification,
    document_fingerprint_of,
    fingerprint_parse,
)
from financing.verification.views import DOCUMENTS, LOOKUPS, lookup

KIND_CHOICES = TradeDocumentKind.choices


def _text(help_text: str) -> serializers.Field:
    return api_fields.CharField(
        max_length=FIELD_MAX_LENGTH, required=False, allow_blank=True, help_text=help_text
    )


class VerifyInput(serializers.Serializer):
    """A document's fields as typed (the names of the JSON data file): spelling, spacing, full-width
    characters and date formats do not matter. Send the invoice fields with `kind=invoice`, the bill of
    lading fields with `kind=bill_of_lading`; a missing or wrong field is a 400 naming it."""

    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    issuer_jurisdiction = _text("Invoice: where the issuer is registered (HK, MO, CN-SZ, CN-GZ, ...).")
    issuer_registration_number = _text("Invoice: the issuer's registration number.")
    buyer_name = _text("Invoice: the buyer's name.")
    buyer_registration_number = _text("Invoice: the buyer's registration number, if the invoice shows it.")
    invoice_number = _text("Invoice: its number.")
    amount = _text("Invoice: the amount as written, e.g. 125,000.00.")
    currency = _text("Invoice: HKD, CNY, MOP or USD.")
    due_date = _text("Invoice: the due date.")
    issue_date = _text("Both: the issue date, e.g. 2026-03-01 or 01/03/2026 (day first).")
    carrier = _text("Bill of lading: the carrier.")
    vessel = _text("Bill of lading: the vessel.")
    port_of_loading = _text("Bill of lading: the port of loading.")
    port_of_discharge = _text("Bill of lading: the port of discharge.")
    bl_number = _text("Bill of lading: its number.")
    platform = _text("Bill of lading: the approved eBL platform that holds it.")
    control_reference = _text("Bill of lading: the control reference on that platform.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        names = INVOICE_FIELDS if attrs["kind"] == INVOICE else BILL_OF_LADING_FIELDS
        other = sorted(name for name in attrs if name != "kind" and name not in names and attrs[name])
        if other:
            raise serializers.ValidationError(
                {name: [gettext("This field is not part of this kind of document.")] for name in other}
            )
        return {name: value for name, value in attrs.items() if name == "kind" or name in names}


class VerifyFileInput(serializers.Serializer):
    """A document's data file: JSON with the field names, or (for an invoice) a UBL 2.1 Invoice XML."""

    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    file = serializers.FileField(help_text="The data file (JSON, or UBL 2.1 Invoice XML for an invoice).")


class ChainOutput(serializers.Serializer):
    name = serializers.CharField(help_text="The chain's name.")
    id = serializers.IntegerField(help_text="The chain id.")
    contract_address = serializers.CharField(help_text="The DocumentRegistry contract read.")
    contract_url = serializers.CharField(help_text="The contract on a block explorer; empty when none.")


class VerifyOutput(serializers.Serializer):
    """The chain's answer; nothing about the SME, the buyer or amounts beyond the fields sent."""

    registered = serializers.BooleanField(help_text="Whether this platform's registry holds the fingerprint.")
    detail = serializers.CharField(help_text="The answer in one plain sentence.")
    fingerprint = serializers.CharField(help_text="0x and 64 hexadecimal digits.")
    kind = serializers.CharField(help_text="invoice or bill_of_lading; empty when not known.")
    fields_read = serializers.DictField(
        child=serializers.CharField(),
        help_text="The canonical fields read from the input (none for a fingerprint).",
    )
    registered_at = serializers.DateTimeField(
        allow_null=True, help_text="When it was registered (its block's time)."
    )
    status = serializers.ChoiceField(
        choices=[FINANCED, RELEASED, WITHDRAWN],
        allow_null=True,
        help_text="financed; released (repaid); withdrawn (the financing did not go ahead); "
        "null if not registered.",
    )
    registrant = serializers.CharField(allow_null=True, help_text="The address that registered it.")
    registrant_is_platform = serializers.BooleanField(help_text="Whether that address is this platform's.")
    registrant_url = serializers.CharField(help_text="The registrant on a block explorer; empty when none.")
    chain = ChainOutput()
    scope = serializers.CharField(help_text="What the answer covers.")


def _output(answer: Verification) -> dict[str, Any]:
    return VerifyOutput(
        {
            "registered": answer.registered,
            "detail": answer.summary,
            "fingerprint": answer.fingerprint,
            "kind": answer.kind,
            "fields_read": answer.fields,
            "registered_at": answer.registered_at,
            "status": answer.status or None,
            "registrant": answer.registrant or None,
            "registrant_is_platform": answer.registrant_is_platform,
            "registrant_url": answer.registrant_url,
            "chain": {
                "name": answer.chain_name,
                "id": answer.chain_id,
                "contract_address": answer.contract_address,
                "contract_url": answer.contract_url,
            },
            "scope": str(SCOPE_NOTE),
        }
    ).data


class PublicVerifyApi(APIView):
    """No authentication (no session, no key, no CSRF): anyone may ask, within the rate limits."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [RateLimitThrottle]
    rate_limit_scope = LOOKUPS
    # The scope of distinct documents one address may ask about (counted in `lookup`).
    documents_scope = DOCUMENTS


_RESPONSES = {
    200: OpenApiResponse(VerifyOutput, description="The chain's answer: registered or not."),
    **refusals(400, 404, 413, 415, 429, 503),
}


class VerifyApi(PublicVerifyApi):
    """Verify a document by its fields (JSON) or its data file (multipart `kind` + `file`)."""

    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="verify_document",
        auth=[],
        request={"application/json": VerifyInput, "multipart/form-data": VerifyFileInput},
        responses=_RESPONSES,
        examples=[OpenApiExample("An invoice", value=example_file(INVOICE), request_only=True)],
    )
    def post(self, request: Request) -> Response:
        if "file" in request.data or request.content_type.startswith("multipart/"):
            upload = VerifyFileInput(data=request.data)
            upload.is_valid(raise_exception=True)
            kind = upload.validated_data["kind"]
            raw = fields_from_file(kind=kind, upload=upload.validated_data["file"])
        else:
            typed = VerifyInput(data=request.data)
            typed.is_valid(raise_exception=True)
            kind = typed.validated_data.pop("kind")
            raw = typed.validated_data
        fields, fingerprint = document_fingerprint_of(kind=kind, raw=raw)
        return Response(_output(lookup(request._request, fingerprint, kind=kind, fields=fields)))


class VerifyFingerprintApi(PublicVerifyApi):
    """Look a document up by its fingerprint (0x and 64 hexadecimal digits)."""

    @extend_schema(operation_id="verify_fingerprint", auth=[], responses=_RESPONSES)
    def get(self, request: Request, fingerprint: str) -> Response:
        parsed = fingerprint_parse(fingerprint[:FINGERPRINT_MAX_LENGTH])
        return Response(_output(lookup(request._request, parsed)))
