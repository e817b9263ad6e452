"""Whether a company's personal records may go to a recipient: residency and the cross-border rules.

The platform sits in Hong Kong. A record of a mainland resident of one of the nine Greater Bay Area
cities may reach it, and go on to a recipient inside the Greater Bay Area, only under the GBA standard
contract: the person's separate consent, a recorded personal information protection impact assessment
and the contract filed with an authority. Nothing of such a record goes to a recipient outside the
Greater Bay Area (onward transfer). A record whose residency was never stated is treated as a mainland
resident's. A resident of the mainland outside the nine cities is not covered by the GBA contract (the
national routes apply, which the platform does not offer), so their record is withheld from everyone.
Hong Kong and Macao residents' records are not under the mainland rules and pass.

`personal_data_transfer_check` is called before every shared read of personal records;
`withheld_personal_records` lists what is held back and why, for the pages.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.errors import ApplicationError
from issuers.choices import (
    COUNTRY_OF_RESIDENCY,
    GBA_RESIDENCIES,
    MAINLAND_GBA_RESIDENCIES,
    Residency,
)
from issuers.models import Company, CrossBorderTransfer, Person, TransferConsent


class TransferRefused(ApplicationError):
    """Personal records may not go to this recipient under the cross-border rules; nothing was shared."""

    status_code = 403
    default_message = _("These personal records may not be shared with this recipient.")


# The separate consent's text: one fixed bilingual file per version (never run through translation),
# because its SHA-256 is recorded with every consent and must name exactly the words the person read.
# A new wording is a new file and a new version; consents given to an earlier one stay valid.
TRANSFER_CONSENT_VERSION = "2026-11"
TRANSFER_CONSENT_TEXT = (
    Path(__file__).parent / "texts" / f"transfer_consent_{TRANSFER_CONSENT_VERSION}.txt"
).read_text(encoding="utf-8")
TRANSFER_CONSENT_SHA256 = hashlib.sha256(TRANSFER_CONSENT_TEXT.encode()).hexdigest()


@dataclass(frozen=True)
class WithheldRecord:
    """One person's record that may not go to the recipient, with the reason in plain words."""

    person: Person
    reason: str


def recipient_residency(recipient: Any) -> str:
    """Where a recipient (an investor's profile, or a user with one) is: its stated residency, else what
    its country says (the mainland without a city counts as outside the Greater Bay Area)."""
    from compliance.models import InvestorProfile

    profile: InvestorProfile | None = (
        recipient
        if isinstance(recipient, InvestorProfile)
        else InvestorProfile.objects.filter(user=recipient).first()
    )
    if profile is None:
        return Residency.NOT_STATED
    if profile.residency != Residency.NOT_STATED:
        return profile.residency
    country = profile.country.code if profile.country else ""
    if country == "HK":
        return Residency.HONG_KONG
    if country == "MO":
        return Residency.MACAO
    if country == "CN":
        return Residency.MAINLAND_OTHER
    return Residency.ELSEWHERE if country else Residency.NOT_STATED


def is_mainland_record(residency: str) -> bool:
    """Whether the mainland's rules govern the record (a mainland resident, or residency never stated)."""
    return residency == Residency.NOT_STATED or COUNTRY_OF_RESIDENCY.get(residency) == "CN"


def _missing_legal_basis(transfer: CrossBorderTransfer | None) -> list[str]:
    missing = []
    if transfer is None or not transfer.has_acceptable_assessment:
        missing.append(
            gettext("no personal information impact assessment with an acceptable finding is recorded")
        )
    if transfer is None or not transfer.has_filed_contract:
        missing.append(gettext("the GBA standard contract is not filed"))
    return missing


def _withheld_reason(
    person: Person, *, place: str, company_missing: list[str], consented: bool
) -> str | None:
    """Why `person`'s record may not go to a recipient in `place` (None: it may)."""
    name = {"name": person.full_name}
    if not is_mainland_record(person.residency):
        return None
    if person.residency == Residency.MAINLAND_OTHER:
        return (
            gettext(
                "%(name)s lives on the mainland outside the Greater Bay Area: the GBA standard "
                "contract does not cover their record, so it is not shared."
            )
            % name
        )
    if place not in GBA_RESIDENCIES:
        return (
            gettext(
                "%(name)s's record comes from the mainland and may not go on to a recipient "
                "outside the Greater Bay Area."
            )
            % name
        )
    missing = list(company_missing)
    if not consented:
        missing.insert(0, gettext("they have not given their separate consent to the transfer"))
    if not missing:
        return None
    if person.residency == Residency.NOT_STATED:
        missing.append(gettext("their residency is not stated, so they count as a mainland resident"))
    return gettext("%(name)s's record may not leave the mainland yet: %(missing)s.") % {
        **name,
        "missing": "; ".join(missing),
    }


def withheld_personal_records(*, company: Company, recipient: Any) -> list[WithheldRecord]:
    """The company's people whose records may not go to `recipient`, each with the reason."""
    place = recipient_residency(recipient)
    company_missing = _missing_legal_basis(CrossBorderTransfer.objects.filter(company=company).first())
    consented = set(
        TransferConsent.objects.filter(person__company=company, withdrawn_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    withheld = []
    for person in company.people.all():
        reason = _withheld_reason(
            person, place=place, company_missing=company_missing, consented=person.pk in consented
        )
        if reason is not None:
            withheld.append(WithheldRecord(person, reason))
    return withheld


def personal_data_transfer_check(*, company: Company, recipient: Any) -> None:
    """Refuse (`TransferRefused`) unless every personal record of `company` may go to `recipient`.

    `recipient` is the receiving investor's `InvestorProfile`, or a user with one; a recipient whose
    place is unknown counts as outside the Greater Bay Area.
    """
    withheld = withheld_personal_records(company=company, recipient=recipient)
    if withheld:
        raise TransferRefused(" ".join(record.reason for record in withheld), code="TransferRefused")


def mainland_records_need_basis(residency: str) -> bool:
    """Whether a person with this residency needs the separate consent and the company's contract."""
    return residency == Residency.NOT_STATED or residency in MAINLAND_GBA_RESIDENCIES


@dataclass(frozen=True)
class PersonTransferStatus:
    """One person of the company as the cross-border pages show them."""

    person: Person
    consent: TransferConsent | None  # the live separate consent, if any
    needs_consent: bool  # a mainland GBA resident, or residency not stated
    withheld_reason: str | None  # why their record may not go even to a recipient in Hong Kong


def people_transfer_status(*, company: Company) -> list[PersonTransferStatus]:
    """Each person of the company: consent, whether one is needed, and whether a Hong Kong recipient may
    receive their record now (the strictest place inside the GBA needs the same three pieces)."""
    transfer = CrossBorderTransfer.objects.filter(company=company).first()
    company_missing = _missing_legal_basis(transfer)
    live = {
        consent.person_id: consent
        for consent in TransferConsent.objects.filter(person__company=company, withdrawn_at__isnull=True)
    }
    return [
        PersonTransferStatus(
            person=person,
            consent=live.get(person.pk),
            needs_consent=mainland_records_need_basis(person.residency),
            withheld_reason=_withheld_reason(
                person,
                place=Residency.HONG_KONG,
                company_missing=company_missing,
                consented=person.pk in live,
            ),
        )
        for person in company.people.all()
    ]
