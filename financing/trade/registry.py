"""Reading a document's registration from the DocumentRegistry contract (through `tokens/chain.py`).

The chain is the authority on whether a fingerprint is financed: a database row can be missing
(another platform instance, a restored backup), the registry cannot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _

from financing.trade.normalise import BILL_OF_LADING, INVOICE
from tokens import chain
from tokens.choices import ContractKind
from tokens.selectors import platform_contract

REGISTRY_ARTIFACT: Final = "DocumentRegistry"

# The kind tag written on chain (bytes32, right-padded ASCII) for each document kind.
CHAIN_KIND: Final[dict[str, bytes]] = {
    INVOICE: b"INVOICE".ljust(32, b"\0"),
    BILL_OF_LADING: b"BILL_OF_LADING".ljust(32, b"\0"),
}
_KIND_OF_TAG: Final = {tag: kind for kind, tag in CHAIN_KIND.items()}


class ChainDocumentStatus(models.TextChoices):
    """The contract's Status enum (0 None is "never registered", returned as no registration)."""

    FINANCED = "financed", _("Financed")
    RELEASED = "released", _("Released (repaid)")
    WITHDRAWN = "withdrawn", _("Withdrawn (not financed)")


_STATUS_OF_CODE: Final = {
    1: ChainDocumentStatus.FINANCED,
    2: ChainDocumentStatus.RELEASED,
    3: ChainDocumentStatus.WITHDRAWN,
}


@dataclass(frozen=True)
class Registration:
    """A fingerprint's registration as the chain records it."""

    fingerprint: str  # 0x-hex
    kind: str  # "invoice", "bill_of_lading", or the raw tag's hex when another writer used another tag
    reference_id: int
    registrant: str  # checksummed address of the registering platform key
    registered_at: dt.datetime  # aware, UTC
    status: ChainDocumentStatus

    @property
    def blocks_financing(self) -> bool:
        """Whether the document may not be financed again (financed now, or financed and repaid)."""
        return self.status in (ChainDocumentStatus.FINANCED, ChainDocumentStatus.RELEASED)


def registry_address() -> str:
    """The deployed DocumentRegistry's address (Conflict when the platform is not bootstrapped)."""
    return str(platform_contract(ContractKind.DOCUMENT_REGISTRY).address)


def _fingerprint_bytes(fingerprint: bytes | str) -> bytes:
    raw = bytes.fromhex(fingerprint.removeprefix("0x")) if isinstance(fingerprint, str) else fingerprint
    if len(raw) != 32:
        raise ValueError("a fingerprint has 32 bytes")
    return raw


def _registration(fingerprint: bytes, answer: tuple) -> Registration | None:  # type: ignore[type-arg]
    tag, reference_id, registrant, registered_at, status = answer
    if int(status) == 0:
        return None
    return Registration(
        fingerprint="0x" + fingerprint.hex(),
        kind=_KIND_OF_TAG.get(bytes(tag), "0x" + bytes(tag).hex()),
        reference_id=int(reference_id),
        registrant=chain.to_checksum(registrant),
        registered_at=dt.datetime.fromtimestamp(int(registered_at), tz=dt.UTC),
        status=_STATUS_OF_CODE[int(status)],
    )


def registration_of(fingerprint: bytes | str) -> Registration | None:
    """The chain's record of `fingerprint` (32 bytes or 0x-hex), None when it was never registered.

    Raises ChainUnavailable when the node does not answer (nothing is assumed either way).
    """
    raw = _fingerprint_bytes(fingerprint)
    return _registration(raw, chain.call(REGISTRY_ARTIFACT, registry_address(), "documentOf", raw))


def registrations_of(fingerprints: list[bytes | str]) -> list[Registration | None]:
    """`registration_of` for several fingerprints in one round trip, in the same order."""
    raws = [_fingerprint_bytes(f) for f in fingerprints]
    address = registry_address() if raws else ""
    answers = chain.call_many([(REGISTRY_ARTIFACT, address, "documentOf", (raw,)) for raw in raws])
    return [_registration(raw, answer) for raw, answer in zip(raws, answers, strict=True)]
