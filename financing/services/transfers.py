"""Transfers between investors: free, or delivery versus payment in the offering's payment token.

The seller records the transfer; a sale waits for the buyer, who accepts (or either cancels) before
anything is signed. Then the seller's custodial key signs an EIP-712 authorisation of exactly these units
to this buyer (executed only by the Settlement contract) and, for a sale, the buyer's key an EIP-3009
authorisation of exactly the price; the settler relays both in one `Settlement.transferUnits` call, all
or nothing, once per transfer id. The token's rules decide on chain; `canTransfer` is asked first so a
refusal is shown in plain words and nothing is recorded.

Recipients are named by their investor reference (`investor_reference`), which each investor sees on
their own portfolio and gives to the other party, like bank details. It carries a keyed MAC, so it cannot
be guessed from an id or an email: a wrong reference says only that it is wrong, and nobody learns who
is registered.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext

from accounts.choices import Role
from accounts.models import User
from compliance.audit import audit_record, status_transition, status_transition_many
from compliance.models import InvestorProfile
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from financing import notices, travel
from financing.choices import LIVE_TRANSFER_STATUSES, TRANSFER_TRANSITIONS, TransferStatus
from financing.models import Offering, Transfer
from financing.services.common import INTENT_TRANSFER_UNITS, token_address
from tokens import chain, signer
from tokens import services as token_services
from tokens.choices import ContractKind
from tokens.models import ChainTransaction
from tokens.reasons import OK, explain_code, explain_failure
from tokens.selectors import payment_balance, payment_token_domain, platform_contract

_REFERENCE = re.compile(r"^INV-(?P<pk>[1-9][0-9]{0,11})-(?P<mac>[0-9A-F]{10})$")
_REFERENCE_SALT = "financing.transfers.investor_reference"


def _reference_mac(pk: int) -> str:
    return salted_hmac(_REFERENCE_SALT, str(pk)).hexdigest()[:10].upper()


def investor_reference(profile: InvestorProfile) -> str:
    """The reference an investor gives another investor to receive units (e.g. INV-12-3F9A0C7D21)."""
    return f"INV-{profile.pk}-{_reference_mac(profile.pk)}"


def investor_by_reference(reference: str) -> InvestorProfile | None:
    """The investor a reference names, or None for any reference that is not exactly someone's."""
    match = _REFERENCE.match(reference.strip().upper())
    if match is None or not constant_time_compare(match["mac"], _reference_mac(int(match["pk"]))):
        return None
    return InvestorProfile.objects.select_related("wallet", "user").filter(pk=int(match["pk"])).first()


def _wallet_of(profile: InvestorProfile | None, *, who: str) -> str:
    if profile is None or profile.wallet is None or profile.identity_registered_at is None:
        raise Conflict(
            gettext("%(who)s has no verified wallet yet; transfers need one on both sides.") % {"who": who}
        )
    return profile.wallet.address


def _refusal_of_token(offering: Offering, *, seller: str, buyer: str, units: int) -> str:
    """Plain words for the token's refusal of this transfer now, or "" when it would go through."""
    code = int(chain.call("SecurityToken", token_address(offering), "canTransfer", seller, buyer, units))
    return "" if code == OK else explain_code(code)


def _free_units(offering: Offering, *, seller: str) -> int:
    return int(chain.call("SecurityToken", token_address(offering), "transferableBalanceOf", seller))


def _token_domain(offering: Offering) -> dict[str, Any]:
    address = token_address(offering)
    return {
        "name": chain.call("SecurityToken", address, "name"),
        "version": "1",
        "chainId": chain.chain_id(),
        "verifyingContract": address,
    }


def _price(price: Decimal | None) -> Decimal:
    price = price if price is not None else Decimal("0")
    if price < 0 or price != price.quantize(Decimal("0.01")):
        raise ValidationFailed(
            gettext("A price is zero (a gift) or more, in whole cents."),
            fields={"price": gettext("Whole cents.")},
        )
    return price


def _refuse_units_promised_elsewhere(
    *, offering: Offering, seller: User, free_units: int, units: int
) -> None:
    """Under the seller's row lock: units promised in the seller's live transfers are not free."""
    promised = (
        Transfer.objects.filter(
            offering=offering, seller=seller, status__in=LIVE_TRANSFER_STATUSES
        ).aggregate(units=Sum("units"))["units"]
        or 0
    )
    if units > free_units - promised:
        left = max(0, free_units - promised)
        message = (
            gettext(
                "You can transfer at most %(left)s units of this holding now "
                "(%(promised)s are promised in other transfers)."
            )
            if promised
            else gettext("You can transfer at most %(left)s units of this holding now.")
        )
        raise ValidationFailed(
            message % {"left": left, "promised": promised},
            fields={"units": gettext("At most %(left)s.") % {"left": left}},
        )


