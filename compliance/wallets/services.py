"""Writes of self-custody wallets: a Sign-In with Ethereum challenge, the link it proves, the unlink.

An approved investor asks for a challenge for an address (`siwe_challenge_issue`): a single-use random
nonce bound to the investor and the address, valid `SIWE_NONCE_SECONDS`, and the EIP-4361 message to
sign. `wallet_link` checks the signed message: it is well formed (`siwe.parse`), its nonce is one we
issued to this investor for this address, unused and unexpired, the domain and the URI's host are
ours, the chain id is the platform's, it is not used before Not Before or after its Expiration Time,
Issued At is not in the future (beyond `SIWE_CLOCK_SKEW_SECONDS`), and the EIP-191 signature recovers
the message's address. Any attempt that names a live nonce of the investor uses it up, accepted or
refused: a refused message can never become valid, a new one costs a click, and nobody can try
signatures against one nonce. Nothing else changes on a refusal.

A proven wallet is screened against the sanctions list's digital currency addresses; a match records
the wallet as refused and raises a wallet alert for compliance (as for a custodial wallet) and the
investor is told it could not be linked. Otherwise it is registered in the IdentityRegistry through
the outbox with the investor's country, classes and approval expiry, exactly like the custodial
wallet. A wallet belongs to one investor at most (a database constraint); an investor links at most
`LINKED_WALLETS_MAX`.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from eth_utils import is_hex_address, to_checksum_address

from accounts.choices import Role
from accounts.models import User
from compliance.audit import audit_record, status_transition
from compliance.models import InvestorProfile
from compliance.screening.alerts import screen_parties
from compliance.screening.choices import Decision
from compliance.screening.parties import Party, party_ref
from compliance.wallets import siwe
from compliance.wallets.choices import (
    HELD_STATUSES,
    LINKED_WALLET_TRANSITIONS,
    LIVE_STATUSES,
    LinkedWalletStatus,
)
from compliance.wallets.models import LinkedWallet, SiweNonce
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tokens import chain
from tokens import services as token_services
from tokens.choices import ContractKind
from tokens.indexer.selectors import holdings_of
from tokens.models import ChainTransaction, Wallet
from tokens.reasons import explain_failure
from tokens.selectors import platform_contract

INTENT_LINK_WALLET = "link_wallet_identity"
INTENT_UNLINK_WALLET = "unlink_wallet_identity"

# EIP-4361 allows only ASCII in a statement, so it is the same in every language; the page explains it.
STATEMENT = f"Link this wallet to my {settings.PLATFORM_NAME} investor account"
_NONCE_ALPHABET = string.ascii_letters + string.digits
NONCE_LENGTH = 17  # about 101 bits


@dataclass(frozen=True)
class SiweChallenge:
    """What an investor signs to prove a wallet: the EIP-4361 message and its nonce's expiry."""

    address: str
    message: str
    nonce: str
    expires_at: datetime


def site_origin() -> tuple[str, str]:
    """The platform's own (domain, origin) from SITE_URL, when no request names the host."""
    parts = urlsplit(settings.SITE_URL)
    return parts.netloc, f"{parts.scheme}://{parts.netloc}"


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _approved_profile(user: User, *, lock: bool = False) -> InvestorProfile:
    if user.role != Role.INVESTOR:
        raise PermissionDenied(gettext("Only investors link wallets."))
    profiles = InvestorProfile.objects.select_related("wallet")
    if lock:
        profiles = profiles.select_for_update(of=("self",))
    profile = profiles.filter(user=user).first()
    if profile is None or not profile.can_subscribe:
        raise Conflict(
            gettext(
                "You can link your own wallet once your due diligence is approved and your account "
                "wallet is registered."
            ),
            code="KycNotApproved",
        )
    return profile


def _checked_address(address: str) -> str:
    """A wallet address in its checksummed form; any other text is refused."""
    text = (address or "").strip()
    if not is_hex_address(text):
        raise ValidationFailed(
            gettext("That is not an Ethereum address (0x and 40 hex digits)."),
            fields={"address": gettext("0x and 40 hex digits.")},
        )
    if text != text.lower() and text[2:] != text[2:].upper() and to_checksum_address(text) != text:
        raise ValidationFailed(
            gettext("The address's mixed case does not match its checksum: check for a typing mistake."),
            fields={"address": gettext("The checksum (mixed case) is wrong.")},
        )
    return to_checksum_address(text)


