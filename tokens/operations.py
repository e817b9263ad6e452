"""Staff token operations: freeze, partial freeze, pause, forced transfer and wallet recovery.

Who decides (docs/architecture.md, "Token operations for staff"): a pause moves nobody's property and
is the emergency brake, so one operator or compliance approver applies it at once (the agent key is the
token's pauser). Every other operation moves or locks an investor's units, or lifts a brake someone
else pulled, so it is requested by one member of staff and approved by a compliance approver who is not
the requester (four eyes; a resume may also be approved by another operator). The token's agent powers
(freeze, partial freeze, forced transfer, recovery) are held by the platform timelock: an approved
operation is proposed by the registrar key and executed by the admin key after the delay.

Every refusal is checked against the chain before anything is written (read first, then one short
transaction), and again at approval, so a refused request or approval leaves nothing changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.choices import STAFF_ROLES, Role
from accounts.models import User
from compliance.audit import audit_record, status_transition
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tokens import chain
from tokens import services as token_services
from tokens.choices import (
    AMOUNT_OPERATIONS,
    IMMEDIATE_OPERATIONS,
    OPEN_OPERATION_STATUSES,
    TOKEN_OPERATION_TRANSITIONS,
    WALLET_OPERATIONS,
    ChainTxStatus,
    ContractKind,
    ContractStatus,
    LegalBasis,
    TokenOperationKind,
    TokenOperationStatus,
    WalletKind,
)
from tokens.models import ChainTransaction, Contract, TokenOperation, Wallet
from tokens.reasons import explain_failure
from tokens.selectors import platform_contract

Kind = TokenOperationKind
Status = TokenOperationStatus

INTENT_PAUSE = "token_operation_pause"
INTENT_RESUME = "token_operation_resume"
INTENT_SET_FROZEN = "token_operation_set_frozen"
INTENT_PARTIAL_FREEZE = "token_operation_partial_freeze"
INTENT_PARTIAL_UNFREEZE = "token_operation_partial_unfreeze"
INTENT_FORCED_TRANSFER = "token_operation_forced_transfer"
INTENT_RECOVER = "token_operation_wallet_recovery"
INTENT_RECOVERY_IDENTITY = "token_operation_recovery_identity"
INTENT_RECOVERY_REVOKE = "token_operation_recovery_revoke"
KEY_PREFIX = "tokenop:"
_KEY = re.compile(r"tokenop:(\d+):")

# Who may approve what (never the requester). A pause needs nobody.
APPROVERS = dict.fromkeys(Kind, (Role.APPROVER,)) | {Kind.RESUME: (Role.APPROVER, Role.OPERATOR)}
# Who may pull the brake at once.
PAUSERS = (Role.OPERATOR, Role.APPROVER)

# The token function each kind calls (recovery: see `_recovery_*`).
_CALLS = {
    Kind.FREEZE: ("setAddressFrozen", INTENT_SET_FROZEN),
    Kind.UNFREEZE: ("setAddressFrozen", INTENT_SET_FROZEN),
    Kind.PARTIAL_FREEZE: ("partialFreeze", INTENT_PARTIAL_FREEZE),
    Kind.PARTIAL_UNFREEZE: ("partialUnfreeze", INTENT_PARTIAL_UNFREEZE),
    Kind.FORCED_TRANSFER: ("agentTransfer", INTENT_FORCED_TRANSFER),
    Kind.PAUSE: ("suspendTransfers", INTENT_PAUSE),
    Kind.RESUME: ("resumeTransfers", INTENT_RESUME),
}


@dataclass(frozen=True)
class Target:
    """What an operation acts on, found and checked: the token, the wallet's investor."""

    token: Contract | None
    wallet: str
    investor: User | None
    counterparty: str


# --- checks (chain reads; never inside a transaction) -------------------------------------------------


def _require_staff(actor: User) -> None:
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied(gettext("Only platform staff may operate tokens."))


def _token_of(offering_id: int | None) -> Contract:
    from financing.models import Offering

    if offering_id is None:
        raise ValidationFailed(
            gettext("Choose the offering."), fields={"offering_id": gettext("Choose the offering.")}
        )
    offering = Offering.objects.select_related("token").filter(pk=offering_id).first()
    if offering is None:
        raise NotFound(gettext("No such offering."))
    token = offering.token
    if token is None or token.status != ContractStatus.DEPLOYED or not token.address:
        raise Conflict(gettext("This offering's token is not on chain yet."))
    return token


