"""Issuer endpoints: the SME's own company, its people and documents, and the KYB submission."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import Role
from accounts.permissions import has_role
from compliance.pep_inputs import PepDeclarationInput, PepDeclarationOutput, pep_kwargs
from config import api_fields
from config.errors import NotFound
from config.middleware import accepts_uploads
from config.schema import refusals
from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from issuers import selectors, services
from issuers.choices import (
    DECLARABLE_RESIDENCIES,
    DocumentKind,
    Industry,
    Jurisdiction,
    Residency,
    SrdiTier,
    TrustRole,
)
from issuers.models import Company
from issuers.validators import REGISTRATION_NUMBER_INPUT_MAX_LENGTH


def residency_input(
    help_text: str = "Where the person lives: HK, MO, a mainland GBA city (CN-GZ ...), CN or other.",
) -> serializers.ChoiceField:
    """A required residency; `not_stated` is never accepted."""
    return serializers.ChoiceField(choices=DECLARABLE_RESIDENCIES, help_text=help_text)


RESIDENCY_INPUT = residency_input()


class PersonOutput(PepDeclarationOutput):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    nationality = serializers.CharField(source="nationality.code")
    residency = serializers.ChoiceField(
        choices=Residency.choices,
        help_text="Where the person lives; `not_stated` only on records from before.",
    )
    birth_date = serializers.DateField()
    is_director = serializers.BooleanField()
    is_beneficial_owner = serializers.BooleanField()
    ownership_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    trust_role = serializers.ChoiceField(choices=["", *TrustRole.values])


class DocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class CompanyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    legal_name_en = serializers.CharField()
    legal_name_zh = serializers.CharField()
    jurisdiction = serializers.CharField()
    registration_number = serializers.CharField()
    registration_check = serializers.CharField()
    industry = serializers.CharField()
    srdi_tier = serializers.CharField()
    is_green = serializers.BooleanField()
    is_technology = serializers.BooleanField()
    annual_revenue = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    employees = serializers.IntegerField(allow_null=True)
    years_trading = serializers.IntegerField(allow_null=True)
    founded_year = serializers.IntegerField(allow_null=True)
    description = serializers.CharField(help_text="A short description investors read on the offering page.")
    kyb_status = serializers.CharField()
    decision_reason = serializers.CharField()
    wallet_address = serializers.CharField(source="wallet.address", allow_null=True, default=None)
    people = PersonOutput(many=True)
    documents = DocumentOutput(many=True)
    missing = serializers.SerializerMethodField()

    def get_missing(self, company: Company) -> list[str]:
        return selectors.company_missing_items(company)


class MyCompanyApi(APIView):
    """The signed-in SME representative's company (step 1: identity)."""

    permission_classes = [has_role(Role.SME)]

    class CompanyIdentityInput(serializers.Serializer):
        legal_name_en = api_fields.CharField(max_length=NAME_MAX_LENGTH)
        legal_name_zh = api_fields.CharField(
            max_length=NAME_MAX_LENGTH, required=False, allow_blank=True, default=""
        )
        jurisdiction = serializers.ChoiceField(choices=Jurisdiction.values)
        registration_number = api_fields.CharField(max_length=REGISTRATION_NUMBER_INPUT_MAX_LENGTH)
        industry = serializers.ChoiceField(choices=Industry.values)

    @extend_schema(responses={200: CompanyOutput, **refusals(404)})
    def get(self, request: Request) -> Response:
        company = selectors.company_of(request.user)
        if company is None:
            raise NotFound("You have not created a company profile yet.")
        return Response(CompanyOutput(company).data)

    @extend_schema(
        request=CompanyIdentityInput, responses={200: CompanyOutput, **refusals(400, 409, 413, 415)}
    )
    def put(self, request: Request) -> Response:
        data = self.CompanyIdentityInput(data=request.data)
        data.is_valid(raise_exception=True)
        company = services.company_save(user=request.user, **data.validated_data)
        return Response(CompanyOutput(company).data)


