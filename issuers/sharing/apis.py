"""Data-sharing endpoints: the SME's consents (list, grant, revoke, reads) and the recipient's shared data."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.lockout import client_address
from accounts.permissions import has_role
from config import api_fields
from config.api import ListPageInput, StoredFileApi, list_page, page_output
from config.errors import PermissionDenied
from config.schema import refusals, stored_file_responses
from config.text import REASON_MAX_LENGTH
from issuers.apis import DocumentOutput
from issuers.sharing import selectors, services
from issuers.sharing.choices import ConsentState, Dataset, Purpose, ReadChannel
from issuers.sharing.models import DataConsent


class ConsentOutput(serializers.Serializer):
    """A consent as its company and its recipient see it."""

    id = serializers.IntegerField()
    company = serializers.CharField(source="company.legal_name_en")
    company_id = serializers.IntegerField()
    recipient_email = serializers.CharField(source="recipient.email")
    datasets = serializers.ListField(child=serializers.ChoiceField(choices=Dataset.choices))
    all_documents = serializers.BooleanField(help_text="Every KYB document, including later uploads.")
    document_ids = serializers.SerializerMethodField(
        help_text="The documents chosen (empty with all_documents)."
    )
    purpose = serializers.ChoiceField(choices=Purpose.values)
    purpose_detail = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    state = serializers.ChoiceField(choices=ConsentState.choices, help_text="Where the consent stands today.")
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)

    def get_document_ids(self, consent: DataConsent) -> list[int]:
        return [] if consent.all_documents else [document.pk for document in consent.documents.all()]


class ConsentGrantedOutput(ConsentOutput):
    people_withheld = serializers.CharField(
        help_text="Why some or all directors and owners are withheld from this recipient ('' if none are)."
    )


class ReadOutput(serializers.Serializer):
    """One read of shared data."""

    id = serializers.IntegerField()
    consent_id = serializers.IntegerField()
    reader_email = serializers.CharField(source="reader.email")
    dataset = serializers.ChoiceField(choices=Dataset.choices)
    document_id = serializers.IntegerField(allow_null=True)
    object_label = serializers.CharField(help_text="The document read, if one was.")
    via = serializers.ChoiceField(choices=ReadChannel.values)
    client_address = serializers.CharField(allow_null=True)
    people_withheld = serializers.BooleanField()
    read_at = serializers.DateTimeField()


def _consents(rows: Any) -> list[DataConsent]:
    """One page of consents with their chosen documents read at once."""
    from django.db.models import prefetch_related_objects

    consents = list(rows)
    prefetch_related_objects(consents, "documents")
    return consents


class ConsentListApi(APIView):
    """An SME's consents (list, grant); an investor's: the consents shared with it (list)."""

    permission_classes = [has_role(Role.SME, Role.INVESTOR)]

    class ConsentInput(serializers.Serializer):
        recipient_email = serializers.EmailField(help_text="The verified investor's account email.")
        datasets = serializers.ListField(
            child=serializers.ChoiceField(choices=Dataset.choices), allow_empty=True, max_length=len(Dataset)
        )
        all_documents = serializers.BooleanField(default=False)
        document_ids = serializers.ListField(
            child=api_fields.IntegerField(min_value=1), required=False, default=list, max_length=100
        )
        purpose = serializers.ChoiceField(choices=Purpose.values)
        purpose_detail = api_fields.CharField(
            max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
        )
        valid_from = api_fields.DateField()
        valid_until = api_fields.DateField()

    @extend_schema(parameters=[ListPageInput], responses={200: page_output(ConsentOutput), **refusals(400)})
    def get(self, request: Request) -> Response:
        return list_page(
            request, selectors.consents_visible_to(request.user), ConsentOutput, results=_consents
        )

    @extend_schema(request=ConsentInput, responses={201: ConsentGrantedOutput, **refusals(400, 413, 415)})
    def post(self, request: Request) -> Response:
        if request.user.role != Role.SME:  # a recipient lists what is shared with it; only an SME grants
            raise PermissionDenied(gettext("Only an SME's representative shares its company's data."))
        data = self.ConsentInput(data=request.data)
        data.is_valid(raise_exception=True)
        granted = services.consent_grant(user=request.user, **data.validated_data)
        body = {**ConsentOutput(granted.consent).data, "people_withheld": granted.people_withheld}
        return Response(body, status=status.HTTP_201_CREATED)


class ConsentRevokeApi(APIView):
    """Revoke one of your company's consents, at once (the recipient's next read is refused)."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(request=None, responses={200: ConsentOutput, **refusals(404, 409)})
    def post(self, request: Request, consent_id: int) -> Response:
        return Response(ConsentOutput(services.consent_revoke(user=request.user, consent_id=consent_id)).data)


class ConsentReadsApi(APIView):
    """Every read made under one consent, newest first (its SME; compliance staff)."""

    permission_classes = [has_role(Role.SME, *COMPLIANCE_ROLES)]

    @extend_schema(parameters=[ListPageInput], responses={200: page_output(ReadOutput), **refusals(400, 404)})
    def get(self, request: Request, consent_id: int) -> Response:
        return list_page(request, selectors.consent_reads(request.user, consent_id), ReadOutput)


