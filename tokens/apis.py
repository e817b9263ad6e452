"""Chain endpoints: the outbox (operators), token operations and the accepted stablecoins (staff), the
travel rule (compliance)."""

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
from config.text import REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from tokens import operations, selectors
from tokens.choices import LegalBasis, PaymentCurrency, TokenOperationKind, TokenOperationStatus
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


# --- staff token operations ---------------------------------------------------------------------------


class TokenOperationTransactionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    intent = serializers.CharField()
    status = serializers.CharField()
    tx_hash = serializers.CharField(allow_null=True)


class TokenOperationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=TokenOperationKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    status = serializers.ChoiceField(choices=TokenOperationStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    offering_id = serializers.IntegerField(source="token.offering.pk", allow_null=True, default=None)
    token_address = serializers.CharField(source="token.address", allow_null=True, default=None)
    wallet = serializers.CharField(
        help_text="The wallet acted on (a recovery's lost wallet); empty for a pause."
    )
    counterparty = serializers.CharField(help_text="A forced transfer's receiver; a recovery's new wallet.")
    investor_id = serializers.IntegerField(allow_null=True)
    amount = serializers.IntegerField(allow_null=True, help_text="Units (whole units).")
    reason = serializers.CharField()
    legal_basis = serializers.CharField()
    legal_reference = serializers.CharField()
    requested_by_id = serializers.IntegerField()
    approved_by_id = serializers.IntegerField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField()
    error = serializers.CharField(help_text="Why the chain refused it, in plain words.")
    created_at = serializers.DateTimeField()
    executed_at = serializers.DateTimeField(allow_null=True)
    transactions = TokenOperationTransactionOutput(many=True, source="transactions.all")


# Units and ids fit the database's 64-bit integers.
MAX_UNITS = MAX_ID = 2**63 - 1


class TokenOperationInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TokenOperationKind.choices)
    offering_id = api_fields.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The offering whose token; not for a recovery.",
    )
    wallet = api_fields.CharField(
        max_length=42, required=False, allow_blank=True, default="", help_text="The investor's wallet."
    )
    counterparty = api_fields.CharField(
        max_length=42, required=False, allow_blank=True, default="", help_text="A forced transfer's receiver."
    )
    amount = api_fields.IntegerField(min_value=1, max_value=MAX_UNITS, required=False, allow_null=True)
    reason = api_fields.CharField(max_length=REASON_MAX_LENGTH, help_text="The investor concerned sees it.")
    legal_basis = serializers.ChoiceField(
        choices=LegalBasis.choices, required=False, allow_blank=True, default=""
    )
    legal_reference = api_fields.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class TokenOperationRejectInput(serializers.Serializer):
    reason = api_fields.CharField(max_length=REASON_MAX_LENGTH, help_text="Why; the audit trail keeps it.")


def _operation_answer(operation_id: int, user: object, status: int = 200) -> Response:
    row = selectors.token_operations_visible_to(user).get(pk=operation_id)
    return Response(TokenOperationOutput(row).data, status=status)


class TokenOperationListApi(APIView):
    """Staff token operations, newest first (GET), and a new request (POST): a pause is sent at once,
    anything else waits for a second member of staff (`approve`)."""

    permission_classes = [has_role(*STAFF_ROLES)]

    @extend_schema(
        parameters=[ListPageInput], responses={200: page_output(TokenOperationOutput), **refusals(400)}
    )
    def get(self, request: Request) -> Response:
        return list_page(request, selectors.token_operations_visible_to(request.user), TokenOperationOutput)

    @extend_schema(
        request=TokenOperationInput,
        responses={201: TokenOperationOutput, **refusals(400, 404, 409, 413, 415, 503)},
    )
    def post(self, request: Request) -> Response:
        data = TokenOperationInput(data=request.data)
        data.is_valid(raise_exception=True)
        operation = operations.token_operation_request(actor=request.user, **data.validated_data)
        return _operation_answer(operation.pk, request.user, status=201)


class TokenOperationApproveApi(APIView):
    """A second member of staff approves a request (never the requester); it is checked against the chain
    again and sent. Freezes, forced transfers and recoveries run through the timelock's delay."""

    permission_classes = [has_role(*STAFF_ROLES)]

    @extend_schema(request=None, responses={200: TokenOperationOutput, **refusals(404, 409, 503)})
    def post(self, request: Request, operation_id: int) -> Response:
        operation = operations.token_operation_approve(actor=request.user, operation_id=operation_id)
        return _operation_answer(operation.pk, request.user)


class TokenOperationRejectApi(APIView):
    """A second member of staff rejects a request with a reason; nothing is sent to the chain."""

    permission_classes = [has_role(*STAFF_ROLES)]

    @extend_schema(
        request=TokenOperationRejectInput,
        responses={200: TokenOperationOutput, **refusals(400, 404, 409, 413, 415)},
    )
    def post(self, request: Request, operation_id: int) -> Response:
        data = TokenOperationRejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        operation = operations.token_operation_reject(
            actor=request.user, operation_id=operation_id, reason=data.validated_data["reason"]
        )
        return _operation_answer(operation.pk, request.user)
