"""An offering's register of holders, for its issuer and staff: read from the chain's event index.

The security token's balances on chain are the legal register (docs/architecture.md, "The chain as the
record"); `TokenHolding` is the index of them, "as of" the block the indexer has read, and the
holdings reconciliation says whether the index and the books agree. So the register shows each wallet
holding units (or frozen), its units and frozen units, the holder's name, the block it is as of, and
the open reconciliation differences of the token.

Who sees whom (the regulatory notes: a private placement's issuer knows its holders): the issuer sees
each holder's name (the investor's legal name) and wallet, never their contact details or KYC file;
staff also see the e-mail address. Investors never see the register. A wallet no investor of the
platform owns (only possible outside the custody rules) shows as "Unknown wallet".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from accounts.choices import STAFF_ROLES, Role
from accounts.models import User
from config.errors import NotFound
from financing.choices import AllotmentStatus
from financing.models import Allotment, Offering
from tokens.indexer.reconcile import ALERT_HOLDING
from tokens.indexer.selectors import Freshness, index_freshness
from tokens.models import OperatorAlert, TokenHolding, Wallet

UNKNOWN_HOLDER = "Unknown wallet"
CSV_CHUNK = 1000
REGISTER_CSV_HEADER = [
    "offering_id",
    "token_address",
    "as_of_block",
    "wallet",
    "holder",
    "units",
    "frozen",
    "frozen_units",
    "changed_in_block",
]


def register_offerings_of(user: User) -> QuerySet[Offering]:
    """The offerings whose register `user` may read: the SME's own, all for staff, none for investors."""
    from financing.selectors import offerings_visible_to  # financing.selectors reads servicing from here

    if user.role == Role.SME or user.role in STAFF_ROLES:
        return offerings_visible_to(user)
    return Offering.objects.none()


@dataclass(frozen=True)
class RegisterRow:
    """One holder of the register."""

    wallet: str
    units: int
    frozen: bool
    frozen_units: int
    block_number: int
    holder: str
    email: str = ""  # staff only
    investor_id: int | None = None


@dataclass(frozen=True)
class Register:
    """An offering's register: its holders (a query set to page), as of which block, their total, the
    books' settled units, and the open differences reconciliation found for the token."""

    offering: Offering
    holdings: QuerySet[TokenHolding]
    freshness: Freshness
    holders: int = 0
    total_units: int = 0
    frozen_units: int = 0
    settled_units: int = 0
    differences: list[OperatorAlert] = field(default_factory=list)

    @property
    def reconciled(self) -> bool:
        """No open difference between the index and the books for this token."""
        return not self.differences

    @property
    def token_address(self) -> str:
        token = self.offering.token
        return str(token.address) if token is not None and token.address else ""


def register_holdings(offering: Offering) -> QuerySet[TokenHolding]:
    """The token's holders as indexed: units above zero, or frozen; largest first."""
    token = offering.token
    if token is None or not token.address:
        return TokenHolding.objects.none()
    return (
        TokenHolding.objects.filter(chain_id=token.chain_id, token_address=token.address)
        .filter(Q(units__gt=0) | Q(frozen=True))
        .order_by("-units", "wallet")
    )


def register_of(user: User, offering_id: int) -> Register:
    """The offering's register if `user` may read it (NotFound otherwise, also for another SME's): four
    queries however many holders (the offering, the totals, the books' settled units, the open alerts)."""
    offering = register_offerings_of(user).filter(pk=offering_id).first()
    if offering is None:
        raise NotFound(gettext("No such offering."))
    holdings = register_holdings(offering)
    totals = holdings.aggregate(
        holders=Count("pk", filter=Q(units__gt=0)),
        total_units=Coalesce(Sum("units"), 0),
        frozen_units=Coalesce(Sum("frozen_units"), 0),
    )
    settled = Allotment.objects.filter(offering=offering, status=AllotmentStatus.SETTLED).aggregate(
        units=Coalesce(Sum("units"), 0)
    )["units"]
    differences: list[OperatorAlert] = []
    token = offering.token
    if token is not None and token.address:
        differences = list(
            OperatorAlert.objects.filter(
                kind=ALERT_HOLDING,
                key__startswith=f"{ALERT_HOLDING}:{token.chain_id}:{token.address}:",
                acknowledged_at__isnull=True,
            ).order_by("-created_at")[:20]
        )
    return Register(
        offering=offering,
        holdings=holdings,
        freshness=index_freshness(),
        holders=int(totals["holders"]),
        total_units=int(totals["total_units"]),
        frozen_units=int(totals["frozen_units"]),
        settled_units=int(settled),
        differences=differences,
    )


def register_rows(viewer: User, holdings: Iterable[TokenHolding]) -> list[RegisterRow]:
    """Holdings with their holders' names (one query for the page's wallets); e-mail for staff only."""
    holdings = list(holdings)
    staff = viewer.role in STAFF_ROLES
    owners = {
        str(wallet.address): wallet
        for wallet in Wallet.objects.filter(address__in=[h.wallet for h in holdings]).select_related(
            "owner__investor"
        )
    }
    rows = []
    for holding in holdings:
        wallet = owners.get(holding.wallet)
        owner = wallet.owner if wallet is not None else None
        profile = getattr(owner, "investor", None) if owner is not None else None
        name = (profile.legal_name if profile is not None else owner.full_name) if owner else UNKNOWN_HOLDER
        rows.append(
            RegisterRow(
                wallet=holding.wallet,
                units=int(holding.units),
                frozen=holding.frozen,
                frozen_units=int(holding.frozen_units),
                block_number=holding.block_number,
                holder=name,
                email=owner.email if staff and owner is not None else "",
                investor_id=owner.pk if staff and owner is not None else None,
            )
        )
    return rows


def register_csv_rows(viewer: User, register: Register) -> Iterator[list[object]]:
    """The whole register as CSV rows, read in chunks (names looked up once per chunk)."""
    as_of = register.freshness.block
    rows = register.holdings.iterator(chunk_size=CSV_CHUNK)
    while chunk := list(islice(rows, CSV_CHUNK)):
        for row in register_rows(viewer, chunk):
            yield [
                register.offering.pk,
                register.token_address,
                "" if as_of is None else as_of,
                row.wallet,
                row.holder,
                row.units,
                "yes" if row.frozen else "no",
                row.frozen_units,
                row.block_number,
            ]
