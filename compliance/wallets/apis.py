"""The wallets API: a Sign-In with Ethereum challenge, linking, the list, unlinking, moving units in."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import Role
from accounts.permissions import has_role
from compliance.wallets import selectors, services
from compliance.wallets.choices import LinkedWalletStatus
from compliance.wallets.forms import MESSAGE_MAX_LENGTH, SIGNATURE_MAX_LENGTH
from config import api_fields
from config.api import ListPageInput, list_page, page_output
from config.schema import refusals
from financing.apis import TransferOutput
from financing.selectors import transfers_visible_to
from financing.services import transfer_to_own_wallet


def _origin(request: Request) -> tuple[str, str]:
    host = request.get_host()
    return host, f"{request.scheme}://{host}"


class SiweChallengeOutput(serializers.Serializer):
    address = serializers.CharField(help_text="The wallet, checksummed (EIP-55).")
    message = serializers.CharField(
        help_text="The EIP-4361 message to sign with personal_sign (EIP-191), exactly as given."
    )
    nonce = serializers.CharField(help_text="Single use; bound to you and this address.")
    expires_at = serializers.DateTimeField(help_text="Sign and link before this time.")


class LinkedWalletOutput(serializers.Serializer):
    id = serializers.IntegerField()
    address = serializers.CharField(help_text="Checksummed (EIP-55).")
    status = serializers.ChoiceField(choices=LinkedWalletStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    failure_reason = serializers.CharField(
        help_text="Why the chain refused it, in plain words; empty if not."
    )
    created_at = serializers.DateTimeField()
    registered_at = serializers.DateTimeField(allow_null=True)
    unlinked_at = serializers.DateTimeField(allow_null=True)


LinkedWalletPageOutput = page_output(LinkedWalletOutput)


class SiweNonceApi(APIView):
    """A single-use nonce and the Sign-In with Ethereum (EIP-4361) message to sign for one of your
    wallets (approved investors; valid for a few minutes)."""

    permission_classes = [has_role(Role.INVESTOR)]

    class SiweNonceInput(serializers.Serializer):
        address = api_fields.CharField(max_length=64, help_text="The wallet to link: 0x and 40 hex digits.")

    @extend_schema(
        request=SiweNonceInput, responses={201: SiweChallengeOutput, **refusals(400, 409, 413, 415, 503)}
    )
    def post(self, request: Request) -> Response:
        data = self.SiweNonceInput(data=request.data)
        data.is_valid(raise_exception=True)
        domain, origin = _origin(request)
        challenge = services.siwe_challenge_issue(
            user=request.user, address=data.validated_data["address"], domain=domain, origin=origin
        )
        return Response(SiweChallengeOutput(challenge).data, status=status.HTTP_201_CREATED)


class WalletLinkApi(APIView):
    """Link the wallet a signed EIP-4361 message proves: the signature, domain, chain, nonce (single use:
    any attempt uses it up) and times are checked; the wallet is screened and registered on chain."""

    permission_classes = [has_role(Role.INVESTOR)]

    class WalletLinkInput(serializers.Serializer):
        message = api_fields.CharField(
            max_length=MESSAGE_MAX_LENGTH, trim_whitespace=False, help_text="The message exactly as signed."
        )
        signature = api_fields.CharField(
            max_length=SIGNATURE_MAX_LENGTH, help_text="The personal_sign signature: 0x and 130 hex digits."
        )

    @extend_schema(
        request=WalletLinkInput, responses={201: LinkedWalletOutput, **refusals(400, 409, 413, 415, 503)}
    )
    def post(self, request: Request) -> Response:
        data = self.WalletLinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        domain, _origin_url = _origin(request)
        linked = services.wallet_link(user=request.user, domain=domain, **data.validated_data)
        return Response(LinkedWalletOutput(linked).data, status=status.HTTP_201_CREATED)


class WalletListApi(APIView):
    """Your linked self-custody wallets (unlinked ones too), newest first."""

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(parameters=[ListPageInput], responses={200: LinkedWalletPageOutput, **refusals(400)})
    def get(self, request: Request) -> Response:
        return list_page(request, selectors.linked_wallets_of(request.user), LinkedWalletOutput)


class WalletUnlinkApi(APIView):
    """Unlink a registered wallet that holds no units: its identity is revoked on chain."""

    permission_classes = [has_role(Role.INVESTOR)]

    @extend_schema(request=None, responses={200: LinkedWalletOutput, **refusals(404, 409, 503)})
    def post(self, request: Request, wallet_id: int) -> Response:
        linked = services.wallet_unlink(user=request.user, wallet_id=wallet_id)
        return Response(LinkedWalletOutput(linked).data)


class WalletReceiveApi(APIView):
    """Move whole units of a holding from your account wallet to this registered linked wallet (a free
    transfer; the token's rules decide on chain)."""

    permission_classes = [has_role(Role.INVESTOR)]

    class WalletReceiveInput(serializers.Serializer):
        offering_id = api_fields.IntegerField(min_value=1, help_text="The holding's offering.")
        units = api_fields.IntegerField(min_value=1, max_value=10**12)

    @extend_schema(
        request=WalletReceiveInput, responses={201: TransferOutput, **refusals(400, 404, 409, 413, 415, 503)}
    )
    def post(self, request: Request, wallet_id: int) -> Response:
        data = self.WalletReceiveInput(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = transfer_to_own_wallet(user=request.user, wallet_id=wallet_id, **data.validated_data)
        transfer = transfers_visible_to(request.user).get(pk=transfer.pk)
        return Response(TransferOutput(transfer).data, status=status.HTTP_201_CREATED)
