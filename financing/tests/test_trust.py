"""Trust at irreversible steps: reference codes, cancelling with a reason the issuer and investors read."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.models import AuditEvent
from financing.agreements import accepted_versions
from financing.choices import OfferingStatus, SubscriptionStatus
from financing.models import Application, Offering, Subscription
from financing.services import offering_close, subscription_create
from financing.tests.test_views import offering_of
from tests import flows

REFERENCE = re.compile(r"^GBA-20\d\d-\d{4,}$")
REASON = "The issuer's auditor withdrew its opinion on the accounts"


def test_every_offering_and_application_gets_its_own_reference_that_never_changes(db):
    first, second = offering_of(), offering_of(instrument="loan")

    assert REFERENCE.match(first.reference)
    assert REFERENCE.match(second.reference)
    assert first.reference != second.reference
    assert re.match(r"^APP-20\d\d-\d{4,}$", first.application.reference)
    assert first.application.reference != second.application.reference
    before = first.reference
    first.units_subscribed = 5
    first.save()
    first.refresh_from_db()
    assert first.reference == before
    assert str(first) == f"{before} {first.application.title}"


def test_references_are_unique_in_the_database(db):
    from django.db import IntegrityError, transaction

    first, second = offering_of(), offering_of()
    with pytest.raises(IntegrityError), transaction.atomic():
        Offering.objects.filter(pk=second.pk).update(reference=first.reference)
    assert Offering.objects.get(pk=second.pk).reference != first.reference


def test_references_past_9999_keep_every_digit(db):
    """The number is padded to four digits, never cut to them: 10000 must not come out as 1000."""
    from django.db import connection

    from financing.references import OFFERING_SEQUENCE

    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(%s::regclass, 9998)", [OFFERING_SEQUENCE])
    made = [offering_of().reference for _ in range(3)]

    assert [reference.rsplit("-", 1)[1] for reference in made] == ["9999", "10000", "10001"]


def test_a_cancelled_offering_without_a_reason_is_refused_by_the_database(db):
    from django.db import IntegrityError, transaction

    offering = offering_of()
    with pytest.raises(IntegrityError), transaction.atomic():
        Offering.objects.filter(pk=offering.pk).update(status=OfferingStatus.CANCELLED)
    assert Offering.objects.get(pk=offering.pk).status == OfferingStatus.OPEN


@pytest.fixture
def subscribed_round(platform):
    """An open offering with one investor's subscription in escrow."""
    officer, operator = flows.officer(), flows.operator()
    company = flows.verified_company(by=officer)
    offering = flows.open_offering(company=company, by=officer, opener=operator, units=100, minimum_units=20)
    investor = flows.approved_investor(by=officer, funds=Decimal("50000"))
    subscription = subscription_create(
        user=investor, offering_id=offering.pk, units=20, **accepted_versions()
    )
    return operator, company, offering, investor, subscription


def _unchanged(offering: Offering, subscription: Subscription) -> None:
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.OPEN
    assert (offering.cancelled_at, offering.cancellation_reason, offering.cancelled_by) == (None, "", None)
    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.ACTIVE
    assert not AuditEvent.objects.filter(
        object_type="financing.offering", object_id=str(offering.pk), to_status=OfferingStatus.CANCELLED
    ).exists()


def test_cancelling_on_the_page_without_a_reason_is_refused_and_changes_nothing(subscribed_round, client):
    operator, _, offering, _, subscription = subscribed_round
    client.force_login(operator)
    url = reverse("financing:offering_cancel", args=[offering.pk])

    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert offering.reference in text
    assert offering.application.title in text
    assert "1 subscription is cancelled" in text
    assert "HK$20,000.00" in text
    assert 'data-confirm="' in text
    assert f"Cancel {offering.reference}" in text

    for blank in ({}, {"reason": "   "}):
        answer = client.post(url, blank)
        assert answer.status_code == 400
        assert "reason" in answer.context["form"].errors
        _unchanged(offering, subscription)


