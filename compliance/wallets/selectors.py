"""Reads of self-custody wallets, limited to the investor asking."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from accounts.models import User
from compliance.wallets.choices import LinkedWalletStatus
from compliance.wallets.models import LinkedWallet
from financing.models import Offering
from tokens.models import TokenHolding


def linked_wallets_of(user: User) -> QuerySet[LinkedWallet]:
    """The investor's linked wallets (unlinked ones too, as history), newest first."""
    return LinkedWallet.objects.filter(investor__user=user).order_by("-pk")


def current_linked_wallets_of(user: User) -> QuerySet[LinkedWallet]:
    """The investor's linked wallets but those unlinked, oldest first (the wallets page)."""
    return linked_wallets_of(user).exclude(status=LinkedWalletStatus.UNLINKED).order_by("pk")


@dataclass
class WalletHoldings:
    """One wallet of the investor and the security tokens it holds, as the chain index has them."""

    address: str
    custodial: bool
    linked: LinkedWallet | None = None
    holdings: list[tuple[Offering | None, TokenHolding]] = field(default_factory=list)


def holdings_by_wallet(user: User) -> list[WalletHoldings]:
    """The custodial wallet then each registered linked wallet, with its indexed holdings (two queries)."""
    from compliance.selectors import investor_profile_of

    profile = investor_profile_of(user)
    wallets: list[WalletHoldings] = []
    if profile is not None and profile.wallet is not None:
        wallets.append(WalletHoldings(address=profile.wallet.address, custodial=True))
    for linked in current_linked_wallets_of(user).filter(status=LinkedWalletStatus.REGISTERED):
        wallets.append(WalletHoldings(address=linked.address, custodial=False, linked=linked))
    if not wallets:
        return wallets
    rows = list(
        TokenHolding.objects.filter(wallet__in=[w.address for w in wallets], units__gt=0).order_by("pk")
    )
    offerings = {
        o.token.address: o
        for o in Offering.objects.select_related("token", "application").filter(
            token__address__in={row.token_address for row in rows}
        )
        if o.token is not None
    }
    by_wallet: dict[str, list[TokenHolding]] = defaultdict(list)
    for row in rows:
        by_wallet[row.wallet].append(row)
    for wallet in wallets:
        wallet.holdings = [(offerings.get(row.token_address), row) for row in by_wallet[wallet.address]]
    return wallets
