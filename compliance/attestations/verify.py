"""Verify an attestation file as a third party would: signature, signer, expiry, revocation on chain.

Only the platform's published attester address (read from the AttestationRegistry) is trusted; the file's
own domain is compared with the platform's, never used to decide where to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from eth_account import Account
from eth_account.messages import encode_typed_data

from config.errors import ValidationFailed
from config.i18n import day_text
from issuers.choices import Jurisdiction
from tokens import chain, signer
from tokens.choices import ContractKind
from tokens.selectors import platform_contract

SIGNATURE_PATTERN = re.compile(r"^0x[0-9a-fA-F]{130}$")
# An attestation file is small; a bigger one is refused before it is parsed.
DOCUMENT_MAX_BYTES = 64 * 1024
# How many fingerprints a company attestation may list (a KYB file holds a few documents).
FINGERPRINTS_MAX = 64


@dataclass(frozen=True)
class Issuer:
    """What a third party needs to verify attestations: the attester address and the domain."""

    attester: str
    domain: dict[str, Any]
    registry: str
    chain_id: int


@dataclass(frozen=True)
class Verification:
    """The answer about one attestation file."""

    valid: bool
    kind: str
    digest: str
    signer: str
    attester: str
    signed_by_platform: bool
    platform_domain: bool
    issued_at: datetime
    valid_until: datetime
    expired: bool
    revoked: bool
    revoked_at: datetime | None
    statement: str
    problems: list[str]


def issuer() -> Issuer:
    """The published attester address (as the registry has it on chain) and the attestations' domain."""
    registry = platform_contract(ContractKind.ATTESTATION_REGISTRY)
    address = str(registry.address)
    chain_id = chain.chain_id()
    attester = chain.call("AttestationRegistry", address, "attester")
    return Issuer(
        attester=chain.to_checksum(attester),
        domain=signer.attestation_domain(chain_id=chain_id, registry_address=address),
        registry=address,
        chain_id=chain_id,
    )


def _refuse(field: str, text: str) -> ValidationFailed:
    return ValidationFailed(gettext("This is not a valid attestation file."), fields={field: text})


def _timestamp(message: dict[str, Any], name: str) -> datetime:
    value = message.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise _refuse("message", gettext("%(name)s must be a whole number of seconds.") % {"name": name})
    return datetime.fromtimestamp(value, tz=UTC)


def check_shape(document: dict[str, Any]) -> tuple[str, bytes]:
    """The primary type and EIP-712 digest of a well-formed attestation file of the platform's types
    (raises ValidationFailed with field messages otherwise)."""
    primary = document["primaryType"]
    if primary not in signer.ATTESTATION_TYPES:
        raise _refuse(
            "primaryType",
            gettext("Unknown kind of attestation: expected one of %(kinds)s.")
            % {"kinds": ", ".join(sorted(signer.ATTESTATION_TYPES))},
        )
    if document["types"] != signer.attestation_types(primary):
        raise _refuse(
            "types", gettext("These are not the types of the platform's %(kind)s.") % {"kind": primary}
        )
    message = document["message"]
    expected = [field["name"] for field in signer.ATTESTATION_TYPES[primary]]
    missing = [name for name in expected if name not in message]
    extra = [name for name in message if name not in expected]
    if missing or extra:
        raise _refuse(
            "message",
            gettext(
                "The message's fields differ from %(kind)s (missing: %(missing)s; unexpected: %(extra)s)."
            )
            % {"kind": primary, "missing": ", ".join(missing) or "-", "extra": ", ".join(extra) or "-"},
        )
    _timestamp(message, "issuedAt")
    _timestamp(message, "validUntil")
    fingerprints = message.get("documentFingerprints", [])
    if not isinstance(fingerprints, list) or len(fingerprints) > FINGERPRINTS_MAX:
        raise _refuse("message", gettext("documentFingerprints must be a short list."))
    domain = document["domain"]
    if set(domain) != {"name", "version", "chainId", "verifyingContract"}:
        raise _refuse(
            "domain", gettext("The domain needs exactly name, version, chainId and verifyingContract.")
        )
    typed_data = {key: document[key] for key in ("types", "primaryType", "domain", "message")}
    try:
        digest = signer.attestation_digest(typed_data)
    except Exception as exc:  # eth-account raises many kinds for a value that does not fit its type
        raise _refuse(
            "message", gettext("A value does not fit its type: %(error)s") % {"error": str(exc)[:200]}
        ) from None
    return primary, digest


def statement(primary: str, message: dict[str, Any]) -> str:
    """What the attestation states, in words."""
    if primary == "CompanyVerified":
        count = len(message["documentFingerprints"])
        jurisdiction = dict(Jurisdiction.choices).get(message["jurisdiction"], message["jurisdiction"])
        return gettext(
            "%(company)s (registration number %(number)s, %(jurisdiction)s) passed the platform's "
            "know-your-business checks on %(day)s, on %(count)s documents with the listed fingerprints."
        ) % {
            "company": message["company"],
            "number": message["registrationNumber"],
            "jurisdiction": jurisdiction,
            "day": message["kybPassedOn"],
            "count": count,
        }
    return gettext("Wallet %(wallet)s belongs to a verified professional investor until %(day)s.") % {
        "wallet": message["wallet"],
        "day": message["professionalUntil"],
    }


def attestation_verify(document: dict[str, Any]) -> Verification:
    """Check an attestation file (already of the right JSON shape): who signed it, whether it is the
    platform's attester, whether it expired, and whether the registry on chain has revoked it."""
    primary, digest = check_shape(document)
    typed_data = {key: document[key] for key in ("types", "primaryType", "domain", "message")}
    try:
        recovered = Account.recover_message(
            encode_typed_data(full_message=typed_data), signature=document["signature"]
        )
    except Exception:  # a signature of the right length that is no point on the curve
        raise _refuse("signature", gettext("The signature cannot be read.")) from None
    published = issuer()
    revoked_at_seconds = int(chain.call("AttestationRegistry", published.registry, "revokedAt", digest))
    message = document["message"]
    issued_at = _timestamp(message, "issuedAt")
    valid_until = _timestamp(message, "validUntil")
    signed_by_platform = recovered == published.attester
    platform_domain = document["domain"] == published.domain
    expired = timezone.now() >= valid_until
    revoked = revoked_at_seconds != 0
    problems = []
    if not signed_by_platform:
        problems.append(
            gettext(
                "The signature is not the platform's: the file was changed after it was signed, or someone "
                "else signed it."
            )
        )
    if not platform_domain:
        problems.append(gettext("The file names another platform, chain or registry than this one."))
    if expired:
        problems.append(
            gettext("It expired on %(day)s.") % {"day": day_text(timezone.localdate(valid_until))}
        )
    if revoked:
        problems.append(gettext("The platform has revoked it."))
    return Verification(
        valid=not problems,
        kind=primary,
        digest="0x" + digest.hex(),
        signer=recovered,
        attester=published.attester,
        signed_by_platform=signed_by_platform,
        platform_domain=platform_domain,
        issued_at=issued_at,
        valid_until=valid_until,
        expired=expired,
        revoked=revoked,
        revoked_at=datetime.fromtimestamp(revoked_at_seconds, tz=UTC) if revoked else None,
        statement=statement(primary, message),
        problems=problems,
    )
