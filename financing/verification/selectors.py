"""What anyone may learn about a trade document: its registration, read from the chain, never the DB.

The answer holds only what the chain says about the fingerprint (when, by which address, the
financing status) and what the visitor typed; never the SME, the buyer or an amount from our records.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.errors import Conflict, ServiceUnavailable, ValidationFailed
from financing.trade.fingerprint import fingerprint as document_fingerprint
from financing.trade.normalise import BILL_OF_LADING, INVOICE, canonical
from financing.trade.registry import registration_of
from tokens import chain
from tokens.choices import PLATFORM_WALLET_KINDS, ContractKind, WalletKind
from tokens.models import Wallet
from tokens.selectors import KNOWN_CHAINS, platform_contract

KINDS = (INVOICE, BILL_OF_LADING)
_FINGERPRINT = re.compile(r"^(?:0x)?([0-9a-fA-F]{64})$")
# The chain's bytes32 kind tag, as the registry records it, back to the document kind.
_CHAIN_KINDS = {
    "INVOICE": INVOICE,
    "BILL_OF_LADING": BILL_OF_LADING,
    "BL": BILL_OF_LADING,
    "EBL": BILL_OF_LADING,
}


FINANCED, RELEASED, WITHDRAWN = "financed", "released", "withdrawn"
STATUS_LABELS = {
    FINANCED: _("Financed"),
    RELEASED: _("Released: the financing was repaid"),
    WITHDRAWN: _("Withdrawn: the financing did not go ahead"),
}
KIND_LABELS = {INVOICE: _("Invoice"), BILL_OF_LADING: _("Bill of lading")}
SCOPE_NOTE = _(
    "This answer covers this platform only: a document financed elsewhere, or registered on another "
    "registry, is not shown here."
)


@dataclass(frozen=True)
class Verification:
    """One answer of the public verification: registered or not, and the chain's facts if it is."""

    fingerprint: str
    kind: str
    fields: Mapping[str, str]
    registered: bool
    registered_at: datetime | None
    registrant: str
    registrant_is_platform: bool
    registrant_url: str
    status: str
    chain_name: str
    chain_id: int
    contract_address: str
    contract_url: str
    checked_at: datetime = field(default_factory=timezone.now)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, ""))

    @property
    def summary(self) -> str:
        """The answer in one plain sentence (the API's `detail`)."""
        if not self.registered:
            return gettext("No financing of this document is registered here.")
        assert self.registered_at is not None
        when = timezone.localtime(self.registered_at).strftime("%Y-%m-%d %H:%M %Z")
        if self.status == RELEASED:
            return gettext(
                "This document was registered for financing here on %(when)s; it was repaid and released."
            ) % {"when": when}
        if self.status == WITHDRAWN:
            return gettext(
                "This document was registered for financing here on %(when)s; the financing was withdrawn."
            ) % {"when": when}
        return gettext("This document was registered for financing here on %(when)s and is financed.") % {
            "when": when
        }


def fingerprint_parse(text: str) -> bytes:
    """A fingerprint written as 64 hexadecimal digits (0x optional); ValidationFailed otherwise."""
    match = _FINGERPRINT.match((text or "").strip())
    if not match or int(match.group(1), 16) == 0:
        raise ValidationFailed(
            gettext("That is not a document fingerprint."),
            fields={
                "fingerprint": gettext("A fingerprint is 0x followed by 64 hexadecimal digits (0-9, a-f).")
            },
        )
    return bytes.fromhex(match.group(1))


def document_fingerprint_of(*, kind: str, raw: Mapping[str, object]) -> tuple[dict[str, str], bytes]:
    """The canonical fields (as text) of a document typed as `raw`, and its fingerprint. No chain call."""
    if kind not in KINDS:
        raise ValidationFailed(
            gettext("Choose the kind of document."),
            fields={"kind": gettext("Choose invoice or bill of lading.")},
        )
    fields = canonical(kind, raw)
    return fields.as_strings(), document_fingerprint(fields)


def _explorer(address: str) -> str:
    template = settings.CHAIN_EXPLORER_ADDRESS_URL
    return template.replace("{address}", address) if template and address else ""


def _status(value: object) -> str:
    text = str(getattr(value, "value", value) or "").lower()
    return text


def _kind_on_chain(value: object) -> str:
    if isinstance(value, bytes):
        value = value.rstrip(b"\0").decode("ascii", "replace")
    text = str(getattr(value, "value", value) or "")
    return _CHAIN_KINDS.get(text.upper(), text.lower() if text.lower() in KINDS else "")


def verification_of(
    *, fingerprint: bytes, kind: str = "", fields: Mapping[str, str] | None = None
) -> Verification:
    """The registration of `fingerprint` as the DocumentRegistry contract holds it (one chain read).

    Raises ServiceUnavailable (503) when the chain does not answer or the registry is not deployed.
    """
    try:
        registry = platform_contract(ContractKind.DOCUMENT_REGISTRY)
    except Conflict:
        raise ServiceUnavailable(
            gettext(
                "Verification is not available yet: the document registry is not set up. Try again later."
            )
        ) from None
    registration = registration_of(fingerprint)
    chain_id = registry.chain_id
    answer = Verification(
        fingerprint="0x" + fingerprint.hex(),
        kind=kind,
        fields=dict(fields or {}),
        registered=False,
        registered_at=None,
        registrant="",
        registrant_is_platform=False,
        registrant_url="",
        status="",
        chain_name=settings.CHAIN_NAME or KNOWN_CHAINS.get(chain_id, f"Chain {chain_id}"),
        chain_id=chain_id,
        contract_address=str(registry.address),
        contract_url=_explorer(str(registry.address)),
    )
    if registration is None:
        return answer
    registrant = chain.to_checksum(str(registration.registrant))
    return replace(
        answer,
        kind=kind or _kind_on_chain(registration.kind),
        registered=True,
        registered_at=registration.registered_at,
        registrant=registrant,
        registrant_is_platform=_is_platform_key(registrant),
        registrant_url=_explorer(registrant),
        status=_status(registration.status),
    )


def _is_platform_key(address: str) -> bool:
    # The registrar signs registrations; any platform role's key is still this platform's identity.
    return Wallet.objects.filter(
        kind__in=[*PLATFORM_WALLET_KINDS, WalletKind.REGISTRAR], address__iexact=address
    ).exists()