def _investor_of(address: str, field: str) -> tuple[str, User]:
    """The approved investor whose custodial wallet `address` is."""
    from compliance.models import InvestorProfile

    if not re.fullmatch(r"0x[0-9a-fA-F]{40}", address or ""):
        raise ValidationFailed(
            gettext("Give the wallet address (0x and 40 hexadecimal digits)."),
            fields={field: gettext("Not a wallet address.")},
        )
    checksum = chain.to_checksum(address)
    profile = InvestorProfile.objects.select_related("user").filter(wallet__address=checksum).first()
    if profile is None:
        raise ValidationFailed(
            gettext("That wallet is not an investor's wallet on this platform."),
            fields={field: gettext("No investor holds this wallet.")},
        )
    return checksum, profile.user


def _read(token: Contract, function: str, *args: Any) -> Any:
    return chain.call("SecurityToken", str(token.address), function, *args)


def _check(
    *, kind: Kind, token: Contract | None, wallet: str, counterparty: str, amount: int | None
) -> dict[str, Any]:
    """Refuse, in plain words, what the chain would refuse or what would do nothing; returns a
    recovery's plan (the lost wallet's identity and the tokens it holds)."""
    if kind == Kind.RECOVERY:
        return _recovery_plan(wallet)
    assert token is not None
    if kind in (Kind.PAUSE, Kind.RESUME):
        paused = _read(token, "isPaused")
        if kind == Kind.PAUSE and paused:
            raise Conflict(gettext("Transfers of this token are already paused."))
        if kind == Kind.RESUME and not paused:
            raise Conflict(gettext("Transfers of this token are not paused: there is nothing to resume."))
        return {}
    balance = int(_read(token, "balanceOf", wallet))
    frozen_units = int(_read(token, "frozenTokens", wallet))
    frozen = bool(_read(token, "isFrozen", wallet))
    free = balance - frozen_units
    if kind == Kind.FREEZE:
        if frozen:
            raise Conflict(gettext("This wallet is already frozen on this token."))
        if balance == 0:
            raise Conflict(gettext("This wallet holds no units of this token: there is nothing to freeze."))
    elif kind == Kind.UNFREEZE:
        if not frozen:
            raise Conflict(gettext("This wallet is not frozen on this token: there is nothing to unfreeze."))
    elif kind == Kind.PARTIAL_FREEZE:
        assert amount is not None
        if amount > free:
            message = f"Only {free:,} of the wallet's {balance:,} units are free to freeze."
            raise ValidationFailed(message, fields={"amount": message})
    elif kind == Kind.PARTIAL_UNFREEZE:
        assert amount is not None
        if amount > frozen_units:
            message = f"The wallet has {frozen_units:,} frozen units; it cannot release {amount:,}."
            raise ValidationFailed(message, fields={"amount": message})
    elif kind == Kind.FORCED_TRANSFER:
        assert amount is not None
        if counterparty == wallet:
            raise ValidationFailed(
                gettext("A forced transfer moves units to another wallet."),
                fields={"counterparty": gettext("Same wallet.")},
            )
        if amount > free:
            message = (
                f"Only {free:,} of the wallet's {balance:,} units are free to move "
                "(release frozen units first)."
            )
            raise ValidationFailed(message, fields={"amount": message})
        registry = platform_contract(ContractKind.IDENTITY_REGISTRY)
        if not chain.call("IdentityRegistry", str(registry.address), "isVerified", counterparty):
            raise Conflict(gettext("The receiving wallet is not verified on the identity registry."))
    return {}


def _holding_tokens(address: str) -> list[Contract]:
    """Every deployed security token on which `address` holds units or is frozen, read from the chain."""
    tokens = Contract.objects.filter(
        kind=ContractKind.SECURITY_TOKEN, status=ContractStatus.DEPLOYED, chain_id=chain.chain_id()
    ).exclude(address=None)
    return [
        token
        for token in tokens.order_by("pk")
        if int(_read(token, "balanceOf", address)) or _read(token, "isFrozen", address)
    ]


