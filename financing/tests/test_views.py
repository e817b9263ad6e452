"""Pages of financing: applications of every instrument (SME), offerings and subscriptions, the desk."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.cases.services import case_open
from compliance.choices import KycStatus
from compliance.models import InvestorProfile
from financing.agreements import accepted_versions
from financing.choices import ApplicationStatus, OfferingStatus, SubscriptionStatus
from financing.demo import sample_pdf
from financing.models import Application, Offering, Subscription, Terms
from financing.selectors import application_schedule
from issuers.choices import KybStatus
from issuers.models import Company
from issuers.tests.factories import CompanyFactory
from tests import flows
from tokens.choices import WalletKind
from tokens.services import wallet_create

STAFF = [Role.OFFICER, Role.APPROVER, Role.OPERATOR]
INSTRUMENTS = ["bond", "loan", "lease", "equity"]


# --- chain-free set-ups (rows written directly; the services are tested on their own) -----------


def verified_company(**fields) -> Company:
    """A KYB-verified company with its custodial wallet (creating a wallet needs no chain)."""
    wallet = wallet_create(kind=WalletKind.ISSUER, label="issuer")
    return CompanyFactory(kyb_status=KybStatus.VERIFIED, wallet=wallet, **fields)


def stored_terms(instrument: str) -> dict:
    """Valid terms of each instrument as the database holds them (for a HK$100,000 raise)."""
    start = date.today() + timedelta(days=10)
    return {
        "bond": {
            "unit_price": Decimal("1000.00"),
            "annual_rate": Decimal("0.05"),
            "frequency": "semiannual",
            "amortization": "bullet",
            "start_date": start,
            "maturity_date": start.replace(year=start.year + 2),
        },
        "loan": {
            "unit_price": Decimal("1000.00"),
            "annual_rate": Decimal("0.08"),
            "frequency": "monthly",
            "amortization": "annuity",
            "start_date": start,
            "term_months": 36,
        },
        "lease": {
            "unit_price": Decimal("1000.00"),
            "annual_rate": Decimal("0.072"),
            "frequency": "monthly",
            "amortization": "annuity",
            "start_date": start,
            "term_months": 60,
            "asset_description": "Two CNC machining centres",
        },
        "equity": {
            "unit_price": Decimal("12.50"),
            "share_class": "Ordinary",
            "pre_money_valuation": Decimal("900000.00"),
        },
    }[instrument]


def application_of(
    company: Company, instrument: str = "bond", status: str = ApplicationStatus.DRAFT
) -> Application:
    application = Application.objects.create(
        company=company,
        instrument=instrument,
        title=f"Harbour {instrument} 2028",
        target_amount=Decimal("100000.00"),
        minimum_amount=Decimal("20000.00"),
        use_of_proceeds="Working capital",
        status=status,
        submitted_at=None if status == ApplicationStatus.DRAFT else timezone.now(),
    )
    Terms.objects.create(application=application, **stored_terms(instrument))
    return application


def bond_application(company: Company, status: str = ApplicationStatus.DRAFT) -> Application:
    return application_of(company, "bond", status)


def offering_of(
    company: Company | None = None, status: str = OfferingStatus.OPEN, instrument: str = "bond"
) -> Offering:
    application = application_of(company or verified_company(), instrument, ApplicationStatus.APPROVED)
    unit_price = application.terms.unit_price
    cancelled = (
        {"cancellation_reason": "Called off in a test.", "cancelled_at": timezone.now()}
        if status == OfferingStatus.CANCELLED
        else {}
    )
    return Offering.objects.create(
        application=application,
        status=status,
        **cancelled,
        currency="HKD",
        unit_price=unit_price,
        units_offered=application.terms.units,
        minimum_units=int(application.minimum_amount / unit_price),
        subscription_cap_units=application.terms.units * 3,
        closes_at=timezone.now() + timedelta(days=7),
    )


ISSUE = date.today() + timedelta(days=30)


def application_post(instrument: str = "bond", /, **changes) -> dict[str, str]:
    """What the form posts for a HK$500,000 raise with the given instrument's terms."""
    data = {
        "instrument": instrument,
        "title": "Harbour 2029",
        "currency": "HKD",
        "target_amount": "500000.00",
        "minimum_amount": "100000.00",
        "use_of_proceeds": "A new production line.",
        **{
            "bond": {
                "bond-unit_price": "1000.00",
                "bond-annual_rate": "6.5",
                "bond-frequency": "semiannual",
                "bond-start_date": ISSUE.isoformat(),
                "bond-maturity_date": ISSUE.replace(year=ISSUE.year + 3).isoformat(),
                "bond-day_count": "act_365f",
                "bond-business_day_convention": "modified_following",
                "bond-calendar": "HK",
            },
            "loan": {
                "loan-unit_price": "1000",
                "loan-annual_rate": "8",
                "loan-start_date": ISSUE.isoformat(),
                "loan-term_months": "36",
                "loan-maturity_date": "",
                "loan-frequency": "monthly",
                "loan-amortization": "annuity",
                "loan-grace_periods": "0",
                "loan-business_day_convention": "modified_following",
                "loan-calendar": "HK",
            },
            "lease": {
                "lease-asset_description": "Two CNC machining centres",
                "lease-unit_price": "1000",
                "lease-start_date": ISSUE.isoformat(),
                "lease-term_months": "60",
                "lease-frequency": "monthly",
                "lease-payment_timing": "arrears",
                "lease-residual_value": "0",
                "lease-pricing": "rate",
                "lease-annual_rate": "7.2",
                "lease-rental": "",
                "lease-business_day_convention": "modified_following",
                "lease-calendar": "HK",
            },
            "equity": {
                "equity-share_class": "Ordinary",
                "equity-unit_price": "12.50",
                "equity-pre_money_valuation": "4500000",
            },
        }.get(instrument, {}),
    }
    data.update(changes)
    return data