class SharedPersonOutput(serializers.Serializer):
    full_name = serializers.CharField()
    nationality = serializers.CharField(source="nationality.code")
    residency = serializers.CharField(help_text="Where the person lives (decides the cross-border rules).")
    is_director = serializers.BooleanField()
    is_beneficial_owner = serializers.BooleanField()
    ownership_percent = serializers.DecimalField(max_digits=5, decimal_places=2)


class SharedProfileOutput(serializers.Serializer):
    legal_name_zh = serializers.CharField()
    industry = serializers.CharField()
    srdi_tier = serializers.CharField()
    is_green = serializers.BooleanField()
    is_technology = serializers.BooleanField()
    founded_year = serializers.IntegerField(allow_null=True)
    description = serializers.CharField()
    kyb_status = serializers.CharField()


class SharedFinancialsOutput(serializers.Serializer):
    annual_revenue = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    revenue_currency = serializers.CharField()
    employees = serializers.IntegerField(allow_null=True)
    years_trading = serializers.IntegerField(allow_null=True)


class SharedScheduleOutput(serializers.Serializer):
    application_id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    instrument = serializers.CharField()
    status = serializers.CharField()
    currency = serializers.CharField()
    target_amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    schedule = serializers.JSONField(
        allow_null=True,
        help_text="`rows` (period, date, principal, interest, payment, outstanding) and `totals`; "
        "null for shares.",
    )


class SharedDatasetOutput(serializers.Serializer):
    """One dataset shared under a live consent: only the part asked for is filled."""

    consent_id = serializers.IntegerField()
    dataset = serializers.ChoiceField(choices=Dataset.choices)
    company = serializers.CharField(help_text="The company's legal name in English.")
    registration_number = serializers.CharField()
    jurisdiction = serializers.CharField()
    profile = SharedProfileOutput(allow_null=True)
    people = SharedPersonOutput(
        many=True,
        allow_null=True,
        help_text="Directors and owners whose records may go to you (see people_withheld).",
    )
    people_withheld = serializers.CharField(
        help_text="Why some or all directors and owners are withheld (cross-border rules; '' if none)."
    )
    financials = SharedFinancialsOutput(allow_null=True)
    documents = DocumentOutput(many=True, allow_null=True)
    schedules = SharedScheduleOutput(many=True, allow_null=True)


def shared_body(data: services.SharedData) -> dict[str, Any]:
    """The JSON of one shared read: the dataset asked for, the rest null."""
    company, dataset = data.company, data.dataset
    body: dict[str, Any] = {
        "consent_id": data.consent.pk,
        "dataset": dataset,
        "company": company.legal_name_en,
        "registration_number": company.registration_number,
        "jurisdiction": company.jurisdiction,
        "profile": None,
        "people": None,
        "people_withheld": data.people_withheld,
        "financials": None,
        "documents": None,
        "schedules": None,
    }
    if dataset == Dataset.PROFILE:
        body["profile"] = SharedProfileOutput(company).data
        body["people"] = SharedPersonOutput(data.people, many=True).data
    elif dataset == Dataset.FINANCIALS:
        body["financials"] = SharedFinancialsOutput(company).data
    elif dataset == Dataset.DOCUMENTS:
        body["documents"] = DocumentOutput(data.documents, many=True).data
    elif dataset == Dataset.SCHEDULES:
        body["schedules"] = [
            {
                "application_id": item.application.pk,
                "reference": item.application.reference,
                "title": item.application.title,
                "instrument": item.application.instrument,
                "status": item.application.status,
                "currency": item.application.currency,
                "target_amount": str(item.application.target_amount),
                "schedule": item.schedule.as_dict() if item.schedule is not None else None,
            }
            for item in data.schedules
        ]
    return body


def _read(
    request: Request, consent_id: int, dataset: str, document_id: int | None = None
) -> services.SharedData:
    return services.shared_dataset(
        viewer=request.user,
        consent_id=consent_id,
        dataset=dataset,
        via=ReadChannel.API,
        client_address=client_address(request),
        document_id=document_id,
    )


class SharedDatasetApi(APIView):
    """Read one dataset a company shares with you (profile, financials, documents, schedules); logged."""

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(
        parameters=[
            OpenApiParameter("dataset", OpenApiTypes.STR, OpenApiParameter.PATH, enum=Dataset.values)
        ],
        responses={200: SharedDatasetOutput, **refusals(404)},
    )
    def get(self, request: Request, consent_id: int, dataset: str) -> Response:
        return Response(shared_body(_read(request, consent_id, dataset)))


class SharedDocumentApi(StoredFileApi):
    """Download one KYB document a company shares with you; logged."""

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(responses=stored_file_responses())
    def get(self, request: Request, consent_id: int, document_id: int) -> FileResponse:
        document = _read(request, consent_id, Dataset.DOCUMENTS, document_id).document
        assert document is not None
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type,
        )
