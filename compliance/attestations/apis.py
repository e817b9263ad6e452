"""Attestation endpoints: a holder issues and downloads; compliance revokes; anyone verifies a file and
reads the published attester address (no log-in)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import COMPLIANCE_ROLES
from accounts.permissions import has_role
from compliance.attestations import selectors, services
from compliance.attestations.verify import (
    SIGNATURE_PATTERN,
    Verification,
    attestation_verify,
    issuer,
    statement,
)
from compliance.choices import AttestationKind, AttestationStatus
from compliance.models import Attestation
from config import api_fields
from config.api import ListPageInput, list_page, page_output
from config.errors import NotFound
from config.ratelimit import RateLimitThrottle
from config.schema import refusals
from config.text import REASON_MAX_LENGTH
from tokens.signer import ATTESTATION_TYPES, EIP712_DOMAIN_TYPE

# The public endpoints' rate limit (RATE_LIMITS), per client address.
RATE_LIMIT_SCOPE = "attestations"


class AttestationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AttestationKind.choices)
    status = serializers.ChoiceField(choices=AttestationStatus.choices)
    digest = serializers.CharField(help_text="The EIP-712 digest (what the registry revokes).")
    signer = serializers.CharField(help_text="The attester address that signed it.")
    issued_at = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    revocation_reason = serializers.CharField()
    revoked_on_chain_at = serializers.DateTimeField(
        allow_null=True, help_text="When the AttestationRegistry recorded the revocation."
    )
    statement = serializers.SerializerMethodField()

    def get_statement(self, attestation: Attestation) -> str:
        typed = attestation.typed_data
        return statement(typed["primaryType"], typed["message"])


class AttestationIssueInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AttestationKind.choices)
    wallet = api_fields.CharField(
        max_length=42,
        required=False,
        allow_blank=True,
        default="",
        help_text="Professional investor: which of your wallets (your custodial wallet unless named).",
    )


class AttestationRevokeInput(serializers.Serializer):
    reason = api_fields.CharField(max_length=REASON_MAX_LENGTH)


class AttestationDocumentInput(serializers.Serializer):
    """An attestation file as downloaded: `{domain, types, primaryType, message, signature}`."""

    domain = serializers.DictField(help_text="EIP-712 domain: name, version, chainId, verifyingContract.")
    types = serializers.DictField(help_text="EIP-712 types, EIP712Domain included.")
    primaryType = api_fields.CharField(max_length=64)
    message = serializers.DictField()
    signature = api_fields.CharField(max_length=132, help_text="0x + 65 bytes (r, s, v) in hex.")

    def validate_signature(self, value: str) -> str:
        if not SIGNATURE_PATTERN.match(value):
            raise serializers.ValidationError("A signature is 0x followed by 130 hexadecimal digits.")
        return value


class VerificationOutput(serializers.Serializer):
    valid = serializers.BooleanField(help_text="Signed by the platform's attester, in date, not revoked.")
    kind = serializers.CharField(help_text="The EIP-712 primary type.")
    digest = serializers.CharField()
    signer = serializers.CharField(help_text="The address recovered from the signature.")
    attester = serializers.CharField(help_text="The platform's published attester address.")
    signed_by_platform = serializers.BooleanField()
    platform_domain = serializers.BooleanField(help_text="The file names this platform's domain.")
    issued_at = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    expired = serializers.BooleanField()
    revoked = serializers.BooleanField(help_text="Read from the AttestationRegistry on chain.")
    revoked_at = serializers.DateTimeField(allow_null=True)
    statement = serializers.CharField(help_text="What the attestation states, in words.")
    problems = serializers.ListField(child=serializers.CharField())


class IssuerOutput(serializers.Serializer):
    attester = serializers.CharField(
        help_text="The address whose signatures are the platform's attestations."
    )
    registry = serializers.CharField(help_text="The AttestationRegistry (the domain's verifyingContract).")
    chain_id = serializers.IntegerField()
    domain = serializers.DictField()
    types = serializers.DictField(help_text="The EIP-712 types of each kind of attestation.")


class AttestationListApi(APIView):
    """A holder's attestations (staff: all), newest first; a holder asks for a new one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[ListPageInput],
        responses={200: page_output(AttestationOutput), **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        return list_page(request, selectors.attestations_visible_to(request.user), AttestationOutput)

    @extend_schema(
        request=AttestationIssueInput, responses={201: AttestationOutput, **refusals(400, 409, 413, 415, 503)}
    )
    def post(self, request: Request) -> Response:
        data = AttestationIssueInput(data=request.data)
        data.is_valid(raise_exception=True)
        attestation = services.attestation_issue(user=request.user, **data.validated_data)
        return Response(AttestationOutput(attestation).data, status=status.HTTP_201_CREATED)


def _visible(request: Request, attestation_id: int) -> Attestation:
    found = selectors.attestation_for(request.user, attestation_id)
    if found is None:
        raise NotFound("No such attestation.")
    return found


class AttestationDownloadApi(APIView):
    """The attestation file `{domain, types, primaryType, message, signature}`, as a .json download."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT, **refusals(404)})
    def get(self, request: Request, attestation_id: int) -> HttpResponse:
        return attestation_file_response(_visible(request, attestation_id))


def attestation_file_response(attestation: Attestation) -> HttpResponse:
    """The download answer of one attestation (shared by the page and the API)."""
    body = json.dumps(selectors.attestation_document(attestation), indent=2)
    response = HttpResponse(body + "\n", content_type="application/json")
    name = f"attestation-{attestation.kind.replace('_', '-')}-{attestation.pk}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class AttestationRevokeApi(APIView):
    """Compliance revokes an attestation with a reason; the revocation is recorded on chain."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    @extend_schema(
        request=AttestationRevokeInput,
        responses={200: AttestationOutput, **refusals(400, 404, 409, 413, 415, 503)},
    )
    def post(self, request: Request, attestation_id: int) -> Response:
        data = AttestationRevokeInput(data=request.data)
        data.is_valid(raise_exception=True)
        attestation = services.attestation_revoke(
            actor=request.user, attestation_id=attestation_id, reason=data.validated_data["reason"]
        )
        return Response(AttestationOutput(attestation).data)


def verification_data(found: Verification) -> dict[str, Any]:
    return VerificationOutput(found).data


class AttestationVerifyApi(APIView):
    """Anyone (no log-in) checks an attestation file: signer, expiry, revocation on chain. Rate limited."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [RateLimitThrottle]
    rate_limit_scope = RATE_LIMIT_SCOPE

    @extend_schema(
        request=AttestationDocumentInput,
        responses={
            200: OpenApiResponse(
                VerificationOutput, description="The file was read; `valid` says if it holds."
            ),
            **refusals(400, 413, 415, 429, 503),
        },
    )
    def post(self, request: Request) -> Response:
        data = AttestationDocumentInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(verification_data(attestation_verify(data.validated_data)))


class AttestationIssuerApi(APIView):
    """The platform's published attester address and EIP-712 domain: all a verifier needs (no log-in)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [RateLimitThrottle]
    rate_limit_scope = RATE_LIMIT_SCOPE

    @extend_schema(responses={200: IssuerOutput, **refusals(429, 503)})
    def get(self, request: Request) -> Response:
        published = issuer()
        return Response(
            IssuerOutput(
                {
                    "attester": published.attester,
                    "registry": published.registry,
                    "chain_id": published.chain_id,
                    "domain": published.domain,
                    "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, **ATTESTATION_TYPES},
                }
            ).data
        )
