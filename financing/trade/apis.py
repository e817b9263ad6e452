"""Trade documents of a trade-finance application: the SME lists, adds, corrects and removes them while
the application is a draft; staff read them once it is submitted."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import Role
from accounts.permissions import has_role
from config import api_fields
from config.api import ListPageInput, list_page, page_output
from config.schema import refusals
from financing import selectors as financing_selectors
from financing.choices import TradeDocumentKind
from financing.models import TradeDocument
from financing.trade import selectors, services
from financing.trade.normalise import BILL_OF_LADING_FIELDS, FIELD_MAX_LENGTH, INVOICE_FIELDS

AMOUNT = {"max_digits": 18, "decimal_places": 2}


class TradeDocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    application_id = serializers.IntegerField()
    kind = serializers.CharField(help_text="invoice or bill_of_lading.")
    number = serializers.CharField(help_text="The invoice or B/L number as entered.")
    fields = serializers.DictField(
        source="raw_fields", child=serializers.CharField(), help_text="As entered."
    )
    canonical_fields = serializers.DictField(
        child=serializers.CharField(), help_text="In canonical form: what the fingerprint is computed from."
    )
    fingerprint = serializers.CharField(help_text="0x-hex keccak256 of the canonical encoding.")
    face_value = serializers.DecimalField(**AMOUNT)
    currency = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    ebl_platform = serializers.CharField(help_text="A bill's eBL platform (the bill itself stays there).")
    control_reference = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    registered_at = serializers.DateTimeField(allow_null=True)
    registration_tx_hash = serializers.SerializerMethodField()
    refusal_reason = serializers.CharField()
    released_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)

    def get_registration_tx_hash(self, obj: TradeDocument) -> str | None:
        tx = obj.registration_transaction
        return tx.tx_hash if tx is not None and tx.tx_hash else None


TradeDocumentPageOutput = page_output(TradeDocumentOutput)

_TEXT = {"required": False, "allow_blank": True, "max_length": FIELD_MAX_LENGTH}


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "An invoice",
            request_only=True,
            value={
                "kind": "invoice",
                "issuer_jurisdiction": "HK",
                "issuer_registration_number": "12345678",
                "buyer_name": "Pearl River Trading Co., Ltd.",
                "invoice_number": "INV-0042",
                "amount": "HKD 60,000.00",
                "currency": "HKD",
                "issue_date": "2026-03-01",
                "due_date": "31/05/2026",
            },
        ),
        OpenApiExample(
            "An electronic bill of lading",
            request_only=True,
            value={
                "kind": "bill_of_lading",
                "carrier": "COSCO Shipping Lines",
                "vessel": "MV Cosco Harmony",
                "port_of_loading": "Shenzhen Yantian",
                "port_of_discharge": "Rotterdam",
                "bl_number": "COSU0061234567",
                "issue_date": "2 Mar 2026",
                "platform": "essdocs",
                "control_reference": "CD-000123",
                "value": "40,000.00",
            },
        ),
    ]
)
class TradeDocumentInput(serializers.Serializer):
    """An invoice or a bill of lading as typed: spelling, spacing, full-width characters, leading zeros,
    date forms (YYYY-MM-DD, DD/MM/YYYY, 1 Mar 2026; never MM/DD) and amount forms are normalised.
    Invoice: issuer_jurisdiction, issuer_registration_number (your company's), buyer_name,
    buyer_registration_number (optional), invoice_number, amount, currency, issue_date, due_date.
    Bill of lading: carrier, vessel, port_of_loading, port_of_discharge, bl_number, issue_date,
    platform (an approved eBL platform), control_reference, and value (of the goods, in the
    application's currency)."""

    kind = serializers.ChoiceField(choices=TradeDocumentKind.choices)
    issuer_jurisdiction = api_fields.CharField(**_TEXT)
    issuer_registration_number = api_fields.CharField(**_TEXT)
    buyer_name = api_fields.CharField(**_TEXT)
    buyer_registration_number = api_fields.CharField(**_TEXT)
    invoice_number = api_fields.CharField(**_TEXT)
    amount = api_fields.CharField(**_TEXT)
    currency = api_fields.CharField(**_TEXT)
    issue_date = api_fields.CharField(**_TEXT)
    due_date = api_fields.CharField(**_TEXT)
    carrier = api_fields.CharField(**_TEXT)
    vessel = api_fields.CharField(**_TEXT)
    port_of_loading = api_fields.CharField(**_TEXT)
    port_of_discharge = api_fields.CharField(**_TEXT)
    bl_number = api_fields.CharField(**_TEXT)
    platform = api_fields.CharField(**_TEXT)
    control_reference = api_fields.CharField(**_TEXT)
    value = api_fields.CharField(**_TEXT)

    def service_kwargs(self, kind: str) -> dict[str, Any]:
        """The service's `fields` (those of `kind`) and `value`."""
        data = dict(self.validated_data)
        names = INVOICE_FIELDS if kind == TradeDocumentKind.INVOICE else BILL_OF_LADING_FIELDS
        return {"fields": {name: data.get(name, "") for name in names}, "value": data.get("value", "")}


class TradeDocumentChangeInput(TradeDocumentInput):
    """The corrected fields of a document (its kind stays)."""

    kind = serializers.ChoiceField(choices=TradeDocumentKind.choices, required=False)


class TradeDocumentListApi(APIView):
    """The documents backing an application; its SME adds one while the application is a draft."""

    def get_permissions(self) -> list[Any]:
        if self.request.method == "GET":
            return super().get_permissions()
        return [has_role(Role.SME)()]

    @extend_schema(
        operation_id="v1_trade_documents_list",
        parameters=[ListPageInput],
        responses={200: TradeDocumentPageOutput, **refusals(400, 404)},
    )
    def get(self, request: Request, application_id: int) -> Response:
        get_object_or_404(financing_selectors.applications_visible_to(request.user), pk=application_id)
        return list_page(
            request, selectors.trade_documents_of(request.user, application_id), TradeDocumentOutput
        )

    @extend_schema(
        request=TradeDocumentInput,
        responses={201: TradeDocumentOutput, **refusals(400, 404, 409, 413, 415, 503)},
    )
    def post(self, request: Request, application_id: int) -> Response:
        get_object_or_404(financing_selectors.applications_visible_to(request.user), pk=application_id)
        data = TradeDocumentInput(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.trade_document_add(
            user=request.user,
            application_id=application_id,
            kind=data.validated_data["kind"],
            **data.service_kwargs(data.validated_data["kind"]),
        )
        return Response(TradeDocumentOutput(document).data, status=status.HTTP_201_CREATED)


class TradeDocumentDetailApi(APIView):
    """One trade document; its SME corrects or removes it while the application is a draft."""

    def get_permissions(self) -> list[Any]:
        if self.request.method == "GET":
            return super().get_permissions()
        return [has_role(Role.SME)()]

    @extend_schema(responses={200: TradeDocumentOutput, **refusals(404)})
    def get(self, request: Request, document_id: int) -> Response:
        document = get_object_or_404(selectors.trade_documents_visible_to(request.user), pk=document_id)
        return Response(TradeDocumentOutput(document).data)

    @extend_schema(
        request=TradeDocumentChangeInput,
        responses={200: TradeDocumentOutput, **refusals(400, 404, 409, 413, 415, 503)},
    )
    def put(self, request: Request, document_id: int) -> Response:
        document = get_object_or_404(selectors.trade_documents_visible_to(request.user), pk=document_id)
        data = TradeDocumentChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        changed = services.trade_document_replace(
            user=request.user, document_id=document.pk, **data.service_kwargs(document.kind)
        )
        return Response(TradeDocumentOutput(changed).data)

    @extend_schema(request=None, responses={204: None, **refusals(404, 409)})
    def delete(self, request: Request, document_id: int) -> Response:
        document = get_object_or_404(selectors.trade_documents_visible_to(request.user), pk=document_id)
        services.trade_document_remove(user=request.user, document_id=document.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
