"""Chain endpoints: the caller's wallet balances and (for operators) the outbox."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import Role
from accounts.permissions import has_role
from config.schema import refusals
from tokens import selectors


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