def _recovery_plan(lost: str) -> dict[str, Any]:
    """The lost wallet's identity on the registry (copied to the replacement) and the tokens to move."""
    from compliance.models import InvestorProfile
    from financing.choices import SubscriptionStatus
    from financing.models import Subscription

    registry = platform_contract(ContractKind.IDENTITY_REGISTRY)
    country, classes, expiry = chain.call("IdentityRegistry", str(registry.address), "identityOf", lost)
    if not expiry:
        raise Conflict(
            gettext(
                "The lost wallet has no identity on the registry to carry over (revoked or never registered)."
            )
        )
    profile = InvestorProfile.objects.get(wallet__address=lost)
    in_escrow = Subscription.objects.filter(
        investor=profile.user, status__in=[SubscriptionStatus.FUNDING, SubscriptionStatus.ACTIVE]
    )
    if in_escrow.exists():
        raise Conflict(
            gettext(
                "The investor has a subscription paid into escrow from the lost "
                "wallet; wait until it is settled or refunded, then recover the wallet."
            )
        )
    return {
        "tokens": [str(token.address) for token in _holding_tokens(lost)],
        "country": int(country),
        "classes": int(classes),
        "expiry": int(expiry),
    }


def _validate(
    *,
    kind: str,
    offering_id: int | None,
    wallet: str,
    counterparty: str,
    amount: int | None,
    reason: str,
    legal_basis: str,
    legal_reference: str,
) -> Target:
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        raise ValidationFailed(
            gettext("Choose what to do."), fields={"kind": gettext("Not a token operation.")}
        )
    if not reason.strip():
        errors["reason"] = gettext("Say why.")
    if kind in AMOUNT_OPERATIONS and (amount is None or amount <= 0):
        errors["amount"] = gettext("Give a whole number of units above 0.")
    if kind == Kind.FORCED_TRANSFER:
        if legal_basis not in LegalBasis.values:
            errors["legal_basis"] = gettext("A forced transfer needs its legal basis.")
        if not legal_reference.strip():
            errors["legal_reference"] = gettext("Give the reference of the order or direction.")
        if not counterparty:
            errors["counterparty"] = gettext("Give the receiving wallet.")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    token = None if kind == Kind.RECOVERY else _token_of(offering_id)
    address, investor = ("", None)
    if kind in WALLET_OPERATIONS:
        address, investor = _investor_of(wallet, "wallet")
    receiver = _investor_of(counterparty, "counterparty")[0] if kind == Kind.FORCED_TRANSFER else ""
    return Target(token=token, wallet=address, investor=investor, counterparty=receiver)


def _refuse_if_open(target: Target, kind: str) -> None:
    open_ops = TokenOperation.objects.filter(status__in=OPEN_OPERATION_STATUSES)
    if kind == Kind.RECOVERY:
        busy = open_ops.filter(wallet=target.wallet).exists()
    else:
        busy = open_ops.filter(token=target.token, wallet=target.wallet).exists() or (
            bool(target.wallet) and open_ops.filter(kind=Kind.RECOVERY, wallet=target.wallet).exists()
        )
    if busy:
        raise Conflict(
            gettext("Another operation on this wallet or token is still open; finish or reject it first.")
        )


# --- services -----------------------------------------------------------------------------------------


def token_operation_request(
    *,
    actor: User,
    kind: str,
    offering_id: int | None = None,
    wallet: str = "",
    counterparty: str = "",
    amount: int | None = None,
    reason: str,
    legal_basis: str = "",
    legal_reference: str = "",
) -> TokenOperation:
    """Record a staff request; a pause goes to the chain at once, anything else waits for a second person."""
    _require_staff(actor)
    if kind == Kind.PAUSE and actor.role not in PAUSERS:
        raise PermissionDenied(gettext("Only an operator or a compliance approver may pause a token."))
    target = _validate(
        kind=kind,
        offering_id=offering_id,
        wallet=wallet,
        counterparty=counterparty,
        amount=amount,
        reason=reason,
        legal_basis=legal_basis,
        legal_reference=legal_reference,
    )
    _refuse_if_open(target, kind)
    plan = _check(
        kind=Kind(kind),
        token=target.token,
        wallet=target.wallet,
        counterparty=target.counterparty,
        amount=amount,
    )
    with transaction.atomic():
        operation = TokenOperation.objects.create(
            kind=kind,
            token=target.token,
            wallet=target.wallet,
            counterparty=target.counterparty,
            investor=target.investor,
            amount=amount if kind in AMOUNT_OPERATIONS else None,
            reason=reason.strip(),
            legal_basis=legal_basis if kind == Kind.FORCED_TRANSFER else "",
            legal_reference=legal_reference.strip() if kind == Kind.FORCED_TRANSFER else "",
            requested_by=actor,
            details=plan,
        )
        audit_record(
            actor=actor,
            action="token_operation_requested",
            obj=operation,
            to_status=Status.REQUESTED,
            reason=operation.reason,
            data=_audit_data(operation),
        )
        if kind in IMMEDIATE_OPERATIONS:
            _submit(operation, actor=actor)
    return operation


