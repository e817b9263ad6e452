"""Politically exposed persons: the declaration, enhanced due diligence, routing and the yearly review.

People declare their status (directors and owners of a company on the KYB people form, an investor on
the KYC form): not a PEP, a PEP (position, country, since when), or a family member or close
associate of a PEP. There is no PEP list in the platform: the declaration is the source, and the
case shows what was declared ("Politically exposed persons" check). A PEP or an associate needs
enhanced due diligence: the source of wealth and the source of funds are recorded (the submission
is refused without them), the case is always decided by an approver (risk factor `pep`), and the
relationship is reviewed yearly: `pep_reviews_raise` (daily beat task) raises an
`AlertKind.PEP_REVIEW` alert a year after the last approval or review.

Since the 2023 amendment of the AMLO (in force 1 June 2023), officials of mainland China and Macao
count as PEPs in Hong Kong exactly like any other non-Hong Kong PEP: no foreign / domestic difference
applies to them, and they always get enhanced due diligence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import models
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField

from compliance.cases.choices import CaseKind
from compliance.cases.evidence import Check, CheckStatus, check
from compliance.cases.risk import Factor, factor
from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH, visible_text

PEP_REVIEW_DAYS = 365


class PepStatus(models.TextChoices):
    NOT_PEP = "not_pep", _("Not a politically exposed person")
    PEP = "pep", _("Politically exposed person (PEP)")
    ASSOCIATE = "associate", _("Family member or close associate of a PEP")


PEP_HELP = _(
    "A politically exposed person holds or held a prominent public function: head of state or "
    "government, senior politician, senior government, judicial or military official, senior executive "
    "of a state-owned enterprise, important party official. Officials of mainland China and Macao count "
    "as PEPs in Hong Kong since 2023, like those of any other place (no foreign or domestic difference)."
)


class PepDeclaration(models.Model):
    """A person's declared PEP status and, for a PEP or an associate, the enhanced due diligence."""

    pep_status = models.CharField(
        "Politically exposed person",
        max_length=16,
        choices=PepStatus.choices,
        default=PepStatus.NOT_PEP,
        help_text=PEP_HELP,
    )
    pep_position = models.CharField(
        "Public function",
        max_length=NAME_MAX_LENGTH,
        blank=True,
        validators=[visible_text],
        help_text="The position held (for a family member or associate: the PEP's name, position and "
        "your relationship).",
    )
    pep_country = CountryField("Country of the function", blank=True)
    pep_since = models.DateField("Held since", null=True, blank=True)
    source_of_wealth = models.TextField(
        max_length=REASON_MAX_LENGTH,
        blank=True,
        validators=[visible_text],
        help_text="How the person's overall wealth was built (salary, business, inheritance ...).",
    )
    source_of_funds = models.TextField(
        max_length=REASON_MAX_LENGTH,
        blank=True,
        validators=[visible_text],
        help_text="Where the money used with the platform comes from.",
    )

    class Meta:
        abstract = True

    @property
    def is_pep(self) -> bool:
        return self.pep_status != PepStatus.NOT_PEP


@dataclass(frozen=True)
class Pep:
    """A PEP declaration as a form or the API gives it."""

    status: str = PepStatus.NOT_PEP
    position: str = ""
    country: str = ""
    since: date | None = None
    source_of_wealth: str = ""
    source_of_funds: str = ""

    @classmethod
    def of(cls, data: dict[str, Any]) -> Pep:
        """From cleaned form or serializer data (field names as on the model)."""
        return cls(
            status=data.get("pep_status") or PepStatus.NOT_PEP,
            position=data.get("pep_position") or "",
            country=data.get("pep_country") or "",
            since=data.get("pep_since"),
            source_of_wealth=data.get("source_of_wealth") or "",
            source_of_funds=data.get("source_of_funds") or "",
        )

    def errors(self) -> dict[str, str]:
        """Field messages: a PEP or associate gives the function and the enhanced due diligence."""
        if self.status not in PepStatus.values:
            return {"pep_status": "Choose not a PEP, PEP, or family member or close associate of a PEP."}
        if self.status == PepStatus.NOT_PEP:
            return {}
        errors = {}
        if not self.position.strip():
            errors["pep_position"] = gettext("Name the public function.")
        if self.country not in countries:
            errors["pep_country"] = gettext("Choose the country of the function.")
        if self.status == PepStatus.PEP and self.since is None:
            errors["pep_since"] = gettext("Enter since when the function is held.")
        elif self.since is not None and self.since > timezone.localdate():
            errors["pep_since"] = gettext("The date cannot be in the future.")
        if not self.source_of_wealth.strip():
            errors["source_of_wealth"] = gettext(
                "A politically exposed person's source of wealth is required."
            )
        if not self.source_of_funds.strip():
            errors["source_of_funds"] = gettext("A politically exposed person's source of funds is required.")
        return errors

    def values(self) -> dict[str, Any]:
        """The model fields (all cleared for someone who is not a PEP)."""
        if self.status == PepStatus.NOT_PEP:
            return {
                "pep_status": PepStatus.NOT_PEP,
                "pep_position": "",
                "pep_country": "",
                "pep_since": None,
                "source_of_wealth": "",
                "source_of_funds": "",
            }
        return {
            "pep_status": self.status,
            "pep_position": self.position.strip(),
            "pep_country": self.country,
            "pep_since": self.since,
            "source_of_wealth": self.source_of_wealth.strip(),
            "source_of_funds": self.source_of_funds.strip(),
        }


