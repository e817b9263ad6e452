"""Pages of financing: bond applications (SME), offerings and subscriptions (investors), the offering desk."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.choices import KycStatus
from compliance.models import InvestorProfile
from financing.choices import ApplicationStatus, OfferingStatus, SubscriptionStatus
from financing.models import Application, BondTerms, Offering, Subscription
from issuers.choices import KybStatus
from issuers.models import Company
from issuers.tests.factories import CompanyFactory
from tests import flows
from tokens.choices import WalletKind
from tokens.services import wallet_create

STAFF = [Role.OFFICER, Role.APPROVER, Role.OPERATOR]


# --- chain-free set-ups (rows written directly; the services are tested on their own) -----------


def verified_company(**fields) -> Company:
    """A KYB-verified company with its custodial wallet (creating a wallet needs no chain)."""
    wallet = wallet_create(kind=WalletKind.ISSUER, label="issuer")
    return CompanyFactory(kyb_status=KybStatus.VERIFIED, wallet=wallet, **fields)


def bond_application(company: Company, status: str = ApplicationStatus.DRAFT) -> Application:
    application = Application.objects.create(
        company=company,
        instrument="bond",
        title="Harbour 5% Notes 2028",
        target_amount=Decimal("100000.00"),
        minimum_amount=Decimal("20000.00"),
        use_of_proceeds="Working capital",
        status=status,
        submitted_at=None if status == ApplicationStatus.DRAFT else timezone.now(),
    )
    issue = date.today() + timedelta(days=10)
    BondTerms.objects.create(
        application=application,
        face_value=Decimal("1000.00"),
        coupon_rate=Decimal("0.05"),
        coupon_frequency="semiannual",
        issue_date=issue,
        maturity_date=issue.replace(year=issue.year + 2),
    )
    return application


def offering_of(company: Company | None = None, status: str = OfferingStatus.OPEN) -> Offering:
    application = bond_application(company or verified_company(), ApplicationStatus.APPROVED)
    return Offering.objects.create(
        application=application,
        status=status,
        currency="HKD",
        unit_price=Decimal("1000.00"),
        units_offered=100,
        minimum_units=20,
        subscription_cap_units=300,
        closes_at=timezone.now() + timedelta(days=7),
    )


def application_post(**changes) -> dict[str, str]:
    issue = date.today() + timedelta(days=30)
    data = {
        "title": "Harbour 6.5% Notes 2029",
        "currency": "HKD",
        "target_amount": "500000.00",
        "minimum_amount": "100000.00",
        "face_value": "1000.00",
        "coupon_rate": "6.5",
        "coupon_frequency": "semiannual",
        "issue_date": issue.isoformat(),
        "maturity_date": issue.replace(year=issue.year + 3).isoformat(),
        "use_of_proceeds": "A new production line.",
    }
    data.update(changes)
    return data


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


def test_a_verified_sme_saves_a_bond_application_with_the_coupon_as_a_fraction(client, db):
    company = verified_company()
    client.force_login(company.representative)

    answer = client.post(reverse("financing:application_new"), application_post())

    application = Application.objects.get()
    assert answer.url == reverse("financing:application_detail", args=[application.pk])
    assert application.bond_terms.coupon_rate == Decimal("0.065")
    assert application.status == ApplicationStatus.DRAFT
    page = client.get(answer.url)
    assert b"6.5%" in page.content
    assert b"schedule-data" in page.content


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"coupon_rate": "150"}, "coupon_rate"),
        ({"minimum_amount": "900000.00"}, "minimum_amount"),  # refused by the service
        ({"target_amount": "500500.00", "face_value": "1000.00"}, "target_amount"),  # not whole units
        ({"maturity_date": date.today().isoformat()}, "maturity_date"),
    ],
)
def test_bad_application_input_is_shown_again_and_saves_nothing(client, db, changes, field):
    company = verified_company()
    client.force_login(company.representative)

    answer = client.post(reverse("financing:application_new"), application_post(**changes))

    assert answer.status_code == 400
    assert field in answer.context["form"].errors
    assert not Application.objects.exists()
    assert not BondTerms.objects.exists()


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
    assert client.get(edit).context["form"].initial["coupon_rate"] == Decimal("5")

    client.post(edit, application_post(title="Renamed notes", coupon_rate="4.25"))
    application.refresh_from_db()
    assert application.title == "Renamed notes"
    assert application.bond_terms.coupon_rate == Decimal("0.0425")

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


# --- investors ------------------------------------------------------------------------------------


def test_a_new_investor_sees_the_kyc_form_and_submits_it(client, db):
    investor = UserFactory(role=Role.INVESTOR)
    client.force_login(investor)
    assert "kyc_form" in client.get(reverse("financing:investor_dashboard")).context

    answer = client.post(
        reverse("financing:investor_kyc"),
        {
            "investor_type": "individual",
            "legal_name": "Mei Ling",
            "country": "HK",
            "id_document_number": "A1234567",
            "declared_portfolio_hkd": "9000000",
        },
    )

    assert answer.url == reverse("financing:investor_dashboard")
    profile = InvestorProfile.objects.get(user=investor)
    assert (profile.kyc_status, profile.is_professional) == (KycStatus.SUBMITTED, True)
    assert b"awaiting KYC review" in client.get(answer.url).content


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

    answer = client.post(reverse("financing:offering_subscribe", args=[offering.pk]), {"units": "5"})

    assert answer.status_code == 400
    assert "due diligence" in str(answer.context["subscribe_form"].non_field_errors())
    assert not Subscription.objects.exists()
    offering.refresh_from_db()
    assert offering.units_subscribed == 0


@pytest.mark.parametrize("units", ["0", "-3", "two", ""])
def test_subscribing_a_bad_number_of_units_is_shown_again(client, db, units):
    offering = offering_of()
    client.force_login(UserFactory(role=Role.INVESTOR))

    answer = client.post(reverse("financing:offering_subscribe", args=[offering.pk]), {"units": units})

    assert answer.status_code == 400
    assert "units" in answer.context["subscribe_form"].errors
    assert not Subscription.objects.exists()


def test_an_investor_cannot_withdraw_someone_elses_subscription(client, db):
    offering = offering_of()
    owner = UserFactory(role=Role.INVESTOR)
    subscription = Subscription.objects.create(
        offering=offering, investor=owner, units=5, amount=Decimal("5000")
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
    offering = offering_of(status=OfferingStatus.CLOSED)
    client.force_login(UserFactory(role=Role.OFFICER))
    page = client.get(reverse("financing:offering_detail", args=[offering.pk]))
    assert b'hx-trigger="every 3s"' in page.content

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
    too_many = client.post(reverse("financing:offering_subscribe", args=[offering.pk]), {"units": "60"})
    assert too_many.status_code == 400
    assert "Not enough HKD" in too_many.context["subscribe_form"].errors["units"][0]
    assert not Subscription.objects.exists()
    subscribed = client.post(reverse("financing:offering_subscribe", args=[offering.pk]), {"units": "30"})
    assert subscribed.url == reverse("financing:offering_detail", args=[offering.pk])

    client.force_login(operator)
    client.post(reverse("financing:offering_close", args=[offering.pk]), {"next": "detail"})
    staff_view = client.get(reverse("financing:offering_detail", args=[offering.pk]))
    assert staff_view.context["overview"].settled_units == 30

    client.force_login(investor)
    overview = client.get(reverse("financing:investor_dashboard")).context["overview"]
    assert overview.balance == Decimal("20000.00")
    assert [(h.offering, h.units) for h in overview.holdings] == [(offering, 30)]
    assert not overview.in_motion

    client.force_login(company.representative)
    assert client.get(reverse("issuers:dashboard")).context["overview"].wallet_balance == Decimal("30000.00")
