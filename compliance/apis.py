"""Compliance endpoints: investor KYC, KYC and KYB decisions, the test stablecoin faucet, the audit trail."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import COMPLIANCE_ROLES, STAFF_ROLES, Role
from accounts.permissions import has_role
from compliance import selectors, services
from compliance.audit_export import audit_csv_lines, audit_csv_response
from compliance.audit_text import OBJECT_NOUNS
from compliance.choices import InvestorDocumentKind, InvestorType, KycStatus, PiEvidenceType
from compliance.kyc import kyc_missing_items
from compliance.models import InvestorProfile
from compliance.pep_inputs import PepDeclarationInput, PepDeclarationOutput, pep_kwargs
from compliance.screening.choices import Decision, PartyType
from compliance.screening.services import screening_record
from config import api_fields
from config.api import PAGE_MAX_OFFSET, limit_offset_page
from config.errors import NotFound
from config.middleware import accepts_uploads
from config.schema import RecommendedOutput, decision_responses, refusals
from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from financing.apis import ApplicationOutput
from issuers.apis import CompanyOutput, residency_input
from issuers.choices import KybStatus, Residency
from issuers.models import Company
from tokens.choices import PaymentCurrency

AUDIT_API_MAX_LIMIT = 200


class InvestorPersonOutput(PepDeclarationOutput):
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


class InvestorDocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=InvestorDocumentKind.choices)
    evidence_type = serializers.ChoiceField(choices=["", *PiEvidenceType.values])
    document_date = serializers.DateField(allow_null=True, help_text="The evidence's own date (PI evidence).")
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    submitted = serializers.BooleanField(
        source="is_submitted", help_text="Sent with a submission: fixed, no longer removable."
    )


class InvestorProfileOutput(PepDeclarationOutput):
    id = serializers.IntegerField()
    investor_type = serializers.CharField()
    legal_name = serializers.CharField()
    country = serializers.CharField(source="country.code")
    residency = serializers.ChoiceField(
        choices=Residency.choices, help_text="Where the investor lives or is established."
    )
    birth_date = serializers.DateField(allow_null=True, help_text="Individuals only.")
    id_document_number = serializers.CharField()
    declared_portfolio_hkd = serializers.DecimalField(max_digits=18, decimal_places=2)
    total_assets_hkd = serializers.DecimalField(max_digits=18, decimal_places=2)
    claims_professional = serializers.BooleanField(help_text="Claimed by the investor; verified at approval.")
    is_professional = serializers.BooleanField(
        help_text="Verified on evidence in date; false once it is stale."
    )
    professional_status = serializers.CharField(help_text="The PI status in words, as the pages show it.")
    pi_valid_until = serializers.DateField(
        allow_null=True, help_text="The day the verified PI status lapses."
    )
    kyc_valid_until = serializers.DateField(allow_null=True, help_text="The day the approval lapses.")
    kyc_status = serializers.CharField()
    decision_reason = serializers.CharField()
    wallet_address = serializers.CharField(source="wallet.address", allow_null=True, default=None)
    can_subscribe = serializers.BooleanField()
    chain_setup_error = serializers.CharField()
    people = InvestorPersonOutput(many=True)
    documents = InvestorDocumentOutput(many=True)
    missing = serializers.SerializerMethodField(help_text="What the investor must still provide to submit.")

    def get_missing(self, profile: InvestorProfile) -> list[str]:
        return kyc_missing_items(profile)


class ReviewQueueOutput(serializers.Serializer):
    companies = CompanyOutput(many=True, help_text="Companies awaiting a KYB decision, oldest first.")
    investors = InvestorProfileOutput(many=True, help_text="Investors awaiting a KYC decision, oldest first.")
    applications = ApplicationOutput(many=True, help_text="Applications awaiting review, oldest first.")
    stuck_investors = InvestorProfileOutput(
        many=True, help_text="Approved investors whose on-chain identity registration failed."
    )


class ReviewQueueApi(APIView):
    """Deprecated: list `GET /api/v1/compliance/cases/` (alerts too, filtered, paginated) instead.

    Kept answering what it always answered: what waits for a decision by section, and approved
    investors whose on-chain identity registration failed.
    """

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    @extend_schema(deprecated=True, responses={200: ReviewQueueOutput, **refusals()})
    def get(self, request: Request) -> Response:
        return Response(ReviewQueueOutput(selectors.review_queue()).data)


class MyKycApi(APIView):
    """The investor's own due diligence: read it, save it as a draft, or submit it for review."""

    permission_classes = [has_role(Role.INVESTOR)]

    class MyKycInput(PepDeclarationInput):
        investor_type = serializers.ChoiceField(choices=InvestorType.values)
        legal_name = api_fields.CharField(max_length=NAME_MAX_LENGTH)
        country = api_fields.CharField(max_length=2)
        residency = residency_input(
            "Where you live or are established (it must lie in `country`): HK, MO, a mainland GBA city "
            "(CN-GZ ...), CN or other."
        )
        birth_date = api_fields.DateField(
            required=False,
            allow_null=True,
            default=None,
            help_text="Individuals: required before submission.",
        )
        id_document_number = api_fields.CharField(max_length=SHORT_TEXT_MAX_LENGTH)
        declared_portfolio_hkd = api_fields.DecimalField(max_digits=18, decimal_places=2, min_value=0)
        total_assets_hkd = api_fields.DecimalField(
            max_digits=18,
            decimal_places=2,
            min_value=0,
            required=False,
            default=Decimal("0"),
            help_text="Corporations, partnerships and trust corporations.",
        )
        claims_professional = serializers.BooleanField(
            required=False, default=False, help_text="Claim PI status (Cap. 571D); needs dated PI evidence."
        )
        submit = serializers.BooleanField(
            required=False,
            default=True,
            help_text="False saves a draft (upload documents and add people next); true also submits.",
        )

    @extend_schema(responses={200: InvestorProfileOutput, **refusals(404)})
    def get(self, request: Request) -> Response:
        profile = selectors.investor_profile_of(request.user)
        if profile is None:
            raise NotFound("You have not submitted your due diligence yet.")
        return Response(InvestorProfileOutput(profile).data)

    @extend_schema(request=MyKycInput, responses={200: InvestorProfileOutput, **refusals(400, 409, 413, 415)})
    def post(self, request: Request) -> Response:
        data = self.MyKycInput(data=request.data)
        data.is_valid(raise_exception=True)
        details = pep_kwargs(data.validated_data)
        if details.pop("submit"):
            profile = services.investor_kyc_submit(user=request.user, **details)
        else:
            profile = services.investor_kyc_save(user=request.user, **details)
        return Response(InvestorProfileOutput(profile).data)