EXPECTED_TERMS = {
    "bond": {
        "unit_price": Decimal("1000.00"),
        "annual_rate": Decimal("0.065"),
        "frequency": "semiannual",
        "amortization": "bullet",
        "start_date": ISSUE,
        "maturity_date": ISSUE.replace(year=ISSUE.year + 3),
        "term_months": None,
        "day_count": "act_365f",
        "business_day_convention": "modified_following",
        "calendar": "HK",
    },
    "loan": {
        "unit_price": Decimal("1000.00"),
        "annual_rate": Decimal("0.08"),
        "frequency": "monthly",
        "amortization": "annuity",
        "grace_periods": 0,
        "start_date": ISSUE,
        "term_months": 36,
        "maturity_date": None,
    },
    "lease": {
        "unit_price": Decimal("1000.00"),
        "annual_rate": Decimal("0.072"),
        "frequency": "monthly",
        "payment_timing": "arrears",
        "residual_value": Decimal("0"),
        "start_date": ISSUE,
        "term_months": 60,
        "asset_description": "Two CNC machining centres",
    },
    "equity": {
        "unit_price": Decimal("12.50"),
        "annual_rate": None,
        "share_class": "Ordinary",
        "pre_money_valuation": Decimal("4500000.00"),
        "start_date": None,
    },
}
SUMMARIES = {
    "bond": "Bond · 6.5% semi-annual · 3 years",
    "loan": "Loan · 8% monthly annuity · 36 months",
    "lease": "Lease · 7.2% implicit · 60 months",
    "equity": "Equity · Ordinary at HK$12.50 · 10% dilution",
}
# A change of the rate (or the share price) when editing, and what is then stored.
EDITS = {
    "bond": ({"bond-annual_rate": "4.25"}, "annual_rate", Decimal("0.0425")),
    "loan": ({"loan-annual_rate": "10"}, "annual_rate", Decimal("0.1")),
    "lease": ({"lease-annual_rate": "6.75"}, "annual_rate", Decimal("0.0675")),
    "equity": ({"equity-unit_price": "10.00"}, "unit_price", Decimal("10.00")),
}


def text(page) -> str:
    """A page's HTML with non-breaking spaces (Django's durations) as plain ones."""
    return page.content.decode().replace("\xa0", " ")


def stored(application: Application, names) -> dict:
    terms = Terms.objects.get(application=application)
    return {name: getattr(terms, name) for name in names}