def _refuse_unlinkable(profile: InvestorProfile, address: str) -> None:
    """A platform wallet or a wallet someone already holds here cannot be linked."""
    if Wallet.objects.filter(address__iexact=address).exists():
        raise ValidationFailed(
            gettext("This address is a wallet the platform keeps; link a wallet you control yourself."),
            fields={"address": gettext("A platform wallet.")},
        )
    held = LinkedWallet.objects.filter(address=address, status__in=HELD_STATUSES).first()
    if held is not None and held.investor_id == profile.pk:
        raise Conflict(
            gettext("This wallet is already linked to your account (%(status)s).")
            % {"status": held.get_status_display().lower()},
            code="WalletAlreadyLinked",
        )
    if held is not None:
        raise Conflict(
            gettext("This wallet is linked to another account; a wallet can belong to one investor only."),
            code="WalletLinkedElsewhere",
        )


def _refuse_over_cap(profile: InvestorProfile) -> None:
    live = LinkedWallet.objects.filter(investor=profile, status__in=LIVE_STATUSES).count()
    if live >= settings.LINKED_WALLETS_MAX:
        raise Conflict(
            gettext("You have linked %(count)s wallets, the most an account may have; unlink one first.")
            % {"count": live},
            code="TooManyWallets",
        )


def siwe_challenge_issue(*, user: User, address: str, domain: str, origin: str) -> SiweChallenge:
    """A single-use nonce for `address` and the EIP-4361 message for the investor to sign with it."""
    profile = _approved_profile(user)
    checked = _checked_address(address)
    _refuse_unlinkable(profile, checked)
    _refuse_over_cap(profile)
    chain_id = chain.chain_id()  # asked before the write: no chain call inside a transaction
    now = timezone.now()
    expires_at = now + timedelta(seconds=settings.SIWE_NONCE_SECONDS)
    nonce = "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(NONCE_LENGTH))
    SiweNonce.objects.create(
        user=user, nonce_hash=_nonce_hash(nonce), address=checked, issued_at=now, expires_at=expires_at
    )
    message = siwe.SiweMessage(
        domain=domain,
        address=checked,
        statement=STATEMENT,
        uri=origin,
        version="1",
        chain_id=chain_id,
        nonce=nonce,
        issued_at=now,
        expiration_time=expires_at,
    )
    return SiweChallenge(address=checked, message=message.text(), nonce=nonce, expires_at=expires_at)


def _refusal(text: str, *, field: str = "message") -> ValidationFailed:
    return ValidationFailed(text, fields={field: text})


def _use_nonce(user: User, message: siwe.SiweMessage) -> SiweNonce:
    """The investor's nonce the message names, used up now (once: a replay finds it used)."""
    now = timezone.now()
    row = SiweNonce.objects.filter(user=user, nonce_hash=_nonce_hash(message.nonce)).first()
    if row is None:
        raise _refusal(gettext("This message's nonce was not issued to you. Ask for a new message to sign."))
    used = SiweNonce.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now)
    if not used:
        raise _refusal(gettext("This message was already used once. Ask for a new message to sign."))
    if row.expires_at <= now:
        raise _refusal(
            gettext("This message has expired. Ask for a new message and sign it within a few minutes.")
        )
    return row


def _check_message(message: siwe.SiweMessage, *, nonce: SiweNonce, domain: str) -> None:
    now = timezone.now()
    skew = timedelta(seconds=settings.SIWE_CLOCK_SKEW_SECONDS)
    if message.domain.lower() != domain.lower():
        raise _refusal(
            gettext("The message was made for %(other)s, not for this site (%(ours)s); do not sign it.")
            % {"other": message.domain, "ours": domain}
        )
    if siwe.uri_host(message.uri) != domain.lower():
        raise _refusal(gettext("The message's URI is not on this site; do not sign it."))
    if message.chain_id != chain.chain_id():
        raise _refusal(
            gettext("The message is for chain %(theirs)s; this platform's chain is %(ours)s.")
            % {"theirs": message.chain_id, "ours": chain.chain_id()}
        )
    if message.issued_at > now + skew:
        raise _refusal(gettext("The message says it was issued in the future; check your device's clock."))
    if message.expiration_time is not None and message.expiration_time <= now:
        raise _refusal(
            gettext("This message has expired. Ask for a new message and sign it within a few minutes.")
        )
    if message.not_before is not None and message.not_before > now + skew:
        raise _refusal(gettext("This message is not valid yet (see its “Not Before” time)."))
    if message.address != nonce.address:
        raise _refusal(gettext("The message names a different wallet from the one you asked to link."))


