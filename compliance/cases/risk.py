"""A case's risk score: points for jurisdiction, industry, screening, PEP, ownership and amount.

Each factor is a function of the case that returns the reasons it adds points for; `assess` sums
them and reads the level from the settings' thresholds. A factor may also demand an approver
whatever the score (a politically exposed person, an application above the approver amount).
Factors are registered per case kind with `factor(kind, ...)`, so a new rule is one function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings

from compliance.cases.choices import AlertKind, CaseKind, RiskLevel

if TYPE_CHECKING:
    from compliance.cases.models import Case
    from issuers.models import Company


@dataclass(frozen=True)
class Factor:
    """One reason a case is riskier, in words, with its points."""

    code: str
    points: int
    text: str
    needs_approver: bool = False


@dataclass(frozen=True)
class Assessment:
    score: int
    level: str
    factors: list[Factor]

    @property
    def needs_approver(self) -> bool:
        return self.level != RiskLevel.LOW or any(f.needs_approver for f in self.factors)

    def factors_data(self) -> list[dict[str, object]]:
        return [asdict(f) for f in self.factors]


FactorFunction = Callable[["Case"], Iterable[Factor]]
FACTORS: dict[str, list[FactorFunction]] = {kind: [] for kind in CaseKind.values}


def factor(*kinds: str) -> Callable[[FactorFunction], FactorFunction]:
    """Register a factor for the case kinds named."""

    def register(function: FactorFunction) -> FactorFunction:
        for kind in kinds:
            FACTORS[kind].append(function)
        return function

    return register


def level_of(score: int) -> str:
    if score >= settings.COMPLIANCE_RISK_HIGH_FROM:
        return RiskLevel.HIGH
    if score >= settings.COMPLIANCE_RISK_MEDIUM_FROM:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def assess(case: Case) -> Assessment:
    found = [f for function in FACTORS[case.kind] for f in function(case)]
    score = sum(f.points for f in found)
    return Assessment(score=score, level=level_of(score), factors=found)


# Hong Kong dollars per unit of the currencies applications are made in, for the approver threshold
# only (HKD and MOP are pegged; CNY is a conservative reference rate): never used to move money.
REFERENCE_HKD_PER_UNIT = {
    "HKD": Decimal("1"),
    "USD": Decimal("7.8"),
    "MOP": Decimal("0.98"),
    "CNY": Decimal("1.1"),
}

MAINLAND_POINTS = 10
ELSEWHERE_POINTS = 15
HIGH_RISK_COUNTRY_POINTS = 50
# Cash-intensive or easily used to move value across borders (trade-based laundering, property).
HIGHER_RISK_INDUSTRIES = {"fintech": 10, "construction": 10, "logistics": 10, "other": 5}


def _country_factor(country: str, who: str) -> Iterable[Factor]:
    if country in settings.COMPLIANCE_HIGH_RISK_COUNTRIES:
        yield Factor(
            "jurisdiction", HIGH_RISK_COUNTRY_POINTS, f"{who} in a FATF high-risk or monitored country"
        )
    elif country == "CN":
        yield Factor("jurisdiction", MAINLAND_POINTS, f"{who} in mainland China (cross-boundary)")
    elif country not in ("HK", "MO"):
        yield Factor("jurisdiction", ELSEWHERE_POINTS, f"{who} outside the Greater Bay Area")


def _company_of(case: Case) -> Company:
    assert case.company is not None  # KYB and application cases always name the company
    return case.company


@factor(CaseKind.KYB, CaseKind.APPLICATION)
def company_jurisdiction(case: Case) -> Iterable[Factor]:
    from issuers.choices import COUNTRY_OF_JURISDICTION

    company = _company_of(case)
    yield from _country_factor(COUNTRY_OF_JURISDICTION[company.jurisdiction], "Company registered")


@factor(CaseKind.KYB, CaseKind.APPLICATION)
def company_industry(case: Case) -> Iterable[Factor]:
    company = _company_of(case)
    if points := HIGHER_RISK_INDUSTRIES.get(company.industry):
        yield Factor("industry", points, f"Industry: {company.get_industry_display()}")


@factor(CaseKind.KYB)
def company_registration(case: Case) -> Iterable[Factor]:
    from issuers.choices import RegistrationCheck
    from issuers.selectors import registration_holders

    company = case.company
    assert company is not None
    if company.registration_check == RegistrationCheck.MANUAL_REVIEW:
        yield Factor("registration", 10, "Registration number needs checking against the certificate")
    if registration_holders(company).exists():
        yield Factor("registration", 20, "Another company claims the same registration number")


@factor(CaseKind.KYB)
def company_ownership(case: Case) -> Iterable[Factor]:
    company = case.company
    assert company is not None
    people = list(company.people.all())
    if any(p.trust_role for p in people):
        yield Factor("ownership", 15, "Shares held through a trust")
    from issuers.choices import COUNTRY_OF_JURISDICTION

    home = COUNTRY_OF_JURISDICTION[company.jurisdiction]
    abroad = [
        p for p in people if p.is_beneficial_owner and p.nationality.code not in (home, "HK", "MO", "CN")
    ]
    if abroad:
        yield Factor("ownership", 10, f"{len(abroad)} beneficial owner(s) from outside the Greater Bay Area")
    high = [p for p in people if p.nationality.code in settings.COMPLIANCE_HIGH_RISK_COUNTRIES]
    if high:
        yield Factor(
            "ownership",
            HIGH_RISK_COUNTRY_POINTS,
            f"{len(high)} director(s) or owner(s) from a FATF high-risk or monitored country",
        )


@factor(CaseKind.KYC)
def investor_country(case: Case) -> Iterable[Factor]:
    investor = case.investor
    assert investor is not None
    yield from _country_factor(investor.country.code, "Investor resident or incorporated")


@factor(CaseKind.KYC)
def investor_structure(case: Case) -> Iterable[Factor]:
    from compliance.choices import InvestorType

    investor = case.investor
    assert investor is not None
    if investor.investor_type != InvestorType.INDIVIDUAL:
        yield Factor("ownership", 10, "A corporate investor: its owners and directors are checked too")


@factor(CaseKind.APPLICATION)
def application_amount(case: Case) -> Iterable[Factor]:
    application = case.application
    assert application is not None
    amount_hkd = application.target_amount * REFERENCE_HKD_PER_UNIT[application.currency]
    threshold = settings.COMPLIANCE_APPROVER_AMOUNT_HKD
    if amount_hkd > threshold:
        yield Factor(
            "amount",
            10,
            f"Raising {application.currency} {application.target_amount:,.0f}, above the "
            f"HKD {threshold:,.0f} that needs an approver",
            needs_approver=True,
        )


@factor(CaseKind.KYB, CaseKind.KYC, CaseKind.APPLICATION)
def open_alerts(case: Case) -> Iterable[Factor]:
    """An open or confirmed sanctions alert on the party weighs on every case about it."""
    from compliance.cases.choices import OPEN_STATUSES, Outcome
    from compliance.cases.models import Case as CaseModel

    company = case.company
    party: dict[str, Any] = {"company": company} if company is not None else {"investor": case.investor}
    alerts = CaseModel.objects.filter(
        kind=CaseKind.ALERT, alert_kind__in=[AlertKind.SCREENING_MATCH, AlertKind.WALLET_MATCH], **party
    )
    if alerts.filter(outcome=Outcome.CONFIRMED).exists():
        yield Factor("screening", 100, "A confirmed sanctions match", needs_approver=True)
    elif alerts.filter(status__in=OPEN_STATUSES).exists():
        yield Factor("screening", 50, "A possible sanctions match is open", needs_approver=True)


@factor(CaseKind.ALERT)
def alert_weight(case: Case) -> Iterable[Factor]:
    """Sanctions and PEP alerts go to an approver; evidence and licence alerts to one officer."""
    if case.alert_kind in (AlertKind.SCREENING_MATCH, AlertKind.WALLET_MATCH):
        yield Factor("screening", 60, case.get_alert_kind_display(), needs_approver=True)
    elif case.alert_kind == AlertKind.PEP_REVIEW:
        yield Factor("pep", 30, case.get_alert_kind_display(), needs_approver=True)
    elif case.alert_kind == AlertKind.LICENCE_LAPSED:
        yield Factor("licence", 20, case.get_alert_kind_display())  # below medium: one officer