# --- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("financing:application_new", [Role.SME]),
        ("financing:investor_dashboard", [Role.INVESTOR]),
        ("financing:offering_list", [Role.INVESTOR]),
        ("financing:offering_manage", STAFF),
    ],
)
def test_each_page_is_for_its_roles_only(client, db, name, allowed):
    assert client.get(reverse(name)).url.startswith(reverse("accounts:login"))
    for role in Role:
        client.force_login(UserFactory(role=role))
        expected = 200 if role in allowed else 403
        assert client.get(reverse(name)).status_code == expected, role


def test_actions_refuse_a_get_and_other_roles(client, db):
    offering = offering_of()
    client.force_login(UserFactory(role=Role.INVESTOR))
    assert client.get(reverse("financing:offering_close", args=[offering.pk])).status_code == 403
    client.force_login(UserFactory(role=Role.OFFICER))
    assert client.get(reverse("financing:offering_close", args=[offering.pk])).status_code == 405


# --- SME: applications ----------------------------------------------------------------------------


def test_the_form_offers_the_four_instruments_each_with_its_own_terms(client, db):
    client.force_login(verified_company().representative)

    page = client.get(reverse("financing:application_new")).content.decode()

    for instrument in INSTRUMENTS:
        assert f'value="{instrument}"' in page
        assert f"terms--{instrument}" in page
    assert reverse("financing:schedule_preview") in page
    for currency in ("HKD", "CNY", "MOP", "USD"):
        assert f'value="{currency}"' in page


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_an_sme_creates_an_application_of_each_instrument_and_its_terms_are_stored(client, db, instrument):
    company = verified_company()
    client.force_login(company.representative)

    answer = client.post(reverse("financing:application_new"), application_post(instrument))

    application = Application.objects.get()
    assert answer.url == reverse("financing:application_detail", args=[application.pk])
    assert (application.instrument, application.status) == (instrument, ApplicationStatus.DRAFT)
    expected = EXPECTED_TERMS[instrument]
    assert stored(application, expected) == expected
    page = client.get(answer.url)
    assert SUMMARIES[instrument] in text(page)
    assert (b'data-chart="schedule"' in page.content) == (instrument != "equity")


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_an_sme_edits_an_application_of_each_instrument(client, db, instrument):
    company = verified_company()
    client.force_login(company.representative)
    client.post(reverse("financing:application_new"), application_post(instrument))
    application = Application.objects.get()
    edit = reverse("financing:application_edit", args=[application.pk])
    form = client.get(edit).context["forms"]
    assert form.instrument == instrument
    changes, name, value = EDITS[instrument]
    before = EXPECTED_TERMS[instrument][name]
    assert form.terms[instrument][name].value() == (before * 100 if name == "annual_rate" else before)

    answer = client.post(edit, application_post(instrument, title="Renamed", **changes))

    assert answer.url == reverse("financing:application_detail", args=[application.pk])
    application.refresh_from_db()
    assert application.title == "Renamed"
    assert stored(application, [name]) == {name: value}


def test_a_lease_priced_by_its_rental_stores_the_implicit_rate_that_gives_that_rental(client, db):
    client.force_login(verified_company().representative)
    post = application_post(
        "lease", **{"lease-pricing": "rental", "lease-annual_rate": "", "lease-rental": "10000.00"}
    )

    client.post(reverse("financing:application_new"), post)

    application = Application.objects.get()
    assert Decimal("0") < application.terms.annual_rate < Decimal("1")
    assert application_schedule(application).rows[0].payment == Decimal("10000.00")


def test_an_application_in_another_currency_is_accepted(client, db):
    client.force_login(verified_company().representative)
    client.post(reverse("financing:application_new"), application_post("loan", currency="USD"))
    assert Application.objects.get().currency == "USD"


def test_the_terms_of_instruments_not_chosen_are_ignored(client, db):
    client.force_login(verified_company().representative)
    garbage = {"loan-annual_rate": "lots", "lease-start_date": "yesterday", "equity-unit_price": "-1"}

    answer = client.post(reverse("financing:application_new"), application_post("bond", **garbage))

    assert answer.status_code == 302
    assert Application.objects.get().instrument == "bond"