def token_operation_approve(*, actor: User, operation_id: int) -> TokenOperation:
    """The second person approves: the operation is checked against the chain again and sent."""
    _require_staff(actor)
    operation = _operation(operation_id)
    _may_decide(operation, actor)
    plan = _check(
        kind=Kind(operation.kind),
        token=operation.token,
        wallet=operation.wallet,
        counterparty=operation.counterparty,
        amount=operation.amount,
    )
    with transaction.atomic():
        operation = TokenOperation.objects.select_for_update().get(pk=operation_id)
        _may_decide(operation, actor)
        if operation.kind == Kind.RECOVERY:
            replacement = token_services.wallet_create(
                kind=WalletKind.INVESTOR,
                label=f"Investor wallet (replaces {operation.wallet[:10]}…)",
                owner=operation.investor,
            )
            operation.counterparty = replacement.address
            operation.details = plan | {"stage": "identity"}
            operation.save(update_fields=["counterparty", "details", "updated_at"])
        status_transition(
            operation,
            to=Status.APPROVED,
            transitions=TOKEN_OPERATION_TRANSITIONS,
            actor=actor,
            extra={"approved_by": actor, "decided_at": timezone.now()},
        )
        operation.refresh_from_db()
        _submit(operation, actor=actor)
    return operation


@transaction.atomic
def token_operation_reject(*, actor: User, operation_id: int, reason: str) -> TokenOperation:
    """The second person refuses the request; nothing is sent to the chain."""
    _require_staff(actor)
    if not reason.strip():
        raise ValidationFailed(
            gettext("Say why the request is rejected."), fields={"reason": gettext("Say why.")}
        )
    operation = TokenOperation.objects.select_for_update().filter(pk=operation_id).first()
    if operation is None:
        raise NotFound(gettext("No such token operation."))
    _may_decide(operation, actor)
    status_transition(
        operation,
        to=Status.REJECTED,
        transitions=TOKEN_OPERATION_TRANSITIONS,
        actor=actor,
        reason=reason.strip(),
        extra={"approved_by": None, "decided_at": timezone.now(), "rejection_reason": reason.strip()},
    )
    operation.refresh_from_db()
    return operation


def _operation(operation_id: int) -> TokenOperation:
    operation = TokenOperation.objects.select_related("token", "requested_by").filter(pk=operation_id).first()
    if operation is None:
        raise NotFound(gettext("No such token operation."))
    return operation


def decision_refusal(operation: TokenOperation, actor: User) -> str:
    """Why `actor` may not approve or reject `operation` now, in words ("" when they may)."""
    if operation.status != Status.REQUESTED:
        return f"This operation is {operation.get_status_display().lower()}; it awaits no decision."
    if operation.requested_by_id == actor.pk:
        return "You requested this operation; another member of staff must approve or reject it."
    allowed = APPROVERS[Kind(operation.kind)]
    if actor.role not in allowed:
        return f"Only a {' or an '.join(str(Role(role).label).lower() for role in allowed)} may decide this."
    return ""


def _may_decide(operation: TokenOperation, actor: User) -> None:
    refusal = decision_refusal(operation, actor)
    if not refusal:
        return
    if operation.status != Status.REQUESTED:
        raise Conflict(refusal)
    raise PermissionDenied(refusal)


def _submit(operation: TokenOperation, *, actor: User) -> None:
    """Record the operation's first chain write(s) in the outbox and mark it sent."""
    kind = Kind(operation.kind)
    if kind == Kind.RECOVERY:
        rows = [_recovery_identity(operation)]
    elif kind in (Kind.PAUSE, Kind.RESUME):
        function, intent = _CALLS[kind]
        assert operation.token is not None
        rows = [
            token_services.contract_call(
                target=operation.token,
                function=function,
                args=[],
                intent=intent,
                key=f"{KEY_PREFIX}{operation.pk}:{function}",
                reference=_reference(f"{kind.label.lower()} {operation.token.label}", operation),
            )
        ]
    else:
        rows = [_propose(operation, kind)]
    operation.transactions.add(*rows)
    status_transition(operation, to=Status.SUBMITTED, transitions=TOKEN_OPERATION_TRANSITIONS, actor=actor)


