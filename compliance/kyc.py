"""Investor KYC rules: what a submission needs, and professional-investor status under Cap. 571D.

The investor *claims* professional-investor (PI) status with a declared figure and a dated piece of
evidence; the officer *verifies* it at the KYC decision. `pi_assessment` says, for a day, whether the
declared figure meets the threshold for the investor's type and whether the best evidence is still in
date, and until when:

- individual: portfolio of at least HKD 8m;
- corporation or partnership: portfolio of at least HKD 8m or total assets of at least HKD 40m;
- trust corporation: total assets of at least HKD 40m.

Evidence counts for `PI_EVIDENCE_MONTHS` after its own date (12 months for a statement or a
certificate, 16 for audited accounts): dated 15 March 2026, a statement holds through 14 March 2027
and is stale from 15 March 2027. An approval holds `KYC_VALIDITY_MONTHS` (12). A verified PI status
lapses on the earlier of the two: `pi_valid_until = min(evidence date + window, approval + 12 months)`.

This module also registers the KYC case's checks and evidence documents with the case page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext

from compliance.cases.choices import CaseKind
from compliance.cases.evidence import Check, CheckStatus, EvidenceDocument, check, documents
from compliance.cases.risk import Factor, factor
from compliance.choices import (
    KYC_VALIDITY_MONTHS,
    PI_EVIDENCE_MONTHS,
    InvestorDocumentKind,
    InvestorType,
    PiEvidenceType,
)
from financing.schedules.dates import add_months
from issuers.choices import Residency

if TYPE_CHECKING:
    from compliance.cases.models import Case
    from compliance.models import InvestorDocument, InvestorProfile

PI_PORTFOLIO_HKD = Decimal("8000000")
PI_TOTAL_ASSETS_HKD = Decimal("40000000")


def _hkd(amount: Decimal) -> str:
    return f"HK${amount:,.2f}"


@dataclass(frozen=True)
class Threshold:
    met: bool
    text: str


def pi_threshold(profile: InvestorProfile) -> Threshold:
    """Whether the declared figures meet the Cap. 571D threshold for the investor's type, in words."""
    portfolio, assets = profile.declared_portfolio_hkd, profile.total_assets_hkd
    portfolio_met = portfolio >= PI_PORTFOLIO_HKD
    assets_met = assets >= PI_TOTAL_ASSETS_HKD
    portfolio_text = f"portfolio {_hkd(portfolio)} {'≥' if portfolio_met else '<'} {_hkd(PI_PORTFOLIO_HKD)}"
    assets_text = f"total assets {_hkd(assets)} {'≥' if assets_met else '<'} {_hkd(PI_TOTAL_ASSETS_HKD)}"
    if profile.investor_type == InvestorType.INDIVIDUAL:
        return Threshold(portfolio_met, f"Individual: {portfolio_text}")
    if profile.investor_type == InvestorType.TRUST:
        return Threshold(assets_met, f"Trust corporation: {assets_text}")
    return Threshold(
        portfolio_met or assets_met, f"Corporation or partnership: {portfolio_text}; {assets_text}"
    )


def threshold_requirement(investor_type: str) -> str:
    """The threshold in words, for forms and refusals."""
    if investor_type == InvestorType.INDIVIDUAL:
        return f"a portfolio of at least {_hkd(PI_PORTFOLIO_HKD)}"
    if investor_type == InvestorType.TRUST:
        return f"total assets of at least {_hkd(PI_TOTAL_ASSETS_HKD)}"
    portfolio, assets = _hkd(PI_PORTFOLIO_HKD), _hkd(PI_TOTAL_ASSETS_HKD)
    return f"a portfolio of at least {portfolio} or total assets of at least {assets}"


def evidence_stale_on(document: InvestorDocument) -> date:
    """The first day the evidence no longer counts."""
    assert document.document_date is not None
    months = PI_EVIDENCE_MONTHS[PiEvidenceType(document.evidence_type)]
    return add_months(document.document_date, months, end_of_month=False)


def kyc_valid_until(approved_on: date) -> date:
    return add_months(approved_on, KYC_VALIDITY_MONTHS, end_of_month=False)


@dataclass(frozen=True)
class PiAssessment:
    """Professional-investor status as the officer would verify it on `on`."""

    claimed: bool
    threshold: Threshold
    evidence: InvestorDocument | None  # the evidence in date the longest (or the newest, if none is)
    evidence_stale_on: date | None
    on: date

    @property
    def evidence_in_date(self) -> bool:
        return self.evidence_stale_on is not None and self.on < self.evidence_stale_on

    @property
    def verifiable(self) -> bool:
        return self.claimed and self.threshold.met and self.evidence_in_date

    def valid_until(self, approved_on: date) -> date | None:
        """The day a status verified on `approved_on` lapses (None when it cannot be verified)."""
        if not self.verifiable or self.evidence_stale_on is None:
            return None
        return min(self.evidence_stale_on, kyc_valid_until(approved_on))


def pi_assessment(
    profile: InvestorProfile, *, on: date, documents: Iterable[InvestorDocument] | None = None
) -> PiAssessment:
    """The assessment over the profile's documents (or `documents`, for a profile not saved)."""
    evidence = [
        doc
        for doc in (profile.documents.all() if documents is None else documents)
        if doc.kind == InvestorDocumentKind.PI_EVIDENCE and doc.document_date is not None
    ]
    best = max(evidence, key=lambda doc: (evidence_stale_on(doc), doc.pk), default=None)
    return PiAssessment(
        claimed=profile.claims_professional,
        threshold=pi_threshold(profile),
        evidence=best,
        evidence_stale_on=evidence_stale_on(best) if best else None,
        on=on,
    )


