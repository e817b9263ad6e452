"""The audit trail in words: one function turns an entry's raw fields into a sentence a person reads.

`audit_sentence` knows the actions the platform writes (a table below) and falls back to a readable
sentence for any other, so a reader never sees a raw code alone. It needs no database: the object's
label (an application's title, a company's name) is passed in by whoever loaded it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.templatetags.money import money

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PLATFORM = _("The platform")

# object_type (the model's app_label.model_name) -> the noun a reader knows it by.
OBJECT_NOUNS: dict[str, StrOrPromise] = {
    "financing.application": _("application"),
    "financing.offering": _("offering"),
    "financing.subscription": _("subscription"),
    "financing.allotment": _("allotment"),
    "issuers.company": _("company"),
    "issuers.person": _("director or owner"),
    "issuers.document": _("document"),
    "compliance.investorprofile": _("investor"),
    "compliance.investorperson": _("investor's director or owner"),
    "compliance.investordocument": _("investor's document"),
    "tokens.wallet": _("wallet"),
    "tokens.contract": _("contract"),
    "tokens.paymenttokenlisting": _("payment token listing"),
    "accounts.apikey": _("API key"),
    "compliance.sanctionslist": _("sanctions list"),
    "compliance.screening": _("screening"),
    "compliance.screeningrun": _("re-screening run"),
    "compliance.case": _("case"),
    "compliance.conflictdeclaration": _("conflict declaration"),
    "compliance.intermediary": _("intermediary"),
    "compliance.licence": _("licence"),
    "compliance.attestation": _("attestation"),
    "compliance.linkedwallet": _("linked wallet"),
    "financing.tradedocument": _("trade document"),
    "issuers.dataconsent": _("data-sharing consent"),
    "issuers.transferconsent": _("cross-border transfer consent"),
    "issuers.crossbordertransfer": _("cross-border transfer record"),
    "accounts.user": _("account"),
    "financing.offeringpayment": _("payment"),
    "financing.offeringdocument": _("offering document"),
    "financing.transfer": _("transfer"),
    "tokens.tokenoperation": _("token operation"),
}

# Actions written by `audit_record` directly -> the verb, placed before the object.
ACTION_VERBS: dict[str, StrOrPromise] = {
    "application_created": _("created"),
    "application_updated": _("edited"),
    "company_created": _("registered"),
    "company_updated": _("edited the details of"),
    "company_profile_updated": _("updated the KYB profile of"),
    "person_saved": _("saved"),
    "person_removed": _("removed"),
    "document_uploaded": _("uploaded"),
    "document_removed": _("removed"),
    "investor_chain_setup_retried": _("sent again the on-chain identity registration of"),
    "investor_details_saved": _("saved the due-diligence details of"),
    "investor_person_saved": _("saved"),
    "investor_person_removed": _("removed"),
    "investor_document_uploaded": _("uploaded"),
    "investor_document_removed": _("removed"),
    "investor_pi_lapsed": _("ended the professional-investor status (evidence stale) of"),
    "demo_faucet": _("minted test stablecoin for"),
    "payment_token_proposed": _("proposed for the allowlist the stablecoin of"),
    "offering_created": _("created"),
    "subscription_created": _("placed"),
    "api_key_created": _("created"),
    "api_key_revoked": _("revoked"),
    "case_opened": _("opened"),
    "alert_raised": _("raised"),
    "information_requested": _("requested information on"),
    "information_answered": _("answered the request for information on"),
    "answer_document_added": _("attached a document to the answer on"),
    "answer_document_removed": _("removed a document from the answer on"),
    "case_assigned": _("assigned"),
    "case_note_added": _("added an internal note to"),
    "conflict_declared": _("declared"),
    "intermediary_created": _("added to the licence register"),
    "intermediary_updated": _("edited"),
    "licence_created": _("recorded"),
    "licence_updated": _("edited"),
    "licence_suspended": _("recorded the suspension of"),
    "licence_revoked": _("recorded the revocation of"),
    "arranger_licence_renewed": _("took the arranger's renewed licence for"),
    "offering_subscriptions_paused": _("paused new subscriptions to"),
    "offering_arranger_replaced": _("replaced the arranger of"),
    "sanctions_match_cleared": _("cleared as another party the sanctions match of"),
    "sanctions_match_confirmed": _("confirmed the sanctions match of"),
    "sanctions_wallet_frozen": _("queued the on-chain freeze of the wallet named in"),
    "trade_document_added": _("added"),
    "trade_document_replaced": _("corrected"),
    "trade_document_removed": _("removed a trade document from"),
    "consent_granted": _("granted"),
    "consent_revoked": _("revoked"),
    "transfer_consent_recorded": _("recorded"),
    "transfer_consent_withdrawn": _("recorded the withdrawal of"),
    "transfer_assessment_recorded": _("recorded the impact assessment in"),
    "transfer_filing_recorded": _("recorded the standard-contract filing in"),
    "attestation_issued": _("issued"),
    "attestation_revocation_failed": _("recorded a failed on-chain revocation of"),
    "wallet_linked": _("linked"),
    "dividend_declared": _("declared the dividend"),
    "offering_document_uploaded": _("uploaded"),
    "transfer_created": _("requested"),
    "token_operation_requested": _("requested"),
    "token_operation_wallet_replaced": _("replaced the wallet in"),
    "email_change_requested": _("asked to change the email address of"),
    "email_changed": _("changed the email address of"),
    "password_changed": _("changed the password of"),
    "password_reset": _("reset the password of"),
    "profile_updated": _("updated the profile of"),
    "session_ended": _("ended a session of"),
    "sessions_ended": _("ended the other sessions of"),
    "two_factor_enabled": _("turned on two-factor authentication for"),
    "two_factor_disabled": _("turned off two-factor authentication for"),
    "two_factor_backup_codes_renewed": _("renewed the two-factor backup codes of"),
    "two_factor_backup_code_used": _("used a two-factor backup code of"),
}

# Status moves (`status_transition` writes the action "<field>:<to>") -> the verb, by the new status;
# (object_type, status) first where one status means something else on another object.
STATUS_VERBS: dict[str | tuple[str, str], StrOrPromise] = {
    ("financing.subscription", "active"): _("confirmed the payment of"),
    ("financing.allotment", "pending"): _("queued the settlement of"),
    ("financing.allotment", "settled"): _("settled"),
    ("financing.allotment", "written_off"): _("wrote off"),
    ("financing.subscription", "released"): _("released the escrow of"),
    ("financing.offering", "ready"): _("made ready to open"),
    ("compliance.sanctionslist", "imported"): _("imported"),
    ("compliance.screening", "clear"): _("recorded a clear sanctions result for"),
    ("compliance.screening", "potential_match"): _("recorded a potential sanctions match for"),
    ("compliance.screeningrun", "queued"): _("queued"),
    ("compliance.case", "awaiting_approver"): _("recommended for an approver's decision"),
    ("compliance.case", "info_requested"): _("sent back to the applicant with questions"),
    ("compliance.case", "open"): _("returned to the queue"),
    ("compliance.investorprofile", "revoked"): _("revoked the approval of"),
    "submitted": _("submitted"),
    "under_review": _("took into review"),
    "changes_requested": _("requested changes to"),
    "approved": _("approved"),
    "rejected": _("rejected"),
    "verified": _("verified"),
    "withdrawn": _("withdrew"),
    "open": _("opened"),
    "closed": _("closed"),
    "settled": _("settled"),
    "cancelled": _("cancelled"),
    "failed": _("marked as failed"),
    "allotted": _("allotted"),
    "not_allotted": _("did not allot"),
    "active": _("activated"),
    "pending": _("set pending"),
    "blocked": _("blocked"),
}

# Kinds of action a reader filters by.
DECISION_STATUSES = ("approved", "rejected", "verified", "changes_requested")
RECORD_ACTIONS = tuple(ACTION_VERBS)


def words(code: str) -> str:
    """A code as words: `changes_requested` -> `changes requested`."""
    return code.replace("_", " ").replace(":", " ").strip()


def object_noun(object_type: str) -> str:
    """The noun for an object type; an unknown type is named by its model."""
    return str(OBJECT_NOUNS.get(object_type, words(object_type.rpartition(".")[2]) or gettext("record")))


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
        verb = str(STATUS_VERBS.get((object_type, status)) or STATUS_VERBS.get(status) or "")
        if not verb:
            verb = gettext("moved to “%(status)s”") % {"status": words(status)}
    else:
        known = ACTION_VERBS.get(action)
        verb = str(known) if known else gettext("recorded “%(action)s” on") % {"action": words(action)}
    obj = f"{object_noun(object_type)} #{object_id}"
    if label:
        obj += f" '{label}'"
    tail = ""
    if from_status or to_status:
        tail += f" ({words(from_status) or gettext('new')} → {words(to_status) or '—'})"
    if tx_hash := data.get("tx_hash"):
        tail += gettext(" on chain (tx %(hash)s)") % {"hash": short_hash(str(tx_hash))}
    if (amount := data.get("amount_hkd")) is not None:
        tail += f": {money(amount)}"
    elif "currency" in data and "amount" in data:
        tail += f": {money(data['amount'], str(data['currency']))}"
    elif "units" in data and "amount" in data:
        tail += gettext(": %(units)s units, %(amount)s") % {
            "units": data["units"],
            "amount": money(data["amount"]),
        }
    if outcome := data.get("outcome"):
        tail += gettext(" as %(outcome)s") % {"outcome": words(str(outcome))}
    elif recommendation := data.get("recommendation"):
        tail += gettext(", recommending “%(recommendation)s”") % {
            "recommendation": words(str(recommendation))
        }
    if reason:
        tail += gettext(": reason “%(reason)s”") % {"reason": reason}
    return Sentence(actor=actor or str(PLATFORM), verb=verb, obj=obj, tail=tail)