def transfer_create(
    *, user: User, offering_id: int, units: int, recipient_reference: str, price: Decimal | None = None
) -> Transfer:
    """Record a transfer of whole units to another investor; a gift is sent at once, a sale waits for
    the buyer. The token is asked first: a transfer it would refuse is refused here, nothing recorded."""
    if user.role != Role.INVESTOR:
        raise PermissionDenied(gettext("Only investors transfer units."))
    if units < 1:
        raise ValidationFailed(
            gettext("Transfer at least one unit."), fields={"units": gettext("Must be at least 1.")}
        )
    price = _price(price)
    seller_profile = InvestorProfile.objects.select_related("wallet").filter(user=user).first()
    seller_wallet = _wallet_of(seller_profile, who="Your account")
    offering = Offering.objects.select_related("token", "application").filter(pk=offering_id).first()
    if offering is None or offering.token is None or not offering.token.address:
        raise NotFound(gettext("No such holding."))
    recipient = investor_by_reference(recipient_reference)
    if recipient is None:
        raise ValidationFailed(
            gettext("No investor has this reference. Check it with the person you are transferring to."),
            fields={
                "recipient_reference": gettext("Not an investor reference (it looks like INV-12-3F9A0C7D21).")
            },
        )
    if recipient.user_id == user.pk:
        raise ValidationFailed(
            gettext("That is your own reference; name the other investor's."),
            fields={"recipient_reference": gettext("Your own reference.")},
        )
    buyer_wallet = _wallet_of(recipient, who="The recipient")
    # Chain reads first, no transaction open: the seller's free units, then the token's rules.
    free_units = _free_units(offering, seller=seller_wallet)
    if units > free_units:
        raise ValidationFailed(
            gettext(
                "You can transfer at most %(free_units)s units of this holding now. Nothing was recorded."
            )
            % {"free_units": free_units},
            fields={
                "units": gettext("At most %(free_units)s: the units of this holding you may transfer now.")
                % {"free_units": free_units}
            },
        )
    if refusal := _refusal_of_token(offering, seller=seller_wallet, buyer=buyer_wallet, units=units):
        raise ValidationFailed(
            gettext("The token's rules refuse this transfer: %(refusal)s Nothing was recorded.")
            % {"refusal": refusal}
        )
    token_domain = _token_domain(offering) if price == 0 else None
    with transaction.atomic():
        # The seller's row lock serialises their transfers: units promised elsewhere are not free.
        InvestorProfile.objects.select_for_update().get(pk=seller_profile.pk)  # type: ignore[union-attr]
        _refuse_units_promised_elsewhere(offering=offering, seller=user, free_units=free_units, units=units)
        now = timezone.now()
        transfer = Transfer.objects.create(
            offering=offering,
            seller=user,
            buyer=recipient.user,
            seller_wallet=seller_wallet,
            buyer_wallet=buyer_wallet,
            units=units,
            price=price,
            status=TransferStatus.SENDING if price == 0 else TransferStatus.AWAITING_BUYER,
            expires_at=now + timedelta(seconds=settings.TRANSFER_OFFER_SECONDS),
            authorised_until=now + timedelta(seconds=settings.PAYMENT_AUTHORISATION_SECONDS)
            if price == 0
            else None,
        )
        audit_record(
            actor=user,
            action="transfer_created",
            obj=transfer,
            to_status=transfer.status,
            data={"units": units, "price": str(price), "offering": offering.pk, "buyer": recipient.user_id},
        )
        if token_domain is not None:
            _deliver(transfer, token_domain=token_domain)
        notices.transfer_offered(transfer)
    return transfer


