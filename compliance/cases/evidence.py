"""What a reviewer sees beside the decision: automatic check results, documents and the history.

Checks are registered per case kind with `check(kind, ...)`: a function of the case that yields
`Check` results (registration number, completeness, screening, PEP, evidence dates ...). An app
adding a rule adds one function; the case page and the API show every registered check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from compliance.cases.choices import CaseKind

if TYPE_CHECKING:
    from compliance.cases.models import Case


class CheckStatus:
    PASSED = "passed"
    ATTENTION = "attention"  # a reviewer must look (a possible match, a manual check)
    FAILED = "failed"


@dataclass(frozen=True)
class Check:
    """One automatic check as the reviewer reads it."""

    name: str
    status: str
    text: str
    details: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


CheckFunction = Callable[["Case"], Iterable[Check]]
CHECKS: dict[str, list[CheckFunction]] = {kind: [] for kind in CaseKind.values}


def check(*kinds: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check for the case kinds named."""

    def register(function: CheckFunction) -> CheckFunction:
        for kind in kinds:
            CHECKS[kind].append(function)
        return function

    return register


def case_checks(case: Case) -> list[Check]:
    """Every registered check's results for the case, in registration order."""
    return [result for function in CHECKS[case.kind] for result in function(case)]


@dataclass(frozen=True)
class EvidenceDocument:
    """A document a reviewer can open inline: where, what, and its fingerprint."""

    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    url: str
    uploaded_at: Any
    date: Any = None  # the evidence's own date (a statement's date), where it has one


DocumentFunction = Callable[["Case"], Iterable[EvidenceDocument]]
DOCUMENTS: dict[str, list[DocumentFunction]] = {kind: [] for kind in CaseKind.values}


def documents(*kinds: str) -> Callable[[DocumentFunction], DocumentFunction]:
    """Register a source of documents shown on cases of the kinds named."""

    def register(function: DocumentFunction) -> DocumentFunction:
        for kind in kinds:
            DOCUMENTS[kind].append(function)
        return function

    return register


def case_documents(case: Case) -> list[EvidenceDocument]:
    return [doc for function in DOCUMENTS[case.kind] for doc in function(case)]


@check(CaseKind.KYB)
def registration_number(case: Case) -> Iterable[Check]:
    from issuers.choices import RegistrationCheck
    from issuers.selectors import registration_holders

    company = case.company
    assert company is not None
    shown = f"{company.get_jurisdiction_display()} {company.registration_number}"
    if company.registration_check == RegistrationCheck.CHECKSUM_VALID:
        yield Check("Registration number", CheckStatus.PASSED, f"{shown}: check character valid")
    elif company.registration_check == RegistrationCheck.FORMAT_VALID:
        yield Check("Registration number", CheckStatus.PASSED, f"{shown}: format valid, no public check rule")
    else:
        yield Check("Registration number", CheckStatus.ATTENTION, f"{shown}: compare with the certificate")
    others = list(registration_holders(company).values_list("legal_name_en", "kyb_status"))
    if others:
        yield Check(
            "Registration conflict",
            CheckStatus.ATTENTION,
            "Other companies claim this registration number",
            [f"{name} ({status})" for name, status in others],
        )


@check(CaseKind.KYB)
def completeness(case: Case) -> Iterable[Check]:
    from issuers.selectors import company_missing_items

    assert case.company is not None
    missing = company_missing_items(case.company)
    if missing:
        yield Check("Completeness", CheckStatus.FAILED, "Missing items", missing)
    else:
        yield Check("Completeness", CheckStatus.PASSED, "Profile, people and documents complete")


def _shown(document: Any, kind: str, url_name: str) -> EvidenceDocument:
    from django.urls import reverse

    return EvidenceDocument(
        kind=kind,
        name=document.original_name,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        url=reverse(url_name, args=[document.pk]),
        uploaded_at=document.uploaded_at,
    )


@documents(CaseKind.KYB)
def company_documents(case: Case) -> Iterable[EvidenceDocument]:
    """The company's KYB file: certificate, articles, proof of address ..."""
    assert case.company is not None
    for document in case.company.documents.all():
        yield _shown(document, document.get_kind_display(), "compliance:company_document")


@documents(*CaseKind.values)
def answer_documents(case: Case) -> Iterable[EvidenceDocument]:
    """Files the applicant attached to answers to the case's requests for information."""
    from compliance.cases.models import AnswerDocument

    for document in AnswerDocument.objects.filter(request__case=case).order_by("uploaded_at", "pk"):
        yield _shown(document, "Answer to a request for information", "compliance:answer_document")


# An alert's stored detail as a reviewer reads it: internal ids and repeated data are left out, dates
# and codes in words; the hits of a screening are shown as their own table.
ALERT_DETAIL_LABELS = {
    "screened": "Screened",
    "entity_type": "As",
    "birth_year": "Born",
    "country": "Country",
    "list_name": _("Against the list"),
    "what": "Evidence",
    "date": "Date",
    "last_reviewed": _("Last reviewed"),
    "due": _("Review due"),
    "ce_number": _("CE number"),
    "state": _("Licence state"),
    "why": "Why",
}


def _in_words(value: Any) -> str:
    from datetime import date

    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value).strftime("%d %b %Y")
        except ValueError:
            return value
    return str(value).replace("_", " ")


@dataclass(frozen=True)
class AlertDetail:
    facts: list[tuple[str, str]]
    hits: list[dict[str, Any]]


def alert_detail(case: Case) -> AlertDetail:
    """The alert's facts in words (label, value) and the list entries it matched, if any."""
    facts = [
        (str(label), _in_words(case.detail[key]))
        for key, label in ALERT_DETAIL_LABELS.items()
        if case.detail.get(key) not in (None, "")
    ]
    hits = [hit for hit in case.detail.get("hits", []) if isinstance(hit, dict)]
    return AlertDetail(facts=facts, hits=hits)
