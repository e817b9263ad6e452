"""Factories for financing's models: many rows at once, in bulk, for tests of rounds at scale.

`investors` and `subscriptions` write database rows only (no chain, no KYC flow); `escrow_on_chain`
puts those subscriptions' money in escrow on the test chain as the platform would (identity
registered, test HKD minted, the investor's own authorisation relayed by the settler), a few
transactions for many investors. Use tests/flows.py for one actor through the real services.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import count

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db.models import F
from django.utils import timezone
from web3 import Web3

from accounts.choices import Role
from accounts.models import User
from compliance.choices import InvestorType, KycStatus
from compliance.models import InvestorProfile
from financing.choices import SubscriptionStatus
from financing.models import Offering, Subscription
from tokens import chain, signer
from tokens.choices import ContractKind, WalletKind
from tokens.models import Wallet
from tokens.selectors import payment_token_domain, platform_contract, platform_wallet

_serial = count(1)
HONG_KONG = 344
PROFESSIONAL = 1


def investors(n: int, *, wallets: bool = False) -> list[User]:
    """`n` investors; with `wallets`, each approved (professional) with a custodial wallet, not on chain."""
    batch = next(_serial)
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                email=f"bulk{batch}-{i}@example.hk",
                full_name=f"Investor {batch}-{i}",
                role=Role.INVESTOR,
                password=unusable,
                email_confirmed_at=timezone.now(),
            )
            for i in range(n)
        ]
    )
    if wallets:
        keys = [signer.new_wallet_key(kind=WalletKind.INVESTOR) for _ in users]
        made = Wallet.objects.bulk_create(
            [
                Wallet(address=address, kind=WalletKind.INVESTOR, label=u.email, owner=u, encrypted_key=ref)
                for u, (address, ref) in zip(users, keys, strict=True)
            ]
        )
        today = timezone.localdate()
        InvestorProfile.objects.bulk_create(
            [
                InvestorProfile(
                    user=u,
                    investor_type=InvestorType.INDIVIDUAL,
                    legal_name=u.full_name,
                    country="HK",
                    id_document_number=f"A{u.pk:07d}",
                    declared_portfolio_hkd=Decimal("9000000"),
                    claims_professional=True,
                    is_professional=True,
                    pi_valid_until=today + timedelta(days=365),
                    kyc_valid_until=today + timedelta(days=365),
                    kyc_status=KycStatus.APPROVED,
                    wallet=wallet,
                    identity_registered_at=timezone.now(),
                )
                for u, wallet in zip(users, made, strict=True)
            ]
        )
    return users


def subscriptions(offering: Offering, users: list[User], *, units: int) -> list[Subscription]:
    """An active subscription of `units` per user (as if paid into escrow), counted against the offering."""
    made = Subscription.objects.bulk_create(
        [
            Subscription(
                offering=offering,
                investor=u,
                units=units,
                amount=offering.unit_price * units,
                status=SubscriptionStatus.ACTIVE,
                authorised_until=timezone.now() + timedelta(days=1),
            )
            for u in users
        ]
    )
    added = units * len(users)
    Offering.objects.filter(pk=offering.pk).update(units_subscribed=F("units_subscribed") + added)
    return made


def escrow_on_chain(w3: Web3, made: list[Subscription]) -> None:
    """Put each subscription's payment in escrow on the test chain (its investor needs a wallet).

    The platform's own wallets send through the node (anvil impersonation): one identity batch, then a
    mint and a `fund` per subscription, each `fund` carrying the investor's own signed authorisation.
    """
    registry = chain.contract("IdentityRegistry", platform_contract(ContractKind.IDENTITY_REGISTRY).address)
    payment = chain.contract("PaymentToken", platform_contract(ContractKind.PAYMENT_TOKEN).address)
    settlement_row = platform_contract(ContractKind.SETTLEMENT)
    settlement = chain.contract("Settlement", settlement_row.address)
    rows = list(
        Subscription.objects.filter(pk__in=[s.pk for s in made])
        .select_related("offering__token", "investor__investor__wallet")
        .order_by("pk")
    )
    kinds = (WalletKind.REGISTRAR, WalletKind.FAUCET, WalletKind.SETTLER)
    senders = {kind: platform_wallet(kind).address for kind in kinds}
    for address in senders.values():
        w3.provider.make_request("anvil_impersonateAccount", [address])  # type: ignore[arg-type]
    wallets = [s.investor.investor.wallet.address for s in rows]
    expiry = int((timezone.now() + timedelta(days=365)).timestamp())
    hashes = [
        registry.functions.batchRegisterIdentity(
            wallets, [HONG_KONG] * len(wallets), [PROFESSIONAL] * len(wallets), [expiry] * len(wallets)
        ).transact({"from": senders[WalletKind.REGISTRAR]})
    ]
    domain = payment_token_domain()
    for s, wallet in zip(rows, wallets, strict=True):
        value = int(s.amount.scaleb(settings.PAYMENT_TOKEN_DECIMALS).to_integral_exact())
        hashes.append(payment.functions.mint(wallet, value).transact({"from": senders[WalletKind.FAUCET]}))
        valid_before = int(s.authorised_until.timestamp())
        v, r, sig_s = signer.sign_payment_authorisation(
            purpose=s, domain=domain, settlement_address=str(settlement_row.address)
        )
        hashes.append(
            settlement.functions.fund(
                s.offering.token.address, s.pk, wallet, s.units, valid_before, v, r, sig_s
            ).transact({"from": senders[WalletKind.SETTLER], "gas": 300_000})
        )
    for tx_hash in hashes:
        assert w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1