def kyc_missing_items(profile: InvestorProfile) -> list[str]:
    """What the investor still has to provide before submitting, in words (like the KYB checklist)."""
    missing = []
    if not profile.legal_name.strip():
        missing.append("your legal name")
    if not profile.country:
        missing.append("your country of residence or incorporation")
    if not profile.is_organisation and profile.birth_date is None:
        missing.append("your date of birth")
    if not profile.id_document_number.strip():
        missing.append("the identity document or registration number")
    if profile.residency == Residency.NOT_STATED:
        missing.append(
            gettext("where you are established (residency)")
            if profile.is_organisation
            else gettext("where you live (residency)")
        )
    kinds = {doc.kind for doc in profile.documents.all()}
    if InvestorDocumentKind.IDENTITY not in kinds:
        missing.append(
            "the certificate of incorporation (as identity document)"
            if profile.is_organisation
            else "an identity document (passport or HKID)"
        )
    if InvestorDocumentKind.ADDRESS not in kinds:
        missing.append("a proof of address")
    if profile.claims_professional and InvestorDocumentKind.PI_EVIDENCE not in kinds:
        missing.append(
            "professional-investor evidence with its date (you claim professional-investor status)"
        )
    if profile.is_organisation:
        people = list(profile.people.all())
        if not any(p.is_director for p in people):
            missing.append("at least one director")
        if not any(p.is_beneficial_owner for p in people):
            missing.append("the beneficial owners")
        missing += [
            gettext("where %(name)s lives (residency)") % {"name": p.full_name}
            for p in people
            if p.residency == Residency.NOT_STATED
        ]
    return missing


# --- what the reviewer sees beside the decision ------------------------------------------------------


def _investor(case: Case) -> InvestorProfile:
    assert case.investor is not None
    return case.investor


@check(CaseKind.KYC)
def kyc_completeness(case: Case) -> Iterable[Check]:
    missing = kyc_missing_items(_investor(case))
    if missing:
        yield Check("Completeness", CheckStatus.FAILED, "Missing items", missing)
    else:
        yield Check("Completeness", CheckStatus.PASSED, "Details, documents and people complete")


@check(CaseKind.KYC)
def professional_investor(case: Case) -> Iterable[Check]:
    from django.utils import timezone

    profile = _investor(case)
    today = timezone.localdate()
    found = pi_assessment(profile, on=today)
    if not found.claimed:
        yield Check("Professional investor", CheckStatus.PASSED, "Not claimed: the investor is retail")
        return
    yield Check(
        "PI threshold",
        CheckStatus.PASSED if found.threshold.met else CheckStatus.FAILED,
        "Threshold met by the declared figure" if found.threshold.met else "Threshold not met",
        [found.threshold.text],
    )
    evidence = found.evidence
    if evidence is None or found.evidence_stale_on is None:
        yield Check("PI evidence", CheckStatus.FAILED, "No professional-investor evidence uploaded")
        return
    shown = f"{evidence.get_evidence_type_display()} dated {evidence.document_date:%d %b %Y}"
    if not found.evidence_in_date:
        yield Check(
            "PI evidence date",
            CheckStatus.FAILED,
            f"Stale since {found.evidence_stale_on:%d %b %Y}",
            [shown, "Approving makes the investor retail until new evidence is verified."],
        )
        return
    until = found.valid_until(today)
    status = CheckStatus.ATTENTION if evidence.evidence_type == PiEvidenceType.OTHER else CheckStatus.PASSED
    details = [shown, f"Evidence goes stale on {found.evidence_stale_on:%d %b %Y}"]
    if status == CheckStatus.ATTENTION:
        details.append("Not a statement, certificate or audited accounts: check it shows the threshold.")
    if until is not None:
        details.append(f"Approved today, the status holds until {until:%d %b %Y}")
    yield Check("PI evidence date", status, f"In date until {found.evidence_stale_on:%d %b %Y}", details)


@check(CaseKind.KYC)
def investor_people(case: Case) -> Iterable[Check]:
    profile = _investor(case)
    if not profile.is_organisation:
        return
    people = [
        f"{p.full_name} ({p.nationality.code}, born {p.birth_date.year}): "
        + ", ".join(
            role
            for role, held in (
                ("director", p.is_director),
                (f"owner {p.ownership_percent}%", p.is_beneficial_owner),
            )
            if held
        )
        for p in profile.people.all()
    ]
    status = CheckStatus.PASSED if people else CheckStatus.FAILED
    yield Check("Directors and owners", status, f"{len(people)} declared, each screened", people)


@documents(CaseKind.KYC)
def investor_documents(case: Case) -> Iterable[EvidenceDocument]:
    for doc in _investor(case).documents.all():
        name = doc.get_kind_display()
        if doc.evidence_type:
            name = f"{name}: {doc.get_evidence_type_display()}"
        yield EvidenceDocument(
            kind=doc.kind,
            name=f"{name} ({doc.original_name})",
            content_type=doc.content_type,
            size=doc.size,
            sha256=doc.sha256,
            url=reverse("compliance:investor_document", args=[doc.pk]),
            uploaded_at=doc.uploaded_at,
            date=doc.document_date,
        )


@factor(CaseKind.KYC)
def professional_claim(case: Case) -> Iterable[Factor]:
    """A PI claim the evidence does not support weighs on the case (an officer looks closer)."""
    from django.utils import timezone

    profile = _investor(case)
    if not profile.claims_professional:
        return
    found = pi_assessment(profile, on=timezone.localdate())
    if found.evidence is None:
        yield Factor("pi_evidence", 15, "Claims professional-investor status without evidence")
    elif not found.evidence_in_date:
        yield Factor("pi_evidence", 10, "Professional-investor evidence is stale")
    elif not found.threshold.met:
        yield Factor("pi_evidence", 10, "Claims professional-investor status below the threshold")