@pytest.mark.parametrize(
    ("instrument", "changes", "field"),
    [
        ("bond", {"title": ""}, "title"),
        ("bond", {"bond-annual_rate": "150"}, "annual_rate"),
        ("bond", {"bond-annual_rate": "six"}, "annual_rate"),
        ("bond", {"minimum_amount": "900000.00"}, "minimum_amount"),  # refused by the service
        ("bond", {"target_amount": "500500.00"}, "target_amount"),  # not whole units of the face value
        ("bond", {"bond-maturity_date": ISSUE.isoformat()}, "maturity_date"),
        ("bond", {"bond-start_date": "2026-02-30"}, "start_date"),
        ("loan", {"loan-term_months": ""}, "term_months"),  # neither a term nor a maturity
        ("loan", {"loan-frequency": "quarterly", "loan-term_months": "35"}, "term_months"),
        ("loan", {"loan-grace_periods": "36"}, "grace_periods"),
        ("loan", {"loan-term_months": "9999999999999"}, "term_months"),
        ("lease", {"lease-asset_description": ""}, "asset_description"),
        ("lease", {"lease-pricing": "rental", "lease-annual_rate": ""}, "rental"),
        ("lease", {"lease-pricing": "rental", "lease-annual_rate": "", "lease-rental": "1.00"}, "rental"),
        ("lease", {"lease-residual_value": "600000"}, "residual_value"),
        ("equity", {"equity-pre_money_valuation": "-5"}, "pre_money_valuation"),
        ("equity", {"equity-unit_price": "12.34"}, "target_amount"),  # not whole shares
        ("equity", {"equity-share_class": ""}, "share_class"),
        ("bond", {"instrument": ""}, "instrument"),
        ("bond", {"instrument": "crypto"}, "instrument"),
        ("bond", {"currency": "BTC"}, "currency"),
    ],
)
def test_bad_application_input_is_shown_again_and_saves_nothing(client, db, instrument, changes, field):
    company = verified_company()
    client.force_login(company.representative)

    answer = client.post(reverse("financing:application_new"), application_post(instrument, **changes))

    assert answer.status_code == 400
    errors = answer.context["forms"].errors
    assert field in errors, errors
    assert not any("_date" in message or "_months" in message for message in errors[field])
    assert b"Please correct the highlighted fields" in answer.content
    assert not Application.objects.exists()
    assert not Terms.objects.exists()


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_bad_input_when_editing_changes_nothing(client, db, instrument):
    application = application_of(verified_company(), instrument)
    client.force_login(application.company.representative)
    before = stored(application, ["unit_price", "annual_rate", "start_date"])

    answer = client.post(
        reverse("financing:application_edit", args=[application.pk]),
        application_post(instrument, title="", **{f"{instrument}-unit_price": "-1"}),
    )

    assert answer.status_code == 400
    assert {"title", "unit_price"} <= set(answer.context["forms"].errors)
    application.refresh_from_db()
    assert application.title == f"Harbour {instrument} 2028"
    assert stored(application, before) == before


def test_a_company_without_kyb_cannot_apply(client, db):
    company = CompanyFactory()
    client.force_login(company.representative)
    assert b"must pass KYB" in client.get(reverse("financing:application_new")).content

    answer = client.post(reverse("financing:application_new"), application_post())

    assert answer.status_code == 400
    assert "must pass KYB" in str(answer.context["form"].non_field_errors())
    assert not Application.objects.exists()