def transfer_to_own_wallet(*, user: User, offering_id: int, units: int, wallet_id: int) -> Transfer:
    """Move whole units from the investor's account (custodial) wallet to a self-custody wallet they
    linked and that is registered on chain: a free transfer through the same machinery (the token's
    rules decide on chain; `canTransfer` is asked first, nothing recorded on a refusal)."""
    from compliance.wallets.choices import LinkedWalletStatus
    from compliance.wallets.models import LinkedWallet

    if user.role != Role.INVESTOR:
        raise PermissionDenied(gettext("Only investors transfer units."))
    if units < 1:
        raise ValidationFailed(
            gettext("Transfer at least one unit."), fields={"units": gettext("Must be at least 1.")}
        )
    profile = InvestorProfile.objects.select_related("wallet").filter(user=user).first()
    seller_wallet = _wallet_of(profile, who="Your account")
    linked = LinkedWallet.objects.filter(pk=wallet_id, investor__user=user).first()
    if linked is None:
        raise NotFound(gettext("No such wallet."))
    if linked.status != LinkedWalletStatus.REGISTERED:
        raise Conflict(
            gettext("This wallet is %(status)s; it can receive units once it is registered.")
            % {"status": linked.get_status_display().lower()}
        )
    offering = Offering.objects.select_related("token", "application").filter(pk=offering_id).first()
    if offering is None or offering.token is None or not offering.token.address:
        raise NotFound(gettext("No such holding."))
    free_units = _free_units(offering, seller=seller_wallet)
    if units > free_units:
        raise ValidationFailed(
            gettext(
                "You can transfer at most %(free_units)s units of this holding now. Nothing was recorded."
            )
            % {"free_units": free_units},
            fields={"units": gettext("At most %(free_units)s.") % {"free_units": free_units}},
        )
    if refusal := _refusal_of_token(offering, seller=seller_wallet, buyer=linked.address, units=units):
        raise ValidationFailed(
            gettext("The token's rules refuse this transfer: %(refusal)s Nothing was recorded.")
            % {"refusal": refusal}
        )
    token_domain = _token_domain(offering)
    with transaction.atomic():
        InvestorProfile.objects.select_for_update().get(pk=profile.pk)  # type: ignore[union-attr]
        if not LinkedWallet.objects.filter(pk=linked.pk, status=LinkedWalletStatus.REGISTERED).exists():
            raise Conflict(gettext("This wallet is being unlinked; it can no longer receive units."))
        _refuse_units_promised_elsewhere(offering=offering, seller=user, free_units=free_units, units=units)
        now = timezone.now()
        transfer = Transfer.objects.create(
            offering=offering,
            seller=user,
            buyer=user,
            seller_wallet=seller_wallet,
            buyer_wallet=linked.address,
            units=units,
            price=Decimal("0"),
            status=TransferStatus.SENDING,
            expires_at=now + timedelta(seconds=settings.TRANSFER_OFFER_SECONDS),
            authorised_until=now + timedelta(seconds=settings.PAYMENT_AUTHORISATION_SECONDS),
        )
        audit_record(
            actor=user,
            action="transfer_created",
            obj=transfer,
            to_status=transfer.status,
            data={"units": units, "price": "0", "offering": offering.pk, "to_linked_wallet": linked.pk},
        )
        _deliver(transfer, token_domain=token_domain)
    return transfer


def _deliver(
    transfer: Transfer, *, token_domain: dict[str, Any], payment_domain: dict[str, Any] | None = None
) -> ChainTransaction:
    """Both parties' keys sign exactly the recorded transfer; the settler relays it (after commit)."""
    offering = transfer.offering
    settlement = platform_contract(ContractKind.SETTLEMENT)
    seller_signature = signer.sign_unit_authorisation(
        purpose=transfer, domain=token_domain, settlement_address=str(settlement.address)
    )
    buyer_signature: tuple[int, bytes, bytes] = (0, b"\0" * 32, b"\0" * 32)
    if not transfer.is_free:
        assert payment_domain is not None
        buyer_signature = signer.sign_payment_authorisation(
            purpose=transfer,
            domain=payment_domain,
            settlement_address=str(settlement.address),
        )
    assert transfer.authorised_until is not None
    tx = token_services.contract_call(
        target=settlement,
        function="transferUnits",
        args=[
            token_address(offering),
            transfer.pk,
            transfer.seller_wallet,
            transfer.buyer_wallet,
            transfer.units,
            transfer.price_base_units,
            int(transfer.authorised_until.timestamp()),
            seller_signature,
            buyer_signature,
        ],
        intent=INTENT_TRANSFER_UNITS,
        key=f"transfer:{transfer.pk}",
        reference=f"deliver transfer {transfer.pk}",
        subject_address=transfer.seller_wallet,
    )
    Transfer.objects.filter(pk=transfer.pk).update(chain_transaction=tx)
    travel.transfer_legs(tx, transfer)
    return tx


def _own_transfer(user: User, transfer_id: int) -> Transfer:
    found = (
        Transfer.objects.select_related("offering__token", "offering__application")
        .filter(Q(seller=user) | Q(buyer=user), pk=transfer_id)
        .first()
    )
    if found is None:
        raise NotFound(gettext("No such transfer."))
    return found