def test_cancelling_through_the_api_without_a_reason_is_refused_and_changes_nothing(subscribed_round, client):
    operator, _, offering, _, subscription = subscribed_round
    client.force_login(operator)
    url = f"/api/v1/offerings/{offering.pk}/cancel/"

    for body in ({}, {"reason": ""}, {"reason": "  "}):
        answer = client.post(url, body, content_type="application/json")
        assert answer.status_code == 400, answer.content
        assert "reason" in answer.json(), answer.json()
        _unchanged(offering, subscription)

    done = client.post(url, {"reason": REASON}, content_type="application/json")
    assert done.status_code == 200
    body = done.json()
    assert body["reference"] == offering.reference
    assert body["cancellation"]["reason"] == REASON
    assert body["cancellation"]["by"] == operator.full_name
    assert body["cancellation"]["by_role"] == Role.OPERATOR


def test_the_sme_and_the_subscribed_investor_see_who_cancelled_why_and_when(subscribed_round, client):
    operator, company, offering, investor, subscription = subscribed_round
    client.force_login(operator)
    answer = client.post(reverse("financing:offering_cancel", args=[offering.pk]), {"reason": REASON})
    assert answer.status_code == 302
    offering.refresh_from_db()
    assert (offering.status, offering.cancellation_reason, offering.cancelled_by) == (
        OfferingStatus.CANCELLED,
        REASON,
        operator,
    )
    when = timezone.localtime(offering.cancelled_at).strftime("%-d %b %Y")
    who = f"{operator.full_name} ({operator.get_role_display()})"

    client.force_login(company.representative)
    for url in (
        reverse("financing:application_detail", args=[offering.application_id]),
        reverse("financing:offering_detail", args=[offering.pk]),
        reverse("issuers:dashboard"),
    ):
        text = client.get(url).content.decode().replace("&#x27;", "'")
        for expected in (REASON, who, when):
            assert expected in text, (url, expected)

    client.force_login(investor)
    for url in (
        reverse("financing:investor_dashboard"),
        reverse("financing:offering_detail", args=[offering.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode().replace("&#x27;", "'")
        for expected in (REASON, who, when, offering.reference):
            assert expected in text, (url, expected)
    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.CANCELLED

    # An investor who never subscribed does not see the cancelled offering at all.
    client.force_login(flows.approved_investor(by=flows.officer()))
    assert client.get(reverse("financing:offering_detail", args=[offering.pk])).status_code == 404


def test_an_offering_below_its_minimum_at_close_says_the_platform_cancelled_it_and_why(subscribed_round):
    _, _, offering, _, _ = subscribed_round
    Offering.objects.filter(pk=offering.pk).update(minimum_units=50)

    offering_close(actor=None, offering_id=offering.pk)

    offering.refresh_from_db()
    assert offering.status == OfferingStatus.CANCELLED
    assert offering.cancelled_by is None
    assert offering.cancelled_at is not None
    assert offering.cancellation_reason == (
        "Minimum raise not reached: 20 of at least 50 units were subscribed."
    )


def test_lists_show_reference_codes_and_the_api_finds_an_offering_by_it(db, client):
    offering, other = offering_of(), offering_of()
    client.force_login(UserFactory(role=Role.OPERATOR))

    manage = client.get(reverse("financing:offering_manage")).content.decode()
    assert offering.reference in manage
    assert other.reference in manage

    found = client.get("/api/v1/offerings/", {"search": offering.reference.lower()}).json()
    assert [row["reference"] for row in found["results"]] == [offering.reference]
    number = offering.reference.rsplit("-", 1)[1]
    assert offering.reference in [
        row["reference"] for row in client.get("/api/v1/offerings/", {"search": number}).json()["results"]
    ]

    client.force_login(offering.application.company.representative)
    application = client.get(f"/api/v1/applications/{offering.application_id}/")
    assert application.json()["reference"] == Application.objects.get(pk=offering.application_id).reference
    dashboard = client.get(reverse("issuers:dashboard")).content.decode()
    assert offering.reference in dashboard
    assert offering.application.reference in dashboard


def test_confirmations_on_the_staff_pages_name_the_offering(db, client):
    ready, open_ = offering_of(status=OfferingStatus.READY), offering_of()
    client.force_login(UserFactory(role=Role.OPERATOR))
    page = client.get(reverse("financing:offering_manage")).content.decode()

    assert f'data-confirm-title="Open {ready.reference} · {ready.application.title}?"' in page
    assert f'data-confirm-title="Close {open_.reference} · {open_.application.title} now?"' in page
    # Cancelling is a page of its own that asks for the reason (no one-click cancel in the list).
    assert reverse("financing:offering_cancel", args=[open_.pk]) in page
    assert f'action="{reverse("financing:offering_cancel", args=[open_.pk])}"' not in page