def wallet_link(*, user: User, message: str, signature: str, domain: str) -> LinkedWallet:
    """Link the wallet a signed EIP-4361 message proves: screened, then registered on chain."""
    _approved_profile(user)
    try:
        parsed = siwe.parse(message)
        siwe.check_signature_form(signature)
    except siwe.SiweError as exc:
        raise _refusal(str(exc), field=exc.field) from None
    with transaction.atomic():
        nonce = _use_nonce(user, parsed)  # committed even when a check below refuses: single use
    _check_message(parsed, nonce=nonce, domain=domain)
    try:
        signer = siwe.recover(message, signature)
    except siwe.SiweError as exc:
        raise _refusal(str(exc), field=exc.field) from None
    if signer != parsed.address:
        raise _refusal(
            gettext("The signature was made by another wallet (%(signer)s), not %(address)s.")
            % {"signer": signer, "address": parsed.address},
            field="signature",
        )
    linked = _link_recorded(user=user, address=parsed.address, message=message, signature=signature)
    if linked.status == LinkedWalletStatus.REFUSED:
        raise Conflict(
            gettext(
                "This wallet cannot be linked: it did not pass our screening. Our compliance team will "
                "review it and contact you if they need anything."
            ),
            code="WalletScreeningRefused",
        )
    return linked


@transaction.atomic
def _link_recorded(*, user: User, address: str, message: str, signature: str) -> LinkedWallet:
    profile = _approved_profile(user, lock=True)  # the profile's lock serialises the cap
    _refuse_unlinkable(profile, address)
    _refuse_over_cap(profile)
    screenings = screen_parties(
        parties=[Party(ref=party_ref(profile), wallet_address=address)], parent=None, actor=user
    )
    refused = any(s.decision == Decision.POTENTIAL_MATCH for s in screenings)
    try:
        with transaction.atomic():
            linked = LinkedWallet.objects.create(
                investor=profile,
                address=address,
                status=LinkedWalletStatus.REFUSED if refused else LinkedWalletStatus.REGISTERING,
                message=message,
                signature=signature.strip(),
            )
    except IntegrityError:  # someone linked it at this very moment
        raise Conflict(
            gettext("This wallet is linked to another account; a wallet can belong to one investor only."),
            code="WalletLinkedElsewhere",
        ) from None
    audit_record(
        actor=user,
        action="wallet_linked",
        obj=linked,
        to_status=linked.status,
        data={"address": address, "investor": profile.pk, "screened": [s.pk for s in screenings]},
    )
    if not refused:
        _identity_register(profile, linked)
    return linked


def _identity_register(profile: InvestorProfile, linked: LinkedWallet) -> ChainTransaction:
    """Register the wallet with the investor's identity as the custodial wallet has it."""
    from compliance.services import _country_numeric, _identity_expiry, _investor_classes

    return token_services.contract_call(
        target=platform_contract(ContractKind.IDENTITY_REGISTRY),
        function="registerIdentity",
        args=[
            linked.address,
            _country_numeric(profile.country.code),
            _investor_classes(profile),
            _identity_expiry(profile),
        ],
        intent=INTENT_LINK_WALLET,
        key=f"identity:linked:{linked.pk}:register",
        reference=f"register linked wallet {linked.pk} of investor {profile.pk}",
        subject_address=linked.address,
    )


def _linked_of(tx: ChainTransaction, status: str) -> LinkedWallet | None:
    return (
        LinkedWallet.objects.select_for_update()
        .filter(address=tx.subject_address, status=status)
        .order_by("-pk")
        .first()
    )


