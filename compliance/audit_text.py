"""The audit trail in words: one function turns an entry's raw fields into a sentence a person reads.

`audit_sentence` knows the actions the platform writes (a table below) and falls back to a readable
sentence for any other, so a reader never sees a raw code alone. It needs no database: the object's
label (an application's title, a company's name) is passed in by whoever loaded it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from accounts.templatetags.money import money

PLATFORM = "The platform"

# object_type (the model's app_label.model_name) -> the noun a reader knows it by.
OBJECT_NOUNS: dict[str, str] = {
    "financing.application": "application",
    "financing.offering": "offering",
    "financing.subscription": "subscription",
    "financing.allotment": "allotment",
    "issuers.company": "company",
    "issuers.person": "director or owner",
    "issuers.document": "document",
    "compliance.investorprofile": "investor",
    "compliance.investorperson": "investor's director or owner",
    "compliance.investordocument": "investor's document",
    "tokens.wallet": "wallet",
    "tokens.contract": "contract",
    "tokens.paymenttokenlisting": "payment token listing",
    "accounts.apikey": "API key",
    "compliance.sanctionslist": "sanctions list",
    "compliance.screening": "screening",
    "compliance.screeningrun": "re-screening run",
    "compliance.case": "case",
    "compliance.conflictdeclaration": "conflict declaration",
    "compliance.intermediary": "intermediary",
    "compliance.licence": "licence",
}

# Actions written by `audit_record` directly -> the verb, placed before the object.
ACTION_VERBS: dict[str, str] = {
    "application_created": "created",
    "application_updated": "edited",
    "company_created": "registered",
    "company_updated": "edited the details of",
    "company_profile_updated": "updated the KYB profile of",
    "person_saved": "saved",
    "person_removed": "removed",
    "document_uploaded": "uploaded",
    "document_removed": "removed",
    "investor_chain_setup_retried": "sent again the on-chain identity registration of",
    "investor_details_saved": "saved the due-diligence details of",
    "investor_person_saved": "saved",
    "investor_person_removed": "removed",
    "investor_document_uploaded": "uploaded",
    "investor_document_removed": "removed",
    "investor_pi_lapsed": "ended the professional-investor status (evidence stale) of",
    "demo_faucet": "minted test stablecoin for",
    "payment_token_proposed": "proposed for the allowlist the stablecoin of",
    "offering_created": "created",
    "subscription_created": "placed",
    "api_key_created": "created",
    "api_key_revoked": "revoked",
    "case_opened": "opened",
    "alert_raised": "raised",
    "information_requested": "requested information on",
    "information_answered": "answered the request for information on",
    "answer_document_added": "attached a document to the answer on",
    "answer_document_removed": "removed a document from the answer on",
    "case_assigned": "assigned",
    "case_note_added": "added an internal note to",
    "conflict_declared": "declared",
    "intermediary_created": "added to the licence register",
    "intermediary_updated": "edited",
    "licence_created": "recorded",
    "licence_updated": "edited",
    "licence_suspended": "recorded the suspension of",
    "licence_revoked": "recorded the revocation of",
    "arranger_licence_renewed": "took the arranger's renewed licence for",
    "offering_subscriptions_paused": "paused new subscriptions to",
    "offering_arranger_replaced": "replaced the arranger of",
    "sanctions_match_cleared": "cleared as another party the sanctions match of",
    "sanctions_match_confirmed": "confirmed the sanctions match of",
    "sanctions_wallet_frozen": "queued the on-chain freeze of the wallet named in",
}

# Status moves (`status_transition` writes the action "<field>:<to>") -> the verb, by the new status;
# (object_type, status) first where one status means something else on another object.
STATUS_VERBS: dict[str | tuple[str, str], str] = {
    ("financing.subscription", "active"): "confirmed the payment of",
    ("financing.allotment", "pending"): "queued the settlement of",
    ("financing.allotment", "settled"): "settled",
    ("financing.allotment", "written_off"): "wrote off",
    ("financing.subscription", "released"): "released the escrow of",
    ("financing.offering", "ready"): "made ready to open",
    ("compliance.sanctionslist", "imported"): "imported",
    ("compliance.screening", "clear"): "recorded a clear sanctions result for",
    ("compliance.screening", "potential_match"): "recorded a potential sanctions match for",
    ("compliance.screeningrun", "queued"): "queued",
    ("compliance.case", "awaiting_approver"): "recommended for an approver's decision",
    ("compliance.case", "info_requested"): "sent back to the applicant with questions",
    ("compliance.case", "open"): "returned to the queue",
    ("compliance.investorprofile", "revoked"): "revoked the approval of",
    "submitted": "submitted",
    "under_review": "took into review",
    "changes_requested": "requested changes to",
    "approved": "approved",
    "rejected": "rejected",
    "verified": "verified",
    "withdrawn": "withdrew",
    "open": "opened",
    "closed": "closed",
    "settled": "settled",
    "cancelled": "cancelled",
    "failed": "marked as failed",
    "allotted": "allotted",
    "not_allotted": "did not allot",
    "active": "activated",
    "pending": "set pending",
    "blocked": "blocked",
}

# Kinds of action a reader filters by.
DECISION_STATUSES = ("approved", "rejected", "verified", "changes_requested")
RECORD_ACTIONS = tuple(ACTION_VERBS)


def words(code: str) -> str:
    """A code as words: `changes_requested` -> `changes requested`."""
    return code.replace("_", " ").replace(":", " ").strip()


def object_noun(object_type: str) -> str:
    """The noun for an object type; an unknown type is named by its model."""
    return OBJECT_NOUNS.get(object_type, words(object_type.rpartition(".")[2]) or "record")


def short_hash(value: str) -> str:
    """A transaction hash shortened for reading (the full one is in the data and the export)."""
    return value if len(value) <= 12 else f"{value[:10]}…"


@dataclass(frozen=True)
class Sentence:
    """An entry in words, in parts, so a page can link the object; `str()` is the whole sentence."""

    actor: str
    verb: str
    obj: str
    tail: str

    def __str__(self) -> str:
        return f"{self.actor} {self.verb} {self.obj}{self.tail}"


def audit_sentence(
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    label: str = "",
) -> Sentence:
    """Who did what to which object, why, and where on chain: one entry in words."""
    data = data or {}
    _field, is_status_move, status = action.partition(":")
    if is_status_move:
        verb = STATUS_VERBS.get((object_type, status)) or STATUS_VERBS.get(status) or ""
        if not verb:
            verb = f"moved to “{words(status)}”"
    else:
        verb = ACTION_VERBS.get(action) or f"recorded “{words(action)}” on"
    obj = f"{object_noun(object_type)} #{object_id}"
    if label:
        obj += f" '{label}'"
    tail = ""
    if from_status or to_status:
        tail += f" ({words(from_status) or 'new'} → {words(to_status) or '—'})"
    if tx_hash := data.get("tx_hash"):
        tail += f" on chain (tx {short_hash(str(tx_hash))})"
    if (amount := data.get("amount_hkd")) is not None:
        tail += f": {money(amount)}"
    elif "currency" in data and "amount" in data:
        tail += f": {money(data['amount'], str(data['currency']))}"
    elif "units" in data and "amount" in data:
        tail += f": {data['units']} units, {money(data['amount'])}"
    if outcome := data.get("outcome"):
        tail += f" as {words(str(outcome))}"
    elif recommendation := data.get("recommendation"):
        tail += f", recommending “{words(str(recommendation))}”"
    if reason:
        tail += f": reason “{reason}”"
    return Sentence(actor=actor or PLATFORM, verb=verb, obj=obj, tail=tail)