def test_an_sme_edits_submits_and_withdraws_its_application(client, db):
    application = bond_application(verified_company())
    client.force_login(application.company.representative)
    edit = reverse("financing:application_edit", args=[application.pk])
    assert client.get(edit).context["forms"].terms["bond"]["annual_rate"].value() == Decimal("5")

    client.post(edit, application_post(title="Renamed notes", **{"bond-annual_rate": "4.25"}))
    application.refresh_from_db()
    assert application.title == "Renamed notes"
    assert application.terms.annual_rate == Decimal("0.0425")

    client.post(reverse("financing:application_submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert client.get(edit).url == reverse("financing:application_detail", args=[application.pk])

    client.post(reverse("financing:application_withdraw", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_submitting_twice_is_refused_with_the_reason_and_changes_nothing(client, db):
    application = bond_application(verified_company(), ApplicationStatus.SUBMITTED)
    client.force_login(application.company.representative)

    answer = client.post(reverse("financing:application_submit", args=[application.pk]))

    assert answer.status_code == 400
    assert answer.context["action_form"].non_field_errors()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_another_smes_application_is_not_found(client, db):
    application = bond_application(verified_company())
    client.force_login(verified_company().representative)
    for name in ("application_detail", "application_edit"):
        assert client.get(reverse(f"financing:{name}", args=[application.pk])).status_code == 404
    assert client.post(reverse("financing:application_submit", args=[application.pk])).status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_compliance_and_the_sme_see_the_terms_and_schedule_of_every_instrument(client, db, instrument):
    application = application_of(verified_company(), instrument, ApplicationStatus.SUBMITTED)
    case_open(subject=application)
    has_schedule = instrument != "equity"

    client.force_login(application.company.representative)
    detail = client.get(reverse("financing:application_detail", args=[application.pk]))
    dashboard = client.get(reverse("issuers:dashboard"))
    client.force_login(UserFactory(role=Role.OFFICER))
    review = client.get(reverse("compliance:application_review", args=[application.pk]), follow=True)
    queue = client.get(reverse("compliance:queue"))

    for page in (detail, review):
        assert page.status_code == 200
        assert (b'data-chart="schedule"' in page.content) == has_schedule
        assert (b"<tfoot>" in page.content) == has_schedule
    summary = {
        "bond": "Bond · 5% semi-annual · 2 years",
        "loan": "Loan · 8% monthly annuity · 36 months",
        "lease": "Lease · 7.2% implicit · 60 months",
        "equity": "Equity · Ordinary at HK$12.50 · 10% dilution",
    }[instrument]
    for page in (detail, review, queue, dashboard):
        assert summary in text(page)


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_investors_see_the_terms_of_offerings_of_every_instrument(client, db, instrument):
    offering = offering_of(instrument=instrument)
    client.force_login(UserFactory(role=Role.INVESTOR))

    cards = client.get(reverse("financing:offering_list")).content.decode()
    detail = client.get(reverse("financing:offering_detail", args=[offering.pk]))

    name = {"bond": "Bond ·", "loan": "Loan ·", "lease": "Lease ·", "equity": "Equity ·"}[instrument]
    assert name in cards
    assert name in detail.content.decode()


# --- SME: the live schedule preview ---------------------------------------------------------------


def preview(client, data):
    return client.post(reverse("financing:schedule_preview"), data, headers={"HX-Request": "true"})


@pytest.mark.parametrize("instrument", ["bond", "loan", "lease"])
def test_the_preview_shows_the_schedule_of_terms_not_yet_saved(client, db, instrument):
    client.force_login(verified_company().representative)

    answer = preview(client, application_post(instrument))

    assert answer.status_code == 200
    assert b"<html" not in answer.content
    schedule = answer.context["schedule"]
    assert schedule.rows
    assert schedule.totals.principal == Decimal("500000.00")
    assert b'data-chart="schedule"' in answer.content
    assert answer.content.count(b"<tr data-date=") == len(schedule.rows)
    assert not Application.objects.exists()


def test_the_preview_of_equity_shows_shares_post_money_and_dilution(client, db):
    client.force_login(verified_company().representative)

    answer = preview(client, application_post("equity"))

    result = answer.context["preview"]
    assert (result["units"], result["post_money_valuation"], result["dilution"]) == (
        40000,
        Decimal("5000000.00"),
        Decimal("0.1"),
    )
    assert b"HK$5,000,000.00" in answer.content
    assert b"10%" in answer.content


def test_the_preview_of_a_lease_priced_by_its_rental_shows_the_implicit_rate(client, db):
    client.force_login(verified_company().representative)
    post = application_post(
        "lease", **{"lease-pricing": "rental", "lease-annual_rate": "", "lease-rental": "10000.00"}
    )

    answer = preview(client, post)

    assert answer.context["schedule"].rows[0].payment == Decimal("10000.00")
    assert Decimal("0") < answer.context["preview"]["annual_rate"] < Decimal("1")
    assert b"worked out from your rental" in answer.content


def test_the_preview_lists_what_is_still_needed(client, db):
    client.force_login(verified_company().representative)

    nothing = preview(client, {})
    assert b"Choose how you want to raise the money" in nothing.content
    partial = preview(client, {"instrument": "bond", "currency": "HKD", "bond-annual_rate": "6.5"})
    assert partial.status_code == 200
    assert {"Target raise", "Face value per unit", "Issue date", "Maturity date"} <= set(
        partial.context["problems"].missing
    )


@pytest.mark.parametrize(
    ("instrument", "changes"),
    [
        ("bond", {"bond-annual_rate": "abc"}),
        ("bond", {"bond-annual_rate": "1e400"}),
        ("bond", {"bond-annual_rate": "NaN"}),
        ("bond", {"bond-annual_rate": "-5"}),
        ("bond", {"bond-annual_rate": "100"}),
        ("bond", {"target_amount": "9" * 40}),
        ("bond", {"target_amount": "Infinity"}),
        ("bond", {"bond-start_date": "2026-02-30"}),
        ("bond", {"bond-start_date": "0001-01-01"}),
        ("bond", {"bond-maturity_date": "9999-12-31"}),
        ("bond", {"bond-maturity_date": ISSUE.isoformat()}),  # not after the issue date
        ("bond", {"bond-frequency": "weekly", "bond-day_count": "act_999"}),
        ("loan", {"loan-term_months": "99999999999999999999"}),
        ("loan", {"loan-term_months": "-3", "loan-grace_periods": "-1"}),
        (
            "loan",
            {"loan-term_months": "36", "loan-maturity_date": ISSUE.replace(year=ISSUE.year + 3).isoformat()},
        ),
        ("loan", {"loan-grace_periods": "36"}),
        ("loan", {"loan-frequency": "quarterly", "loan-term_months": "7"}),
        ("lease", {"lease-pricing": "rental", "lease-annual_rate": "", "lease-rental": "NaN"}),
        ("lease", {"lease-pricing": "rental", "lease-annual_rate": "", "lease-rental": "1.00"}),
        ("lease", {"lease-pricing": "rental", "lease-annual_rate": "", "lease-rental": "499999.99"}),
        ("lease", {"lease-residual_value": "500000.00"}),
        ("lease", {"lease-term_months": "0"}),
        ("equity", {"equity-unit_price": "0"}),
        ("equity", {"equity-pre_money_valuation": "1e30"}),
        ("bond", {"instrument": "crypto"}),
        ("bond", {"currency": "XYZ"}),
    ],
)
def test_the_preview_shows_field_messages_for_bad_terms_and_never_fails(client, db, instrument, changes):
    client.force_login(verified_company().representative)

    answer = preview(client, application_post(instrument, **changes))

    assert answer.status_code == 200
    problems = answer.context["problems"]
    assert problems
    assert answer.context["schedule"] is None
    assert b"preview-errors" in answer.content or b"Choose how" in answer.content
    assert not Application.objects.exists()


def test_the_preview_is_for_smes_and_only_answers_posts(client, db):
    client.force_login(UserFactory(role=Role.INVESTOR))
    assert preview(client, application_post()).status_code == 403
    client.force_login(verified_company().representative)
    assert client.get(reverse("financing:schedule_preview")).status_code == 405


# --- investors ------------------------------------------------------------------------------------


def test_a_new_investor_sees_the_kyc_form_and_submits_it(client, db):
    investor = UserFactory(role=Role.INVESTOR)
    client.force_login(investor)
    assert (
        reverse("financing:investor_kyc").encode()
        in client.get(reverse("financing:investor_dashboard")).content
    )
    assert "kyc_form" in client.get(reverse("financing:investor_kyc")).context

    answer = client.post(
        reverse("financing:investor_kyc"),
        {
            "investor_type": "individual",
            "legal_name": "Mei Ling",
            "country": "HK",
            "residency": "HK",
            "birth_date": "1988-04-02",
            "id_document_number": "A1234567",
            "declared_portfolio_hkd": "9000000",
            "claims_professional": "on",
        },
    )
    assert answer.url == reverse("financing:investor_kyc")
    page = client.get(answer.url).content.decode()
    assert "Still needed before you can submit" in page
    assert "A proof of address" in page
    dated = (date.today() - timedelta(days=10)).isoformat()
    for kind, extra in (
        ("identity", {}),
        ("address", {}),
        ("pi_evidence", {"evidence_type": "statement", "document_date": dated}),
    ):
        upload = sample_pdf(f"{kind} Mei Ling")
        upload.name = f"{kind}.pdf"
        assert (
            client.post(
                reverse("financing:investor_document_upload"), {"kind": kind, "file": upload, **extra}
            ).status_code
            == 302
        )
    answer = client.post(reverse("financing:investor_kyc_submit"))

    assert answer.url == reverse("financing:investor_kyc")
    profile = InvestorProfile.objects.get(user=investor)
    assert (profile.kyc_status, profile.claims_professional, profile.is_professional) == (
        KycStatus.SUBMITTED,
        True,
        False,
    )
    page = client.get(reverse("financing:investor_dashboard")).content.decode()
    assert "awaiting KYC review" in page
    assert "Professional investor (claimed, not yet verified)" in client.get(answer.url).content.decode()


def test_bad_kyc_input_is_shown_again_and_saves_nothing(client, db):
    client.force_login(UserFactory(role=Role.INVESTOR))

    answer = client.post(
        reverse("financing:investor_kyc"),
        {"investor_type": "individual", "legal_name": "", "country": "XX", "declared_portfolio_hkd": "-5"},
    )

    assert answer.status_code == 400
    assert {"legal_name", "country", "id_document_number", "declared_portfolio_hkd"} <= set(
        answer.context["kyc_form"].errors
    )
    assert not InvestorProfile.objects.exists()


def test_investors_see_open_offerings_only(client, db):
    shown = offering_of()
    hidden = offering_of(status=OfferingStatus.READY)
    client.force_login(UserFactory(role=Role.INVESTOR))

    page = client.get(reverse("financing:offering_list"))

    assert list(page.context["offerings"]) == [shown]
    assert client.get(reverse("financing:offering_detail", args=[shown.pk])).status_code == 200
    assert client.get(reverse("financing:offering_detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("financing:offering_detail", args=[999999])).status_code == 404


def test_an_sme_sees_its_own_offering_but_not_anothers(client, db):
    own = offering_of()
    other = offering_of()
    client.force_login(own.application.company.representative)
    assert client.get(reverse("financing:offering_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("financing:offering_detail", args=[other.pk])).status_code == 404


def test_an_investor_without_approved_kyc_cannot_subscribe(client, db):
    offering = offering_of()
    client.force_login(UserFactory(role=Role.INVESTOR))

    answer = client.post(
        reverse("financing:offering_subscribe", args=[offering.pk]),
        {"units": "5", **accepted_versions(), "accept_risk": "on", "accept_agreement": "on"},
    )

    assert answer.status_code == 400
    assert "due diligence" in str(answer.context["subscribe_form"].non_field_errors())
    assert "due diligence" in answer.context["position"].reason
    assert b'name="units"' not in answer.content  # the reason instead of the form
    assert not Subscription.objects.exists()
    offering.refresh_from_db()
    assert offering.units_subscribed == 0


@pytest.mark.parametrize("units", ["0", "-3", "two", ""])
def test_subscribing_a_bad_number_of_units_is_shown_again(client, db, units):
    offering = offering_of()
    client.force_login(UserFactory(role=Role.INVESTOR))

    answer = client.post(reverse("financing:offering_subscribe", args=[offering.pk]), {"units": units})
    review = client.get(reverse("financing:offering_review", args=[offering.pk]), {"units": units})

    assert answer.status_code == review.status_code == 400
    assert "units" in answer.context["subscribe_form"].errors
    assert "units" in review.context["subscribe_form"].errors
    assert not Subscription.objects.exists()


def test_an_investor_cannot_withdraw_someone_elses_subscription(client, db):
    offering = offering_of()
    owner = UserFactory(role=Role.INVESTOR)
    subscription = Subscription.objects.create(
        offering=offering,
        investor=owner,
        units=5,
        amount=Decimal("5000"),
        status=SubscriptionStatus.ACTIVE,
        authorised_until=timezone.now(),
    )
    client.force_login(UserFactory(role=Role.INVESTOR))

    answer = client.post(reverse("financing:subscription_withdraw", args=[subscription.pk]))

    assert answer.status_code == 404
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE


# --- staff: the offering desk ---------------------------------------------------------------------


def test_staff_close_an_offering_below_its_minimum_and_it_is_cancelled(client, db):
    offering = offering_of()
    client.force_login(UserFactory(role=Role.OFFICER))
    manage = client.get(reverse("financing:offering_manage"))
    assert reverse("financing:offering_close", args=[offering.pk]).encode() in manage.content

    answer = client.post(reverse("financing:offering_close", args=[offering.pk]))

    assert answer.url == reverse("financing:offering_manage")
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.CANCELLED


def test_opening_an_offering_that_is_already_open_is_refused_and_changes_nothing(client, db):
    offering = offering_of()
    client.force_login(UserFactory(role=Role.OPERATOR))

    answer = client.post(reverse("financing:offering_open", args=[offering.pk]))

    assert answer.status_code == 400
    assert answer.context["action_form"].non_field_errors()
    offering.refresh_from_db()
    assert (offering.status, offering.opened_at) == (OfferingStatus.OPEN, None)


def test_staff_actions_on_a_missing_offering_are_404(client, db):
    client.force_login(UserFactory(role=Role.APPROVER))
    assert client.post(reverse("financing:offering_open", args=[999999])).status_code == 404
    assert client.post(reverse("financing:offering_close", args=[999999])).status_code == 404
    assert client.post(reverse("financing:allotment_retry", args=[999999])).status_code == 404


def test_the_offering_page_polls_while_settlement_runs(client, db):
    offering = offering_of(status=OfferingStatus.SETTLING)
    client.force_login(UserFactory(role=Role.OFFICER))
    page = client.get(reverse("financing:offering_detail", args=[offering.pk]))
    assert b'hx-trigger="every 2s"' in page.content

    partial = client.get(
        reverse("financing:offering_detail", args=[offering.pk]), headers={"HX-Request": "true"}
    )
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert b'id="offering-live"' in partial.content


# --- a whole round on the test chain -------------------------------------------------------------


def test_a_round_through_the_pages_settles_on_chain_and_shows_the_holding(client, platform):
    officer, operator = flows.officer(), flows.operator()
    company = flows.verified_company(by=officer)
    offering = flows.open_offering(company=company, by=officer, opener=operator, units=100, minimum_units=20)
    investor = flows.approved_investor(by=officer, funds=Decimal("50000"))

    client.force_login(company.representative)
    dashboard = client.get(reverse("issuers:dashboard"))
    assert dashboard.context["overview"].wallet_balance == Decimal("0")

    client.force_login(investor)
    too_many = client.get(reverse("financing:offering_review", args=[offering.pk]), {"units": "60"})
    assert too_many.status_code == 400
    assert "at most 50 units" in too_many.context["subscribe_form"].errors["units"][0]
    assert not Subscription.objects.exists()
    assert (
        client.get(reverse("financing:offering_review", args=[offering.pk]), {"units": "30"}).status_code
        == 200
    )
    subscribed = client.post(
        reverse("financing:offering_subscribe", args=[offering.pk]),
        {"units": "30", **accepted_versions(), "accept_risk": "on", "accept_agreement": "on"},
    )
    assert subscribed.url == reverse("financing:offering_detail", args=[offering.pk])

    client.force_login(operator)
    client.post(reverse("financing:offering_close", args=[offering.pk]), {"next": "detail"})
    staff_view = client.get(reverse("financing:offering_detail", args=[offering.pk]))
    assert staff_view.context["overview"].settled_units == 30

    client.force_login(investor)
    overview = client.get(reverse("financing:investor_dashboard")).context["overview"]
    assert overview.balance == Decimal("20000.00")
    assert [(h.offering, h.units, h.recorded_units) for h in overview.holdings] == [(offering, 30, 30)]
    assert not overview.in_motion

    client.force_login(company.representative)
    assert client.get(reverse("issuers:dashboard")).context["overview"].wallet_balance == Decimal("30000.00")


def test_staff_cancel_a_ready_offering_from_the_list_and_others_may_not(db, client):
    offering = offering_of(status=OfferingStatus.READY)
    client.force_login(UserFactory(role=Role.INVESTOR))
    assert client.post(f"/financing/offerings/{offering.pk}/cancel/", {"reason": "No"}).status_code == 403
    client.force_login(UserFactory(role=Role.OPERATOR))
    response = client.post(f"/financing/offerings/{offering.pk}/cancel/", {"reason": "Issuer withdrew"})
    assert response.status_code == 302
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.CANCELLED
    again = client.post(f"/financing/offerings/{offering.pk}/cancel/", {"reason": "Again"})
    assert again.status_code == 400