def linked_wallet_registered(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The registry confirmed the wallet's identity: it may receive units."""
    linked = _linked_of(tx, LinkedWalletStatus.REGISTERING)
    if linked is not None:
        status_transition(
            linked,
            to=LinkedWalletStatus.REGISTERED,
            transitions=LINKED_WALLET_TRANSITIONS,
            actor=None,
            data={"tx_hash": tx.tx_hash},
            extra={"registered_at": timezone.now(), "failure_reason": ""},
        )


def linked_wallet_registration_failed(tx: ChainTransaction) -> None:
    """The chain refused the registration (e.g. the address already has an identity): why, in words."""
    linked = _linked_of(tx, LinkedWalletStatus.REGISTERING)
    if linked is not None:
        reason = explain_failure(tx.error)
        status_transition(
            linked,
            to=LinkedWalletStatus.FAILED,
            transitions=LINKED_WALLET_TRANSITIONS,
            actor=None,
            reason=reason,
            extra={"failure_reason": reason},
        )


def _own_linked(user: User, wallet_id: int) -> LinkedWallet:
    linked = (
        LinkedWallet.objects.select_for_update()
        .filter(pk=wallet_id, investor__user=user)
        .exclude(status=LinkedWalletStatus.UNLINKED)
        .first()
    )
    if linked is None:
        raise NotFound(gettext("No such wallet."))
    return linked


def wallet_unlink(*, user: User, wallet_id: int) -> LinkedWallet:
    """Unlink a wallet: its identity is revoked on chain (units left in it could no longer move)."""
    if user.role != Role.INVESTOR:
        raise PermissionDenied(gettext("Only investors unlink wallets."))
    with transaction.atomic():
        linked = _own_linked(user, wallet_id)
        if linked.status == LinkedWalletStatus.FAILED:  # never on chain: nothing to revoke
            status_transition(
                linked,
                to=LinkedWalletStatus.UNLINKED,
                transitions=LINKED_WALLET_TRANSITIONS,
                actor=user,
                extra={"unlinked_at": timezone.now()},
            )
            return linked
        if linked.status != LinkedWalletStatus.REGISTERED:
            raise Conflict(
                gettext("This wallet is %(status)s; it can be unlinked once it is registered.")
                % {"status": linked.get_status_display().lower()}
            )
        held = [h for h in holdings_of(linked.address) if h.units > 0]
        if held:
            raise Conflict(
                gettext(
                    "This wallet still holds units of %(count)s token(s). Move them to your account "
                    "wallet first: once unlinked, the tokens would refuse to move them."
                )
                % {"count": len(held)},
                code="WalletHoldsUnits",
            )
        status_transition(
            linked, to=LinkedWalletStatus.UNLINKING, transitions=LINKED_WALLET_TRANSITIONS, actor=user
        )
        _identity_revoke(linked)
    linked.refresh_from_db()
    return linked


def _identity_revoke(linked: LinkedWallet) -> ChainTransaction:
    return token_services.contract_call(
        target=platform_contract(ContractKind.IDENTITY_REGISTRY),
        function="revokeIdentity",
        args=[linked.address],
        intent=INTENT_UNLINK_WALLET,
        key=f"identity:linked:{linked.pk}:revoke:{timezone.now().timestamp():.0f}",
        reference=f"revoke linked wallet {linked.pk}",
        subject_address=linked.address,
    )


def linked_wallet_revoked(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """The registry removed the wallet's identity: it is unlinked."""
    linked = _linked_of(tx, LinkedWalletStatus.UNLINKING)
    if linked is not None:
        status_transition(
            linked,
            to=LinkedWalletStatus.UNLINKED,
            transitions=LINKED_WALLET_TRANSITIONS,
            actor=None,
            data={"tx_hash": tx.tx_hash},
            extra={"unlinked_at": timezone.now()},
        )


def linked_wallet_revoke_failed(tx: ChainTransaction) -> None:
    """The chain refused the revocation: the wallet stays registered, with the reason."""
    linked = _linked_of(tx, LinkedWalletStatus.UNLINKING)
    if linked is not None:
        reason = explain_failure(tx.error)
        status_transition(
            linked,
            to=LinkedWalletStatus.REGISTERED,
            transitions=LINKED_WALLET_TRANSITIONS,
            actor=None,
            reason=reason,
            extra={"failure_reason": reason},
        )


def linked_wallets_identity_update(*, profile: InvestorProfile, identity: list[int], key: str) -> None:
    """The investor's identity changed on chain (renewal, PI lapse): each registered linked wallet gets the
    same (country, classes, expiry). Called inside the caller's transaction."""
    from compliance.services import INTENT_UPDATE_IDENTITY

    registry = platform_contract(ContractKind.IDENTITY_REGISTRY)
    for linked in LinkedWallet.objects.filter(investor=profile, status=LinkedWalletStatus.REGISTERED):
        token_services.contract_call(
            target=registry,
            function="updateIdentity",
            args=[linked.address, *identity],
            intent=INTENT_UPDATE_IDENTITY,
            key=f"identity:linked:{linked.pk}:{key}",
            reference=f"update identity of linked wallet {linked.pk} of investor {profile.pk}",
            subject_address=linked.address,
        )


def linked_wallets_withdraw(*, profile: InvestorProfile, actor: Any, reason: str) -> list[LinkedWallet]:
    """The investor's approval ended (revoked, blocked): every registered linked wallet is revoked too.

    Called inside the caller's transaction (the KYC revocation, the sanctions block)."""
    withdrawn = list(
        LinkedWallet.objects.select_for_update().filter(
            investor=profile, status=LinkedWalletStatus.REGISTERED
        )
    )
    for linked in withdrawn:
        status_transition(
            linked,
            to=LinkedWalletStatus.UNLINKING,
            transitions=LINKED_WALLET_TRANSITIONS,
            actor=actor,
            reason=reason,
        )
        _identity_revoke(linked)
    return withdrawn