class MyKycSubmitApi(APIView):
    """Send the saved due diligence (details, people, documents) for review; also renews an approval."""

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(request=None, responses={200: InvestorProfileOutput, **refusals(400, 409)})
    def post(self, request: Request) -> Response:
        return Response(InvestorProfileOutput(services.investor_kyc_submit(user=request.user)).data)


@accepts_uploads
class MyKycDocumentsApi(APIView):
    """Upload a KYC evidence file (multipart: kind, file; PI evidence also evidence_type, document_date)."""

    permission_classes = [has_role(Role.INVESTOR)]
    parser_classes = [MultiPartParser]

    class KycDocumentUploadInput(serializers.Serializer):
        kind = serializers.ChoiceField(choices=InvestorDocumentKind.choices)
        evidence_type = serializers.ChoiceField(
            choices=["", *PiEvidenceType.values], required=False, default=""
        )
        document_date = api_fields.DateField(required=False, allow_null=True, default=None)
        file = serializers.FileField()

    @extend_schema(
        request={"multipart/form-data": KycDocumentUploadInput},
        responses={201: InvestorDocumentOutput, **refusals(400, 409, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        data = self.KycDocumentUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        document = services.investor_document_upload(
            user=request.user,
            kind=values["kind"],
            upload=values["file"],
            evidence_type=values["evidence_type"],
            document_date=values["document_date"],
        )
        return Response(InvestorDocumentOutput(document).data, status=status.HTTP_201_CREATED)


class MyKycDocumentApi(APIView):
    """Remove an evidence file before it is submitted."""

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(responses={204: None, **refusals(404, 409)})
    def delete(self, request: Request, document_id: int) -> Response:
        services.investor_document_remove(user=request.user, document_id=document_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvestorPersonInput(PepDeclarationInput):
    full_name = api_fields.CharField(max_length=NAME_MAX_LENGTH)
    nationality = api_fields.CharField(max_length=2)
    residency = residency_input()
    birth_date = api_fields.DateField()
    is_director = serializers.BooleanField(default=False)
    is_beneficial_owner = serializers.BooleanField(default=False)
    ownership_percent = api_fields.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)


class MyKycPeopleApi(APIView):
    """Add a director or beneficial owner of a corporate or trust investor."""

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(
        request=InvestorPersonInput, responses={201: InvestorPersonOutput, **refusals(400, 409, 413, 415)}
    )
    def post(self, request: Request) -> Response:
        data = InvestorPersonInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.investor_person_save(user=request.user, **pep_kwargs(data.validated_data))
        return Response(InvestorPersonOutput(person).data, status=status.HTTP_201_CREATED)


class MyKycPersonApi(APIView):
    """Edit or remove one director or owner."""

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(
        request=InvestorPersonInput,
        responses={200: InvestorPersonOutput, **refusals(400, 404, 409, 413, 415)},
    )
    def put(self, request: Request, person_id: int) -> Response:
        data = InvestorPersonInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.investor_person_save(
            user=request.user, person_id=person_id, **pep_kwargs(data.validated_data)
        )
        return Response(InvestorPersonOutput(person).data)

    @extend_schema(responses={204: None, **refusals(404, 409)})
    def delete(self, request: Request, person_id: int) -> Response:
        services.investor_person_remove(user=request.user, person_id=person_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RevokeInput(serializers.Serializer):
    reason = api_fields.CharField(max_length=REASON_MAX_LENGTH, help_text="Shown to the investor.")


class KycRevokeApi(APIView):
    """Compliance revokes an approved investor: subscriptions are refused, the identity leaves the chain."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    @extend_schema(
        request=RevokeInput, responses={200: InvestorProfileOutput, **refusals(400, 404, 409, 413, 415, 503)}
    )
    def post(self, request: Request, profile_id: int) -> Response:
        data = RevokeInput(data=request.data)
        data.is_valid(raise_exception=True)
        profile = services.investor_kyc_revoke(
            actor=request.user, profile_id=profile_id, reason=data.validated_data["reason"]
        )
        return Response(InvestorProfileOutput(profile).data)


class DecisionInput(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = api_fields.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")


class KycDecisionOutput(InvestorProfileOutput, RecommendedOutput):
    pass


class KybDecisionOutput(CompanyOutput, RecommendedOutput):
    pass


class KycDecisionApi(APIView):
    """Compliance approves or rejects an investor (four eyes: see `/api/v1/compliance/cases/`)."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    @extend_schema(
        request=DecisionInput,
        responses=decision_responses(KycDecisionOutput, 400, 404, 409, 413, 415, 503),
    )
    def post(self, request: Request, profile_id: int) -> Response:
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        profile = get_object_or_404(InvestorProfile, pk=profile_id)
        profile = services.investor_kyc_decide(actor=request.user, profile=profile, **data.validated_data)
        recommended = profile.kyc_status == KycStatus.SUBMITTED  # still waiting: an approver decides
        output = KycDecisionOutput(profile, context={"recommended": recommended})
        return Response(output.data, status=202 if recommended else 200)


class KybDecisionApi(APIView):
    """Compliance verifies or rejects a company (four eyes: see `/api/v1/compliance/cases/`)."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    @extend_schema(
        request=DecisionInput, responses=decision_responses(KybDecisionOutput, 400, 404, 409, 413, 415)
    )
    def post(self, request: Request, company_id: int) -> Response:
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        company = get_object_or_404(Company, pk=company_id)
        company = services.company_kyb_decide(actor=request.user, company=company, **data.validated_data)
        recommended = company.kyb_status == KybStatus.SUBMITTED  # still waiting: an approver decides
        output = KybDecisionOutput(company, context={"recommended": recommended})
        return Response(output.data, status=202 if recommended else 200)


class KycChainRetryApi(APIView):
    """Compliance sends an approved investor's failed identity registration again."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    @extend_schema(request=None, responses={200: InvestorProfileOutput, **refusals(404, 409, 503)})
    def post(self, request: Request, profile_id: int) -> Response:
        profile = services.investor_chain_setup_retry(actor=request.user, profile_id=profile_id)
        return Response(InvestorProfileOutput(profile).data)


class FaucetOutput(serializers.Serializer):
    transaction_id = serializers.IntegerField(help_text="The outbox row of the mint; it confirms later.")


class FaucetApi(APIView):
    """Mint a test stablecoin (HKD unless `currency` names another) into the investor's wallet (demo and
    test platforms only)."""

    permission_classes = [has_role(Role.INVESTOR)]

    class FaucetInput(serializers.Serializer):
        amount = api_fields.DecimalField(max_digits=18, decimal_places=2, min_value=0)
        currency = serializers.ChoiceField(
            choices=PaymentCurrency.choices, default=PaymentCurrency.HKD, help_text="Which test stablecoin."
        )

    @extend_schema(request=FaucetInput, responses={202: FaucetOutput, **refusals(400, 413, 415, 503)})
    def post(self, request: Request) -> Response:
        data = self.FaucetInput(data=request.data)
        data.is_valid(raise_exception=True)
        tx = services.demo_fund_investor(
            actor=request.user,
            amount_hkd=data.validated_data["amount"],
            currency=data.validated_data["currency"],
        )
        return Response({"transaction_id": tx.pk}, status=202)


class AuditVerifyOutput(serializers.Serializer):
    intact = serializers.BooleanField(allow_null=True, help_text="Null until the first verification.")
    first_broken_event = serializers.IntegerField(allow_null=True)
    verified_through_event = serializers.IntegerField()
    verified_at = serializers.DateTimeField(allow_null=True)
    full_verified_at = serializers.DateTimeField(allow_null=True)
    unverified_events = serializers.IntegerField()


class AuditVerifyApi(APIView):
    """What the last verification of the audit trail found (staff only); beat verifies it."""

    permission_classes = [has_role(*STAFF_ROLES)]

    @extend_schema(responses={200: AuditVerifyOutput, **refusals()})
    def get(self, request: Request) -> Response:
        status = selectors.audit_status()
        checkpoint = status.checkpoint
        return Response(
            AuditVerifyOutput(
                {
                    "intact": status.intact,
                    "first_broken_event": status.broken_at,
                    "verified_through_event": checkpoint.last_event_id if checkpoint else 0,
                    "verified_at": checkpoint.verified_at if checkpoint else None,
                    "full_verified_at": checkpoint.full_verified_at if checkpoint else None,
                    "unverified_events": status.unverified,
                }
            ).data
        )


class ScreeningHitOutput(serializers.Serializer):
    list_id = serializers.CharField(help_text="The list's own id of the entry (the SDN entry number).")
    name = serializers.CharField(help_text="The entry's name as the list writes it.")
    score = serializers.IntegerField(help_text="0-100: how closely the screened name matches the entry.")
    program = serializers.CharField(help_text="The sanctions programme(s) of the entry.")


class ScreeningOutput(serializers.Serializer):
    screening_id = serializers.IntegerField(help_text="The recorded screening.")
    list_version = serializers.CharField(help_text="The list version screened against (its file's name).")
    list_sha256 = serializers.CharField(help_text="The SHA-256 of that version's file.")
    hits = ScreeningHitOutput(many=True)
    decision = serializers.ChoiceField(choices=Decision.values)


class ScreeningApi(APIView):
    """Screen a name against the latest sanctions list version (compliance); every screening is recorded."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    class ScreeningInput(serializers.Serializer):
        name = api_fields.CharField(max_length=NAME_MAX_LENGTH)
        entity_type = serializers.ChoiceField(choices=PartyType.values)
        birth_year = api_fields.IntegerField(min_value=1900, max_value=2100, required=False, allow_null=True)
        country = api_fields.CharField(
            max_length=2, required=False, allow_blank=True, help_text="ISO 3166 code, e.g. HK."
        )

        def validate_country(self, value: str) -> str:
            value = value.upper()
            if value and value not in dict(countries):
                raise serializers.ValidationError("Give a two-letter ISO country code, e.g. HK.")
            return value

    @extend_schema(request=ScreeningInput, responses={200: ScreeningOutput, **refusals(400, 409, 413, 415)})
    def post(self, request: Request) -> Response:
        data = self.ScreeningInput(data=request.data)
        data.is_valid(raise_exception=True)
        screening, result = screening_record(actor=request.user, **data.validated_data)
        return Response(
            ScreeningOutput(
                {
                    "screening_id": screening.pk,
                    "list_version": result.list_version.name,
                    "list_sha256": result.list_version.sha256,
                    "hits": result.hits_data(),
                    "decision": result.decision,
                }
            ).data
        )


class CsvRenderer(BaseRenderer):
    """Lets `?format=csv` or `Accept: text/csv` choose the export; the view streams the body itself.

    Refusals are rendered as JSON by the view, so this renderer never formats one.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return json.dumps(data).encode()


class AuditEntryOutput(serializers.Serializer):
    id = serializers.IntegerField(source="event.pk")
    occurred_at = serializers.DateTimeField(source="event.occurred_at")
    sentence = serializers.CharField(help_text="The entry in words: who did what to which object, and why.")
    url = serializers.CharField(allow_null=True, help_text="The object's page, when you may open it.")
    actor = serializers.CharField(source="event.actor.full_name", allow_null=True, default=None)
    actor_id = serializers.IntegerField(source="event.actor_id", allow_null=True)
    action = serializers.CharField(source="event.action")
    object_type = serializers.CharField(source="event.object_type")
    object_id = serializers.CharField(source="event.object_id")
    from_status = serializers.CharField(source="event.from_status")
    to_status = serializers.CharField(source="event.to_status")
    reason = serializers.CharField(source="event.reason")
    data = serializers.JSONField(source="event.data")
    hash = serializers.CharField(source="event.hash")
    previous_hash = serializers.CharField(source="event.previous_hash")


class AuditPageOutput(serializers.Serializer):
    count = serializers.IntegerField(help_text="Entries matching the filter.")
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = AuditEntryOutput(many=True)


class AuditFilterInput(serializers.Serializer):
    actor = api_fields.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH, required=False, default="", help_text="Part of a name or e-mail."
    )
    object_type = serializers.ChoiceField(choices=list(OBJECT_NOUNS), required=False, default="")
    object_id = api_fields.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(choices=list(selectors.AUDIT_KINDS), required=False, default="")
    date_from = api_fields.DateField(required=False, allow_null=True, default=None)
    date_to = api_fields.DateField(required=False, allow_null=True, default=None)
    limit = api_fields.IntegerField(min_value=1, max_value=AUDIT_API_MAX_LIMIT, required=False, default=50)
    offset = api_fields.IntegerField(min_value=0, max_value=PAGE_MAX_OFFSET, required=False, default=0)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["date_from"] and attrs["date_to"] and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": ["The end date is before the start date."]})
        return attrs

    def audit_filter(self) -> selectors.AuditFilter:
        return selectors.AuditFilter.of(self.validated_data)


class AuditListApi(APIView):
    """The audit trail in words, newest first, filtered and paginated (staff only); CSV with `?format=csv`."""

    permission_classes = [has_role(*STAFF_ROLES)]
    renderer_classes = [JSONRenderer, CsvRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        """A refusal is the JSON error body the schema documents, even when CSV was asked for."""
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        parameters=[AuditFilterInput],
        responses={
            (200, "application/json"): AuditPageOutput,
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="Every matching entry, oldest first: sentence, raw fields and hashes.",
            ),
            **refusals(400),
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        query = AuditFilterInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        events = selectors.audit_events(where=query.audit_filter())
        if request.accepted_renderer.format == "csv":
            return audit_csv_response(audit_csv_lines(request.user, events.order_by("pk")))
        page = limit_offset_page(
            request,
            events,
            limit=query.validated_data["limit"],
            offset=query.validated_data["offset"],
            results=lambda rows: selectors.audit_entries(request.user, rows),
        )
        return Response(AuditPageOutput(page).data)
