"""API of the cross-border record: the SME's separate consents, compliance's assessment and filing."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.permissions import has_role
from config import api_fields
from config.errors import NotFound
from config.middleware import accepts_uploads
from config.schema import refusals
from config.text import REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from issuers import transfers
from issuers.choices import FilingAuthority, PiaConclusion, Residency, TransferDirection
from issuers.models import Company, CrossBorderTransfer
from issuers.residency import TRANSFER_CONSENT_SHA256, TRANSFER_CONSENT_VERSION, people_transfer_status
from issuers.selectors import company_for_review, company_of


class TransferConsentOutput(serializers.Serializer):
    consented_on = serializers.DateField(help_text="The day the person gave the consent.")
    text_version = serializers.CharField()
    text_sha256 = serializers.CharField(help_text="SHA-256 of the consent text the person agreed to.")
    recorded_at = serializers.DateTimeField()


class PersonTransferOutput(serializers.Serializer):
    person_id = serializers.IntegerField(source="person.pk")
    full_name = serializers.CharField(source="person.full_name")
    residency = serializers.ChoiceField(choices=Residency.choices, source="person.residency")
    needs_consent = serializers.BooleanField(
        help_text="A mainland GBA resident (or residency not stated): needs a separate consent."
    )
    consent = TransferConsentOutput(allow_null=True, help_text="The live separate consent, if any.")
    withheld_reason = serializers.CharField(
        allow_null=True, help_text="Why the record may not go to a recipient in Hong Kong now (null: it may)."
    )


class AssessmentOutput(serializers.Serializer):
    assessed_on = serializers.DateField()
    conclusion = serializers.ChoiceField(choices=PiaConclusion.values)
    summary = serializers.CharField()
    reviewer = serializers.CharField(source="reviewer.full_name")
    document_name = serializers.CharField()
    document_sha256 = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class FilingOutput(serializers.Serializer):
    authority = serializers.ChoiceField(choices=FilingAuthority.values)
    reference = serializers.CharField()
    filed_on = serializers.DateField()
    recorded_by = serializers.CharField(source="recorded_by.full_name")
    recorded_at = serializers.DateTimeField()


class CrossBorderOutput(serializers.Serializer):
    company_id = serializers.IntegerField()
    direction = serializers.ChoiceField(choices=TransferDirection.values)
    consent_text_version = serializers.CharField(help_text="The version of the consent text recorded now.")
    consent_text_sha256 = serializers.CharField()
    people = PersonTransferOutput(many=True)
    impact_assessment = AssessmentOutput(allow_null=True)
    standard_contract_filing = FilingOutput(allow_null=True)


def cross_border_of(company: Company) -> dict[str, Any]:
    """The company's cross-border record as the API answers it."""
    transfer = (
        CrossBorderTransfer.objects.filter(company=company)
        .select_related("pia_reviewer", "filing_recorded_by")
        .first()
    )
    assessment = filing = None
    if transfer is not None and transfer.pia_assessed_on is not None:
        assessment = {
            "assessed_on": transfer.pia_assessed_on,
            "conclusion": transfer.pia_conclusion,
            "summary": transfer.pia_summary,
            "reviewer": transfer.pia_reviewer,
            "document_name": transfer.pia_document_name,
            "document_sha256": transfer.pia_document_sha256,
            "recorded_at": transfer.pia_recorded_at,
        }
    if transfer is not None and transfer.filed_on is not None:
        filing = {
            "authority": transfer.filing_authority,
            "reference": transfer.filing_reference,
            "filed_on": transfer.filed_on,
            "recorded_by": transfer.filing_recorded_by,
            "recorded_at": transfer.filing_recorded_at,
        }
    return {
        "company_id": company.pk,
        "direction": TransferDirection.MAINLAND_TO_HONG_KONG,
        "consent_text_version": TRANSFER_CONSENT_VERSION,
        "consent_text_sha256": TRANSFER_CONSENT_SHA256,
        "people": people_transfer_status(company=company),
        "impact_assessment": assessment,
        "standard_contract_filing": filing,
    }


