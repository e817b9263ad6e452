"""Chain endpoints: the outbox (operators), the accepted stablecoins (staff), the travel rule (compliance)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import COMPLIANCE_ROLES, STAFF_ROLES, Role
from accounts.permissions import has_role
from config import api_fields
from config.api import ListPageInput, list_page, page_output
from config.schema import refusals
from config.text import REASON_MAX_LENGTH
from tokens import selectors
from tokens.choices import PaymentCurrency
from tokens.payment_tokens import payment_token_decide, payment_token_propose


class ChainTransactionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    intent = serializers.CharField()
    reference = serializers.CharField()
    status = serializers.CharField()
    nonce = serializers.IntegerField(allow_null=True)
    tx_hash = serializers.CharField(allow_null=True)
    block_number = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    created_at = serializers.DateTimeField()


class ChainStatusOutput(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Outbox rows per status.")
    transactions = ChainTransactionOutput(many=True)


class ChainStatusApi(APIView):
    """Outbox counts and the newest chain transactions (operators only)."""

    permission_classes = [has_role(Role.OPERATOR)]

    @extend_schema(responses={200: ChainStatusOutput, **refusals()})
    def get(self, request: Request) -> Response:
        return Response(
            {
                "counts": selectors.chain_transaction_counts(),
                "transactions": ChainTransactionOutput(selectors.chain_transactions_recent(), many=True).data,
            }
        )


class PaymentTokenListingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    currency = serializers.CharField(help_text="HKD, CNY (settled in a CNH stablecoin), MOP or USD.")
    chain_id = serializers.IntegerField()
    address = serializers.CharField(source="contract.address")
    name = serializers.CharField()
    symbol = serializers.CharField()
    status = serializers.CharField(help_text="proposed, allowing, active, rejected or failed.")
    note = serializers.CharField()
    proposed_by = serializers.CharField(source="proposed_by.full_name", allow_null=True, default=None)
    decided_by = serializers.CharField(source="decided_by.full_name", allow_null=True, default=None)
    decision_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class PaymentTokenProposeInput(serializers.Serializer):
    currency = serializers.ChoiceField(choices=PaymentCurrency.choices)
    address = api_fields.CharField(
        max_length=42, help_text="The token's contract address on the platform's chain."
    )
    note = api_fields.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")


class PaymentTokenDecisionInput(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = api_fields.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")


class PaymentTokenListApi(APIView):
    """The stablecoins accepted per currency and those proposed (staff); a staff member proposes one, and a
    different staff member decides it (`/api/v1/payment-tokens/{id}/decision/`)."""

    permission_classes = [has_role(*STAFF_ROLES)]

    @extend_schema(
        parameters=[ListPageInput],
        responses={200: page_output(PaymentTokenListingOutput), **refusals(400)},
    )
    def get(self, request: Request) -> Response:
        return list_page(request, selectors.payment_token_listings(), PaymentTokenListingOutput)

    @extend_schema(
        request=PaymentTokenProposeInput,
        responses={201: PaymentTokenListingOutput, **refusals(400, 409, 413, 415, 503)},
    )
    def post(self, request: Request) -> Response:
        data = PaymentTokenProposeInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = payment_token_propose(actor=request.user, **data.validated_data)
        return Response(PaymentTokenListingOutput(listing).data, status=201)


class PaymentTokenDecisionApi(APIView):
    """Approve (allowed on chain through the timelock, then active) or reject (a reason is needed) a
    proposed stablecoin; whoever proposed it cannot decide it."""

    permission_classes = [has_role(*STAFF_ROLES)]

    @extend_schema(
        request=PaymentTokenDecisionInput,
        responses={200: PaymentTokenListingOutput, **refusals(400, 404, 409, 413, 415)},
    )
    def post(self, request: Request, listing_id: int) -> Response:
        data = PaymentTokenDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = payment_token_decide(actor=request.user, listing_id=listing_id, **data.validated_data)
        return Response(PaymentTokenListingOutput(listing).data)


class PaymentLegOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    subject = serializers.CharField(help_text="What the leg pays, e.g. financing.subscription:12.")
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=24, decimal_places=6)
    amount_hkd = serializers.DecimalField(max_digits=24, decimal_places=2, help_text="At the reference rate.")
    full_details = serializers.BooleanField(help_text="At or above the travel-rule threshold.")
    originator_name = serializers.CharField()
    originator_wallet = serializers.CharField()
    originator_reference = serializers.CharField()
    originator_identifier = serializers.CharField(help_text="Address or registration / identity number.")
    originator_institution = serializers.CharField()
    beneficiary_name = serializers.CharField()
    beneficiary_wallet = serializers.CharField()
    beneficiary_reference = serializers.CharField()
    beneficiary_identifier = serializers.CharField()
    beneficiary_institution = serializers.CharField()
    transaction_id = serializers.IntegerField(source="chain_transaction_id")
    transaction_status = serializers.CharField(source="chain_transaction.status")
    tx_hash = serializers.CharField(source="chain_transaction.tx_hash", allow_null=True)
    created_at = serializers.DateTimeField()


class PaymentLegListApi(APIView):
    """Travel-rule records of every payment leg, newest first (compliance)."""

    permission_classes = [has_role(*COMPLIANCE_ROLES)]

    @extend_schema(
        parameters=[ListPageInput], responses={200: page_output(PaymentLegOutput), **refusals(400)}
    )
    def get(self, request: Request) -> Response:
        return list_page(request, selectors.payment_legs(), PaymentLegOutput)