NOT_A_PEP = Pep()


def edd_missing(people: Iterable[tuple[str, PepDeclaration]]) -> list[str]:
    """What a PEP's enhanced due diligence still lacks, per (name, declaration), in words."""
    missing = []
    for name, record in people:
        if record.is_pep and not (record.source_of_wealth.strip() and record.source_of_funds.strip()):
            missing.append(f"the source of wealth and of funds of {name} (politically exposed person)")
    return missing


def describe(name: str, record: PepDeclaration) -> str:
    """One declaration in words, as the case shows it."""
    what = "PEP" if record.pep_status == PepStatus.PEP else "family member or close associate of a PEP"
    country = record.pep_country.name if record.pep_country else "country not given"
    since = f", since {record.pep_since:%d %b %Y}" if record.pep_since else ""
    return (
        f"{name}: {what}, {record.pep_position or 'function not given'} ({country}{since}); "
        f"source of wealth: {record.source_of_wealth or 'not given'}; "
        f"source of funds: {record.source_of_funds or 'not given'}"
    )


def declared(case: Any) -> list[tuple[str, PepDeclaration]]:
    """The people a KYB or KYC case is about, with their declarations."""
    if case.kind == CaseKind.KYB and case.company is not None:
        return [(person.full_name, person) for person in case.company.people.all()]
    if case.kind == CaseKind.KYC and case.investor is not None:
        people = [(person.full_name, person) for person in case.investor.people.all()]
        return [(case.investor.legal_name, case.investor), *people]
    return []


def pep_reviews_raise(*, today: date | None = None) -> list[int]:
    """A yearly review alert for each verified company with a PEP and each approved PEP investor, a year
    after its last approval or review; returns the alert case ids (existing open ones included)."""
    from compliance.cases.choices import AlertKind, CaseStatus, Outcome
    from compliance.cases.models import Case
    from compliance.cases.services import alert_raise
    from compliance.choices import KycStatus
    from compliance.models import InvestorProfile
    from issuers.choices import KybStatus
    from issuers.models import Company

    today = today or timezone.localdate()
    raised: list[int] = []
    companies = Company.objects.filter(kyb_status=KybStatus.VERIFIED).filter(pk__in=_company_ids_with_pep())
    investors = InvestorProfile.objects.filter(kyc_status=KycStatus.APPROVED).exclude(
        pep_status=PepStatus.NOT_PEP
    )
    parties: list[tuple[str, dict[str, Any], str]] = [
        (f"issuers.company:{c.pk}", {"company": c}, c.legal_name_en) for c in companies
    ] + [(f"compliance.investorprofile:{i.pk}", {"investor": i}, i.legal_name) for i in investors]
    for ref, party, label in parties:
        kind = CaseKind.KYB if "company" in party else CaseKind.KYC
        decided = Case.objects.filter(status=CaseStatus.CLOSED, **party).filter(
            Q(kind=kind, outcome=Outcome.APPROVED) | Q(kind=CaseKind.ALERT, alert_kind=AlertKind.PEP_REVIEW)
        )
        last = decided.aggregate(last=Max("decided_at"))["last"]
        if last is None:
            continue
        due = timezone.localdate(last) + timedelta(days=PEP_REVIEW_DAYS)
        if due > today:
            continue
        parent = decided.filter(kind=kind).order_by("-decided_at").first()
        case = alert_raise(
            kind=AlertKind.PEP_REVIEW,
            key=f"pep_review:{ref}:{due.isoformat()}",
            summary=f"Yearly review of {label}: a politically exposed person, last reviewed "
            f"{timezone.localdate(last):%d %b %Y}",
            detail={
                "party_ref": ref,
                "last_reviewed": timezone.localdate(last).isoformat(),
                "due": due.isoformat(),
            },
            parent=parent,
            **party,
        )
        raised.append(case.pk)
    return raised


def _company_ids_with_pep() -> Iterator[int]:
    from issuers.models import Person

    yield from (
        Person.objects.exclude(pep_status=PepStatus.NOT_PEP).values_list("company_id", flat=True).distinct()
    )


@factor(CaseKind.KYB, CaseKind.KYC)
def politically_exposed(case: Any) -> Iterator[Factor]:
    """A PEP (or a PEP's family member or close associate) is always decided by an approver."""
    peps = [name for name, record in declared(case) if record.is_pep]
    if peps:
        yield Factor(
            "pep",
            30,
            f"Politically exposed person (enhanced due diligence): {', '.join(peps)}",
            needs_approver=True,
        )


@check(CaseKind.KYB, CaseKind.KYC)
def pep_declarations(case: Any) -> Iterator[Check]:
    """What was declared: there is no PEP list in the platform, the declaration is the source."""
    people = declared(case)
    if not people:
        return
    peps = [(name, record) for name, record in people if record.is_pep]
    if not peps:
        yield Check(
            "Politically exposed persons",
            CheckStatus.PASSED,
            f"None declared ({len(people)} {'person' if len(people) == 1 else 'people'}); no PEP list is "
            "screened, the declaration is the source",
        )
        return
    missing = edd_missing(peps)
    yield Check(
        "Politically exposed persons",
        CheckStatus.FAILED if missing else CheckStatus.ATTENTION,
        "Enhanced due diligence incomplete"
        if missing
        else "Declared: enhanced due diligence, approver decides",
        [describe(name, record) for name, record in peps],
    )