def _own_company(request: Request) -> Company:
    company = company_of(request.user)
    if company is None:
        raise NotFound("Fill in the company details first.")
    return company


def _reviewed_company(company_id: int) -> Company:
    company = company_for_review(company_id)
    if company is None:
        raise NotFound("No such company.")
    return company


class MyCrossBorderApi(APIView):
    """The SME's own cross-border record: each person's residency, consent and whether it may be shared."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(responses={200: CrossBorderOutput, **refusals(404)})
    def get(self, request: Request) -> Response:
        return Response(CrossBorderOutput(cross_border_of(_own_company(request))).data)


class TransferConsentInput(serializers.Serializer):
    person_id = api_fields.IntegerField(min_value=1)
    consented_on = api_fields.DateField(help_text="The day the person gave the consent (not in the future).")
    separate_consent = serializers.BooleanField(
        help_text="True only when the person agreed to the consent text on its own, apart from other terms."
    )


class MyTransferConsentsApi(APIView):
    """Record one person's separate consent to their record going to Hong Kong (the current text)."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(
        request=TransferConsentInput, responses={201: CrossBorderOutput, **refusals(400, 404, 409, 413, 415)}
    )
    def post(self, request: Request) -> Response:
        data = TransferConsentInput(data=request.data)
        data.is_valid(raise_exception=True)
        consent = transfers.transfer_consent_record(user=request.user, **data.validated_data)
        return Response(
            CrossBorderOutput(cross_border_of(consent.person.company)).data, status=status.HTTP_201_CREATED
        )


class MyTransferConsentApi(APIView):
    """Withdraw a person's consent: their record is withheld from then on."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(responses={200: CrossBorderOutput, **refusals(404, 409)})
    def delete(self, request: Request, person_id: int) -> Response:
        consent = transfers.transfer_consent_withdraw(user=request.user, person_id=person_id)
        return Response(CrossBorderOutput(cross_border_of(consent.person.company)).data)


class CompanyCrossBorderApi(APIView):
    """A company's cross-border record, for compliance."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    @extend_schema(responses={200: CrossBorderOutput, **refusals(404)})
    def get(self, request: Request, company_id: int) -> Response:
        return Response(CrossBorderOutput(cross_border_of(_reviewed_company(company_id))).data)


class AssessmentInput(serializers.Serializer):
    assessed_on = api_fields.DateField(help_text="The day of the assessment (not in the future).")
    conclusion = serializers.ChoiceField(choices=PiaConclusion.values)
    summary = api_fields.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")
    document = serializers.FileField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The report: PDF, PNG or JPEG (multipart only).",
    )


@accepts_uploads
class CompanyAssessmentApi(APIView):
    """Record the personal information protection impact assessment (JSON, or multipart with its report)."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        request=AssessmentInput, responses={200: CrossBorderOutput, **refusals(400, 404, 413, 415)}
    )
    def post(self, request: Request, company_id: int) -> Response:
        data = AssessmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = transfers.transfer_assessment_record(
            user=request.user, company_id=company_id, **data.validated_data
        )
        return Response(CrossBorderOutput(cross_border_of(transfer.company)).data)


class FilingInput(serializers.Serializer):
    authority = serializers.ChoiceField(choices=FilingAuthority.values)
    reference = api_fields.CharField(max_length=SHORT_TEXT_MAX_LENGTH, help_text="The authority's reference.")
    filed_on = api_fields.DateField(help_text="The day of filing (not in the future).")


class CompanyFilingApi(APIView):
    """Record the filing of the GBA standard contract."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    @extend_schema(request=FilingInput, responses={200: CrossBorderOutput, **refusals(400, 404, 413, 415)})
    def post(self, request: Request, company_id: int) -> Response:
        data = FilingInput(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = transfers.transfer_filing_record(
            user=request.user, company_id=company_id, **data.validated_data
        )
        return Response(CrossBorderOutput(cross_border_of(transfer.company)).data)
