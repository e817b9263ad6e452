"""Applications for the four instruments: validated terms, exact schedules, and what approval allows."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.models import AuditEvent
from config.errors import Conflict, ValidationFailed
from financing.choices import ApplicationStatus
from financing.models import Application, Offering, Terms
from financing.selectors import application_schedule
from financing.services import application_decide, application_save, application_submit
from issuers.choices import KybStatus
from issuers.tests.factories import CompanyFactory
from tests.flows import arranger
from tokens.choices import WalletKind
from tokens.services import wallet_create


@pytest.fixture
def sme(db):
    company = CompanyFactory(kyb_status=KybStatus.DRAFT)
    company.wallet = wallet_create(kind=WalletKind.ISSUER, label="issuer")
    company.kyb_status = KybStatus.VERIFIED
    company.save()
    return company.representative


COMMON = {
    "title": "Growth round",
    "currency": "HKD",
    "target_amount": Decimal("1200000.00"),
    "minimum_amount": Decimal("300000.00"),
    "use_of_proceeds": "New production line",
}
TERMS = {
    "bond": {
        "unit_price": Decimal("1000.00"),
        "annual_rate": "0.065",
        "frequency": "semiannual",
        "start_date": date(2027, 3, 1),
        "maturity_date": date(2030, 3, 1),
    },
    "loan": {
        "unit_price": Decimal("1000.00"),
        "annual_rate": "0.08",
        "frequency": "monthly",
        "term_months": 36,
        "start_date": date(2027, 1, 15),
        "amortization": "equal_principal",
        "grace_periods": 3,
    },
    "lease": {
        "unit_price": Decimal("1000.00"),
        "annual_rate": "0.072",
        "frequency": "monthly",
        "term_months": 60,
        "start_date": date(2027, 2, 1),
        "residual_value": "100000.00",
        "payment_timing": "advance",
        "asset_description": "Two CNC machining centres",
    },
    "equity": {
        "unit_price": Decimal("12.50"),
        "share_class": "Ordinary",
        "pre_money_valuation": Decimal("10800000"),
    },
}


@pytest.mark.parametrize("instrument", ["bond", "loan", "lease", "equity"])
def test_each_instrument_is_saved_with_its_terms(sme, instrument):
    application = application_save(user=sme, instrument=instrument, terms=TERMS[instrument], **COMMON)
    terms = Terms.objects.get(application=application)
    assert application.instrument == instrument
    assert terms.unit_price == TERMS[instrument]["unit_price"]
    schedule = application_schedule(application)
    if instrument == "equity":
        assert schedule is None
        assert terms.units == 96_000
        assert terms.post_money_valuation == Decimal("12000000.00")
        assert terms.dilution == Decimal("0.1")
    else:
        assert schedule is not None
        assert schedule.totals.principal == COMMON["target_amount"]


def test_a_lease_rate_can_be_solved_from_the_rental(sme):
    terms = {**TERMS["lease"], "annual_rate": None, "rental": "21900.00"}
    application = application_save(user=sme, instrument="lease", terms=terms, **COMMON)
    rate = Terms.objects.get(application=application).annual_rate
    assert Decimal("0.05") < rate < Decimal("0.15")


@pytest.mark.parametrize(
    ("instrument", "change", "field"),
    [
        ("bond", {"frequency": "weekly"}, "frequency"),
        ("bond", {"maturity_date": date(2026, 1, 1)}, "maturity_date"),
        ("loan", {"grace_periods": 40}, "grace_periods"),
        ("loan", {"term_months": 7, "frequency": "quarterly"}, "term_months"),
        ("loan", {"annual_rate": "1.2"}, "annual_rate"),
        ("lease", {"residual_value": "2000000"}, "residual_value"),
        ("lease", {"asset_description": ""}, "asset_description"),
        ("equity", {"share_class": " "}, "share_class"),
        ("equity", {"pre_money_valuation": Decimal("-1")}, "pre_money_valuation"),
        ("equity", {"unit_price": Decimal("7.00")}, "target_amount"),
    ],
)
def test_bad_terms_are_refused_by_field_and_nothing_is_written(sme, instrument, change, field):
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        application_save(user=sme, instrument=instrument, terms={**TERMS[instrument], **change}, **COMMON)
    assert field in refused.value.fields
    assert not Application.objects.exists()
    assert AuditEvent.objects.count() == audit_before


def test_changing_instrument_on_edit_resets_the_other_instruments_fields(sme):
    application = application_save(user=sme, instrument="lease", terms=TERMS["lease"], **COMMON)
    application_save(
        user=sme, application_id=application.pk, instrument="equity", terms=TERMS["equity"], **COMMON
    )
    terms = Terms.objects.get(application=application)
    assert terms.annual_rate is None
    assert terms.asset_description == ""
    assert terms.residual_value == 0
    assert terms.share_class == "Ordinary"


def test_a_submitted_application_cannot_be_edited(sme):
    application = application_save(user=sme, instrument="bond", terms=TERMS["bond"], **COMMON)
    application_submit(user=sme, application_id=application.pk)
    with pytest.raises(Conflict):
        application_save(
            user=sme, application_id=application.pk, instrument="bond", terms=TERMS["bond"], **COMMON
        )


def test_an_application_in_a_currency_without_a_listed_stablecoin_cannot_become_an_offering(sme):
    application = application_save(
        user=sme, instrument="loan", terms=TERMS["loan"], **{**COMMON, "currency": "CNY"}
    )
    application_submit(user=sme, application_id=application.pk)
    officer = UserFactory(role=Role.OFFICER)
    with pytest.raises(ValidationFailed, match=r"no stablecoin is accepted for CNY \(Renminbi\) yet"):
        application_decide(
            actor=officer, application_id=application.pk, decision="approve", arranger_id=arranger().pk
        )
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED
    assert not Offering.objects.exists()


def test_a_loan_is_offered_in_participation_units(platform):
    from tests import flows

    officer = flows.officer()
    company = flows.verified_company(by=officer)
    application = application_save(
        user=company.representative, instrument="loan", terms=TERMS["loan"], **COMMON
    )
    application_submit(user=company.representative, application_id=application.pk)
    application_decide(
        actor=officer, application_id=application.pk, decision="approve", arranger_id=flows.arranger().pk
    )
    offering = Offering.objects.get(application=application)
    assert offering.units_offered == 1200
    assert offering.minimum_units == 300
    assert offering.unit_price == Decimal("1000.00")


def test_the_application_state_machine_with_resubmission_is_audited(sme):
    officer = UserFactory(role=Role.OFFICER)
    from financing.services import application_start_review

    application = application_save(user=sme, instrument="bond", terms=TERMS["bond"], **COMMON)
    application_submit(user=sme, application_id=application.pk)
    application_start_review(actor=officer, application_id=application.pk)
    application_decide(
        actor=officer, application_id=application.pk, decision="request_changes", reason="Add covenants"
    )
    application_save(
        user=sme, application_id=application.pk, instrument="bond", terms=TERMS["bond"], **COMMON
    )
    application_submit(user=sme, application_id=application.pk)
    application_decide(
        actor=officer, application_id=application.pk, decision="reject", reason="Too leveraged"
    )

    moves = list(
        AuditEvent.objects.filter(object_type="financing.application", object_id=str(application.pk))
        .exclude(to_status="")
        .values_list("to_status", flat=True)
    )
    assert moves == ["submitted", "under_review", "changes_requested", "submitted", "rejected"]
    with pytest.raises(Conflict):
        application_submit(user=sme, application_id=application.pk)
