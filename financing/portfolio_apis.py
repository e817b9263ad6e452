"""The investor's transaction history for clients: `GET /api/v1/portfolio/transactions/`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import Role
from accounts.permissions import has_role
from config.api import ListPageInput, list_page, page_output
from config.schema import refusals
from financing.history import TRANSACTION_KINDS, investor_transactions, transaction_entries

# Chain amounts are exact to the payment token's base unit (6 decimals); the books' to the cent.
EXACT_AMOUNT = {"max_digits": 36, "decimal_places": 6}


class TransactionOutput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=TRANSACTION_KINDS, help_text="What happened, from the investor's side."
    )
    label = serializers.CharField(help_text="The same in words.")
    at = serializers.DateTimeField(
        allow_null=True,
        help_text="When: a chain entry's transaction confirmed, a subscription asked for; null for a chain "
        "event of a transaction the platform did not send.",
    )
    source = serializers.ChoiceField(
        choices=["chain", "books"], help_text="The chain's record (event index) or the platform's books."
    )
    offering_id = serializers.IntegerField(allow_null=True)
    reference = serializers.CharField(help_text="The offering's reference; empty when none is concerned.")
    title = serializers.CharField(help_text="The offering's title; empty when none is concerned.")
    currency = serializers.CharField(allow_null=True, help_text="The currency of `amount` and `refund`.")
    units = serializers.IntegerField(allow_null=True, help_text="Security-token units (whole units).")
    amount = serializers.DecimalField(
        **EXACT_AMOUNT, allow_null=True, help_text="Money paid, refunded or received, exact to the base unit."
    )
    refund = serializers.DecimalField(
        **EXACT_AMOUNT, allow_null=True, help_text="At settlement, what went back to the investor."
    )
    tx_hash = serializers.CharField(
        help_text="The transaction's hash; empty for a subscription not on chain."
    )
    block_number = serializers.IntegerField(allow_null=True)
    subscription_id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(help_text="A subscription's status now; empty for chain entries.")


class PortfolioTransactionsApi(APIView):
    """The logged-in investor's transactions, newest first, a page at a time: subscriptions (the books),
    and from the chain's event index escrow payments, settlements, refunds, payments received,
    redemptions, transfers in and out and token operations on their wallets, each with its transaction
    hash. Nobody else's ever appear."""

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(
        parameters=[ListPageInput], responses={200: page_output(TransactionOutput), **refusals(400)}
    )
    def get(self, request: Request) -> Response:
        return list_page(
            request,
            investor_transactions(request.user),
            TransactionOutput,
            results=lambda chunk: transaction_entries(request.user, chunk),
        )


class UpcomingPaymentOutput(serializers.Serializer):
    payment_id = serializers.IntegerField(source="payment.pk")
    offering_id = serializers.IntegerField(source="payment.offering_id")
    kind = serializers.CharField(
        source="payment.kind", help_text="coupon, principal, instalment, rental, ..."
    )
    sequence = serializers.IntegerField(source="payment.sequence")
    due_date = serializers.DateField(source="payment.due_date")
    record_date = serializers.DateField(source="payment.record_date")
    status = serializers.CharField(source="payment.status", help_text="late: the issuer has not funded it.")
    currency = serializers.CharField(source="payment.currency")
    per_unit = serializers.DecimalField(source="payment.per_unit", max_digits=24, decimal_places=6)
    expected = serializers.DecimalField(
        **EXACT_AMOUNT, help_text="The investor's share: recorded at the record date, else estimated."
    )
    estimated = serializers.BooleanField(
        help_text="True until the holders are recorded at the record date (units held now x per unit)."
    )


class ReceivedPaymentOutput(serializers.Serializer):
    payment_id = serializers.IntegerField(source="payment.pk")
    offering_id = serializers.IntegerField(source="payment.offering_id")
    title = serializers.CharField(source="payment.offering.application.title")
    kind = serializers.CharField(source="payment.kind")
    sequence = serializers.IntegerField(source="payment.sequence")
    due_date = serializers.DateField(source="payment.due_date")
    paid_at = serializers.DateTimeField(source="share.paid_at")
    wallet = serializers.CharField(source="share.wallet")
    units = serializers.IntegerField(source="share.units", help_text="Units held at the record date.")
    currency = serializers.CharField(source="payment.currency")
    amount = serializers.DecimalField(**EXACT_AMOUNT, help_text="Paid to the wallet, exact to the base unit.")
    tx_hash = serializers.CharField(help_text="The payout transaction's hash.")


class HoldingIncomeOutput(serializers.Serializer):
    offering_id = serializers.IntegerField(source="offering.pk")
    reference = serializers.CharField(source="offering.reference", help_text="The offering's reference code.")
    title = serializers.CharField(source="offering.application.title")
    currency = serializers.CharField()
    invested = serializers.DecimalField(**EXACT_AMOUNT, help_text="Paid for the units at settlement.")
    received = serializers.DecimalField(**EXACT_AMOUNT, help_text="Paid to the investor's wallets to date.")
    yield_to_date = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="Received / invested, as a percentage (rounded down to 0.01); null with nothing invested.",
    )
    late = serializers.BooleanField(help_text="A payment of this holding is late.")
    upcoming = UpcomingPaymentOutput(many=True, help_text="The next payments not yet paid (at most 3).")