class MyCompanyProfileApi(APIView):
    """Step 2: recognition, tags and the financial snapshot."""

    permission_classes = [has_role(Role.SME)]

    class CompanyProfileInput(serializers.Serializer):
        srdi_tier = serializers.ChoiceField(
            choices=SrdiTier.values, required=False, allow_blank=True, default=""
        )
        srdi_batch = api_fields.CharField(
            max_length=SHORT_TEXT_MAX_LENGTH, required=False, allow_blank=True, default=""
        )
        srdi_authority = api_fields.CharField(
            max_length=NAME_MAX_LENGTH, required=False, allow_blank=True, default=""
        )
        srdi_valid_from = api_fields.DateField(required=False, allow_null=True, default=None)
        srdi_valid_until = api_fields.DateField(required=False, allow_null=True, default=None)
        is_green = serializers.BooleanField(default=False)
        is_technology = serializers.BooleanField(default=False)
        annual_revenue = api_fields.DecimalField(
            max_digits=18, decimal_places=2, allow_null=True, min_value=0
        )
        employees = api_fields.IntegerField(allow_null=True, min_value=0, max_value=1_000_000)
        years_trading = api_fields.IntegerField(allow_null=True, min_value=0, max_value=300)
        founded_year = api_fields.IntegerField(
            allow_null=True, required=False, default=None, min_value=1800, max_value=9999
        )
        description = api_fields.CharField(
            max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
        )

    @extend_schema(request=CompanyProfileInput, responses={200: CompanyOutput, **refusals(400, 413, 415)})
    def put(self, request: Request) -> Response:
        data = self.CompanyProfileInput(data=request.data)
        data.is_valid(raise_exception=True)
        company = services.company_profile_save(user=request.user, **data.validated_data)
        return Response(CompanyOutput(company).data)


class PersonInput(PepDeclarationInput):
    full_name = api_fields.CharField(max_length=NAME_MAX_LENGTH)
    nationality = api_fields.CharField(max_length=2)
    residency = RESIDENCY_INPUT
    birth_date = api_fields.DateField()
    is_director = serializers.BooleanField(default=False)
    is_beneficial_owner = serializers.BooleanField(default=False)
    ownership_percent = api_fields.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    trust_role = serializers.ChoiceField(choices=["", *TrustRole.values], default="")


class MyCompanyPeopleApi(APIView):
    """Step 3: add a director or beneficial owner."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(request=PersonInput, responses={201: PersonOutput, **refusals(400, 413, 415)})
    def post(self, request: Request) -> Response:
        data = PersonInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.person_save(user=request.user, **pep_kwargs(data.validated_data))
        return Response(PersonOutput(person).data, status=status.HTTP_201_CREATED)


class MyCompanyPersonApi(APIView):
    """Step 3: edit or remove one person."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(request=PersonInput, responses={200: PersonOutput, **refusals(400, 404, 413, 415)})
    def put(self, request: Request, person_id: int) -> Response:
        data = PersonInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.person_save(
            user=request.user, person_id=person_id, **pep_kwargs(data.validated_data)
        )
        return Response(PersonOutput(person).data)

    @extend_schema(responses={204: None, **refusals(400, 404)})
    def delete(self, request: Request, person_id: int) -> Response:
        services.person_remove(user=request.user, person_id=person_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@accepts_uploads
class MyCompanyDocumentsApi(APIView):
    """Step 4: upload a KYB document (multipart: kind, file)."""

    permission_classes = [has_role(Role.SME)]
    parser_classes = [MultiPartParser]

    class DocumentUploadInput(serializers.Serializer):
        kind = serializers.ChoiceField(choices=DocumentKind.values)
        file = serializers.FileField()

    @extend_schema(request=DocumentUploadInput, responses={201: DocumentOutput, **refusals(400, 413, 415)})
    def post(self, request: Request) -> Response:
        data = self.DocumentUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_upload(
            user=request.user, kind=data.validated_data["kind"], upload=data.validated_data["file"]
        )
        return Response(DocumentOutput(document).data, status=status.HTTP_201_CREATED)


class MyCompanyDocumentApi(APIView):
    """Step 4: remove an uploaded document."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(responses={204: None, **refusals(400, 404)})
    def delete(self, request: Request, document_id: int) -> Response:
        services.document_remove(user=request.user, document_id=document_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyCompanySubmitApi(APIView):
    """Step 5: send the complete profile for KYB review."""

    permission_classes = [has_role(Role.SME)]

    @extend_schema(request=None, responses={200: CompanyOutput, **refusals(400, 409)})
    def post(self, request: Request) -> Response:
        return Response(CompanyOutput(services.company_submit_for_kyb(user=request.user)).data)