def transfer_accept(*, user: User, transfer_id: int) -> Transfer:
    """The buyer accepts a sale: both authorisations are signed and the delivery is sent, once."""
    transfer = _own_transfer(user, transfer_id)
    if transfer.buyer_id != user.pk:
        raise PermissionDenied(gettext("Only the buyer accepts a sale."))
    if transfer.status != TransferStatus.AWAITING_BUYER:
        raise Conflict(
            gettext("This transfer is %(lower)s; it cannot be accepted.")
            % {"lower": transfer.get_status_display().lower()}
        )
    if transfer.expires_at <= timezone.now():
        raise Conflict(gettext("This offer has expired; ask the seller for a new one."))
    offering = transfer.offering
    # Chain reads first: the token's rules now, the buyer's money, the token's signing domain.
    refusal = _refusal_of_token(
        offering, seller=transfer.seller_wallet, buyer=transfer.buyer_wallet, units=transfer.units
    )
    if refusal:
        raise Conflict(
            gettext("The token's rules refuse this transfer now: %(refusal)s Nothing was sent.")
            % {"refusal": refusal}
        )
    balance = payment_balance(transfer.buyer_wallet, offering.currency)
    if balance < transfer.price:
        raise Conflict(
            gettext("Your wallet holds %(currency)s %(balance)s; this purchase needs %(currency)s %(price)s.")
            % {
                "currency": offering.currency,
                "balance": format(balance, ",.2f"),
                "price": format(transfer.price, ",.2f"),
            }
        )
    domain = _token_domain(offering)
    payment_domain = payment_token_domain(offering.currency)
    with transaction.atomic():
        locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
        now = timezone.now()
        status_transition(
            locked,
            to=TransferStatus.SENDING,
            transitions=TRANSFER_TRANSITIONS,
            actor=user,
            extra={
                "accepted_at": now,
                "authorised_until": now + timedelta(seconds=settings.PAYMENT_AUTHORISATION_SECONDS),
            },
        )
        locked.refresh_from_db()
        _deliver(locked, token_domain=domain, payment_domain=payment_domain)
    transfer.refresh_from_db()
    return transfer


@transaction.atomic
def transfer_cancel(*, user: User, transfer_id: int) -> Transfer:
    """Either party calls off a sale before the buyer accepts it; nothing was signed."""
    transfer = _own_transfer(user, transfer_id)
    if transfer.status != TransferStatus.AWAITING_BUYER:
        raise Conflict(
            gettext("This transfer is %(lower)s; it can no longer be cancelled.")
            % {"lower": transfer.get_status_display().lower()}
        )
    by = "seller" if transfer.seller_id == user.pk else "buyer"
    status_transition(
        transfer, to=TransferStatus.CANCELLED, transitions=TRANSFER_TRANSITIONS, actor=user, data={"by": by}
    )
    transfer.refresh_from_db()
    notices.transfer_ended(
        transfer,
        recipients=[transfer.buyer if by == "seller" else transfer.seller],
        reason=gettext("The seller cancelled it.") if by == "seller" else gettext("The buyer cancelled it."),
    )
    return transfer


@transaction.atomic
def transfers_expire() -> int:
    """Sales the buyer did not accept in time expire (beat)."""
    due = list(
        Transfer.objects.select_for_update(skip_locked=True).filter(
            status=TransferStatus.AWAITING_BUYER, expires_at__lte=timezone.now()
        )[:500]
    )
    if due:
        status_transition_many(due, to=TransferStatus.EXPIRED, transitions=TRANSFER_TRANSITIONS, actor=None)
        for transfer in Transfer.objects.filter(pk__in=[t.pk for t in due]).select_related(
            "seller", "buyer", "offering__application"
        ):
            notices.transfer_ended(
                transfer,
                recipients=[transfer.seller, transfer.buyer],
                reason=gettext("The buyer did not accept the offer in time."),
            )
    return len(due)


def _delivered_transfer(tx: ChainTransaction) -> Transfer:
    transfer_id = int(chain.decode_call("Settlement", tx.data)["transferId"])
    return Transfer.objects.select_for_update().get(pk=transfer_id)


def transfer_delivered(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The units (and the money, for a sale) moved on chain."""
    transfer = _delivered_transfer(tx)
    status_transition(
        transfer,
        to=TransferStatus.COMPLETED,
        transitions=TRANSFER_TRANSITIONS,
        actor=None,
        data={"tx_hash": tx.tx_hash},
        extra={"completed_at": timezone.now()},
    )
    notices.transfer_completed(transfer)


def transfer_delivery_failed(tx: ChainTransaction) -> None:
    """The chain refused the delivery: nothing moved; the reason in plain words."""
    transfer = _delivered_transfer(tx)
    reason = explain_failure(tx.error)
    status_transition(
        transfer,
        to=TransferStatus.FAILED,
        transitions=TRANSFER_TRANSITIONS,
        actor=None,
        reason=reason,
        extra={"failure_reason": reason},
    )
    notices.transfer_ended(transfer, recipients=[transfer.seller, transfer.buyer], reason=reason)