def _propose(operation: TokenOperation, kind: Kind) -> ChainTransaction:
    function, _ = _CALLS[kind]
    assert operation.token is not None
    arguments: dict[Kind, list[Any]] = {
        Kind.FREEZE: [operation.wallet, True],
        Kind.UNFREEZE: [operation.wallet, False],
        Kind.PARTIAL_FREEZE: [operation.wallet, operation.amount],
        Kind.PARTIAL_UNFREEZE: [operation.wallet, operation.amount],
        Kind.FORCED_TRANSFER: [operation.wallet, operation.counterparty, operation.amount],
    }
    args = arguments[kind]
    return token_services.admin_operation_propose(
        target=operation.token,
        function=function,
        args=args,
        key=f"{KEY_PREFIX}{operation.pk}:{function}",
        reference=_reference(
            f"{kind.label.lower()} {operation.wallet} on {operation.token.label}", operation
        ),
        subject_address=operation.wallet,
    )


# --- wallet recovery, step by step --------------------------------------------------------------------


def _recovery_identity(operation: TokenOperation) -> ChainTransaction:
    """Step 1: the replacement gets the lost wallet's identity (same country, classes and expiry)."""
    plan = operation.details
    return token_services.contract_call(
        target=platform_contract(ContractKind.IDENTITY_REGISTRY),
        function="registerIdentity",
        args=[operation.counterparty, plan["country"], plan["classes"], plan["expiry"]],
        intent=INTENT_RECOVERY_IDENTITY,
        key=f"{KEY_PREFIX}{operation.pk}:identity",
        reference=f"register the replacement wallet's identity (token operation {operation.pk})",
        subject_address=operation.counterparty,
    )


def _recovery_move(operation: TokenOperation) -> list[ChainTransaction]:
    """Step 2: every token the lost wallet holds moves it to the replacement (`walletRecovery`)."""
    rows = []
    for address in operation.details["tokens"]:
        token = Contract.objects.get(chain_id=chain.chain_id(), address=address)
        rows.append(
            token_services.admin_operation_propose(
                target=token,
                function="walletRecovery",
                args=[operation.wallet, operation.counterparty],
                key=f"{KEY_PREFIX}{operation.pk}:recover:{address}",
                reference=_reference(f"recover {operation.wallet} on {token.label}", operation),
                subject_address=operation.wallet,
            )
        )
    return rows


def _recovery_close(operation: TokenOperation) -> list[ChainTransaction]:
    """Step 3: the investor's profile points at the replacement; the lost wallet is frozen on every
    token it held (the contract moved its state away) and its identity revoked."""
    from compliance.models import InvestorProfile

    replacement = Wallet.objects.get(address=operation.counterparty)
    InvestorProfile.objects.filter(wallet__address=operation.wallet).update(
        wallet=replacement, updated_at=timezone.now()
    )
    rows = []
    for address in operation.details["tokens"]:
        token = Contract.objects.get(chain_id=chain.chain_id(), address=address)
        rows.append(
            token_services.admin_operation_propose(
                target=token,
                function="setAddressFrozen",
                args=[operation.wallet, True],
                key=f"{KEY_PREFIX}{operation.pk}:freeze-lost:{address}",
                reference=_reference(
                    f"freeze the lost wallet {operation.wallet} on {token.label}", operation
                ),
                subject_address=operation.wallet,
            )
        )
    rows.append(
        token_services.contract_call(
            target=platform_contract(ContractKind.IDENTITY_REGISTRY),
            function="revokeIdentity",
            args=[operation.wallet],
            intent=INTENT_RECOVERY_REVOKE,
            key=f"{KEY_PREFIX}{operation.pk}:revoke",
            reference=f"revoke the lost wallet's identity (token operation {operation.pk})",
            subject_address=operation.wallet,
        )
    )
    audit_record(
        actor=None,
        action="token_operation_wallet_replaced",
        obj=operation,
        data={"lost": operation.wallet, "replacement": operation.counterparty},
    )
    return rows


# --- outbox handlers ----------------------------------------------------------------------------------


def _operation_of(tx: ChainTransaction) -> TokenOperation | None:
    found = _KEY.search(tx.idempotency_key)
    if found is None:
        return None
    return TokenOperation.objects.select_for_update().filter(pk=int(found.group(1))).first()


def _open_rows(operation: TokenOperation) -> bool:
    return ChainTransaction.objects.filter(
        idempotency_key__contains=f"{KEY_PREFIX}{operation.pk}:",
        status__in=[ChainTxStatus.PENDING, ChainTxStatus.SENT],
    ).exists()


def operation_step_confirmed(tx: ChainTransaction, receipt: dict[str, Any]) -> None:
    """A chain write of an operation was mined: take the next step, or record it done."""
    operation = _operation_of(tx)
    if operation is None or operation.status != Status.SUBMITTED:
        return
    operation.transactions.add(tx)
    if operation.kind == Kind.RECOVERY:
        stage = operation.details.get("stage")
        if tx.intent == INTENT_RECOVERY_IDENTITY and stage == "identity":
            rows = _recovery_move(operation) if operation.details["tokens"] else _recovery_close(operation)
            operation.details = operation.details | {
                "stage": "moving" if operation.details["tokens"] else "closing"
            }
        elif tx.intent == INTENT_RECOVER and stage == "moving" and not _open_rows(operation):
            rows = _recovery_close(operation)
            operation.details = operation.details | {"stage": "closing"}
        else:
            rows = []
        if rows:
            operation.transactions.add(*rows)
            operation.save(update_fields=["details", "updated_at"])
            return
        if operation.details.get("stage") != "closing" or _open_rows(operation):
            return
    elif _open_rows(operation):
        return
    status_transition(
        operation,
        to=Status.EXECUTED,
        transitions=TOKEN_OPERATION_TRANSITIONS,
        actor=None,
        data={"tx_hash": tx.tx_hash},
        extra={"executed_at": timezone.now()},
    )


def operation_step_failed(tx: ChainTransaction) -> None:
    """The chain refused a step (or its proposal): the operation failed, with the reason in words."""
    operation = _operation_of(tx)
    if operation is None or operation.status not in (Status.APPROVED, Status.SUBMITTED):
        return
    operation.transactions.add(tx)
    error = explain_failure(tx.error)
    status_transition(
        operation,
        to=Status.FAILED,
        transitions=TOKEN_OPERATION_TRANSITIONS,
        actor=None,
        reason=error,
        extra={"error": error},
    )


def _reference(what: str, operation: TokenOperation) -> str:
    """An outbox reference (at most 200 characters) naming the operation."""
    suffix = f" (token operation {operation.pk})"
    return what[: 200 - len(suffix)] + suffix


def _audit_data(operation: TokenOperation) -> dict[str, Any]:
    return {
        "kind": operation.kind,
        "token": operation.token.address if operation.token else "",
        "wallet": operation.wallet,
        "counterparty": operation.counterparty,
        "amount": operation.amount,
        "legal_basis": operation.legal_basis,
        "legal_reference": operation.legal_reference,
    }


def register() -> None:
    """Declare who signs each operation's chain writes and what they may call."""
    from tokens import outbox
    from tokens.indexer.nudge import nudging_indexer

    # Each confirmed step wakes the indexer, so the holdings and the investor's history follow at once.
    confirmed, failed = nudging_indexer(operation_step_confirmed), operation_step_failed
    token, registry = (ContractKind.SECURITY_TOKEN,), (ContractKind.IDENTITY_REGISTRY,)
    plain: list[tuple[str, WalletKind, tuple[ContractKind, ...], str]] = [
        (INTENT_PAUSE, WalletKind.AGENT, token, "suspendTransfers()"),
        (INTENT_RESUME, WalletKind.AGENT, token, "resumeTransfers()"),
        (
            INTENT_RECOVERY_IDENTITY,
            WalletKind.REGISTRAR,
            registry,
            "registerIdentity(address,uint16,uint8,uint64)",
        ),
        (INTENT_RECOVERY_REVOKE, WalletKind.REGISTRAR, registry, "revokeIdentity(address)"),
    ]
    for intent, signer, targets, function in plain:
        outbox.register_intent(
            intent, signer=signer, targets=targets, functions=(function,), confirmed=confirmed, failed=failed
        )
    # The token's agent powers sit with the timelock: proposed by the registrar, executed by the admin key.
    for name, intent in (
        ("setAddressFrozen", INTENT_SET_FROZEN),
        ("partialFreeze", INTENT_PARTIAL_FREEZE),
        ("partialUnfreeze", INTENT_PARTIAL_UNFREEZE),
        ("agentTransfer", INTENT_FORCED_TRANSFER),
        ("walletRecovery", INTENT_RECOVER),
    ):
        token_services.register_admin_operation(
            target=ContractKind.SECURITY_TOKEN,
            function=name,
            intent=intent,
            key_prefix=KEY_PREFIX,
            confirmed=confirmed,
            failed=failed,
        )
