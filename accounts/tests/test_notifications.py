"""Notifications: every status change a user cares about reaches them under the bell and by email, once the
change commits; a rolled-back change tells nobody; many recipients cost a fixed number of queries; the
page, the bell and the API show only the user's own."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import NotificationKind, Role
from accounts.models import Notification, User
from accounts.notifications import notifications_email_send, notify
from accounts.tests.factories import UserFactory
from compliance.services import company_kyb_decide, investor_kyc_decide
from config.errors import ValidationFailed
from financing.choices import OfferingStatus, PaymentStatus
from financing.models import OfferingPayment
from financing.services import application_decide, offering_cancel, subscription_create
from financing.services.servicing import dividend_declare, payment_fund, servicing_run
from financing.services.transfers import investor_reference, transfer_cancel, transfer_create
from financing.tests.test_servicing_lifecycle import NOTICE, _sell, _settled
from tests import flows
from tokens.indexer.stream import chain_index_to_head


def _of(user: User, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("pk"))


def _mails_to(mailoutbox, user: User) -> list:
    return [m for m in mailoutbox if m.to == [user.email]]


@pytest.mark.django_db(transaction=True)
def test_notify_writes_one_row_per_recipient_and_emails_each_after_the_commit(mailoutbox) -> None:
    people = UserFactory.create_batch(3, role=Role.INVESTOR)
    with transaction.atomic():
        notify(
            [*people, people[0]],  # listed twice, told once
            kind=NotificationKind.OFFERING_CLOSED,
            title="Offering closed: %(offering)s",
            body="Units for %(name)s",
            link="/financing/investor/",
            params={"offering": "Lantau 5% Notes"},
            per_recipient={u.pk: {"name": u.full_name} for u in people},
        )
        assert not mailoutbox  # nothing leaves before the commit
    assert Notification.objects.count() == 3
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in people)
    mail = _mails_to(mailoutbox, people[1])[0]
    assert mail.subject == "Offering closed: Lantau 5% Notes"
    assert f"Units for {people[1].full_name}" in mail.body
    assert "http://localhost:8000/financing/investor/" in mail.body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert notifications_email_send() == 0  # the sweep finds nothing left to send: nobody gets it twice


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_notifies_nobody(mailoutbox) -> None:
    user = UserFactory(role=Role.SME)

    def change() -> None:
        with transaction.atomic():
            notify(user, kind=NotificationKind.KYB_DECIDED, title="Verified")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change()
    assert not Notification.objects.exists()
    assert not mailoutbox


@pytest.mark.django_db(transaction=True)
def test_a_thousand_recipients_cost_the_same_queries_as_ten(mailoutbox) -> None:
    few = UserFactory.create_batch(10, role=Role.INVESTOR)
    many = User.objects.bulk_create(
        [
            User(email=f"holder{i}@example.com", full_name=f"Holder {i}", role=Role.INVESTOR)
            for i in range(1000)
        ]
    )

    def queries(users: list[User]) -> int:
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            notify(users, kind=NotificationKind.OFFERING_CANCELLED, title="Cancelled")
        return len([q for q in captured.captured_queries if "notification" in q["sql"].lower()])

    assert (
        queries(many) <= queries(few) + 4
    )  # a 1,000-row insert goes in batches of 1,000, then the email marks
    assert Notification.objects.filter(kind=NotificationKind.OFFERING_CANCELLED).count() == 1010
    assert len(mailoutbox) == 1010


@pytest.mark.django_db(transaction=True)
def test_kyb_and_kyc_rejections_and_a_request_for_information_reach_the_applicant(mailoutbox) -> None:
    officer = flows.officer()
    company = flows.submitted_company(name="Sai Kung Sensors Limited")
    company_kyb_decide(actor=officer, company=company, approve=False, reason="The certificate is unreadable.")
    (kyb,) = _of(company.representative, NotificationKind.KYB_DECIDED)
    assert kyb.title == "Sai Kung Sensors Limited was not verified"
    assert "The certificate is unreadable." in kyb.body
    assert any(
        "The certificate is unreadable." in m.body for m in _mails_to(mailoutbox, company.representative)
    )

    profile = flows.submitted_investor()
    investor_kyc_decide(actor=officer, profile=profile, approve=False, reason="Proof of address is too old.")
    (kyc,) = _of(profile.user, NotificationKind.KYC_DECIDED)
    assert (kyc.title, kyc.link) == (
        "Your investor verification was not approved",
        reverse("financing:investor_kyc"),
    )
    assert "Proof of address is too old." in kyc.body

    other = flows.verified_company(by=officer, name="Tai Po Textiles Limited")
    request = flows.information_request(company=other, by=officer)
    (asked,) = _of(other.representative, NotificationKind.INFORMATION_REQUESTED)
    assert asked.link == reverse("requests:detail", kwargs={"pk": request.pk})
    assert "Send the renewed business registration certificate." in asked.body


@pytest.mark.django_db(transaction=True)
def test_a_refused_decision_notifies_nobody(mailoutbox) -> None:
    officer = flows.officer()
    company = flows.submitted_company(name="Sai Kung Sensors Limited")
    with pytest.raises(ValidationFailed):
        company_kyb_decide(actor=officer, company=company, approve=False, reason="  ")
    assert not Notification.objects.exists()
    assert not mailoutbox


@pytest.mark.journey
def test_a_round_tells_the_sme_and_its_investors_at_every_step(platform, mailoutbox) -> None:
    _officer, _operator, offering, first, second = flows.settled_round()
    sme = offering.application.company.representative
    assert [n.title for n in _of(sme, NotificationKind.KYB_DECIDED)] == [
        "Lantau Components Limited is verified"
    ]
    assert [n.title for n in _of(first, NotificationKind.KYC_DECIDED)] == [
        "Your investor verification is approved"
    ]
    assert [n.title for n in _of(sme, NotificationKind.APPLICATION_DECIDED)] == [
        "Application approved: Lantau 5% Notes"
    ]
    assert [n.title for n in _of(sme, NotificationKind.OFFERING_OPENED)] == ["Offering open: Lantau 5% Notes"]
    for user in (sme, first, second):
        assert [n.title for n in _of(user, NotificationKind.OFFERING_CLOSED)] == [
            "Offering closed: Lantau 5% Notes"
        ]
    (delivered,) = _of(first, NotificationKind.ALLOTMENT_SETTLED)
    assert delivered.title == "Units delivered: 60 of Lantau 5% Notes"
    assert "HKD 60,000.00 was paid from escrow" in delivered.body
    (delivered,) = _of(second, NotificationKind.ALLOTMENT_SETTLED)
    assert "40 units of Lantau 5% Notes" in delivered.body
    assert "HKD 40,000.00" in delivered.body
    assert [n.title for n in _of(sme, NotificationKind.OFFERING_SETTLED)] == [
        "Offering settled: Lantau 5% Notes"
    ]
    assert any(m.subject == "Units delivered: 60 of Lantau 5% Notes" for m in _mails_to(mailoutbox, first))
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.journey
def test_cancelling_an_offering_tells_the_sme_and_every_subscribed_investor_why(platform) -> None:
    officer, operator = flows.officer(), flows.operator()
    company = flows.verified_company(by=officer)
    offering = flows.open_offering(company=company, by=officer, opener=operator)
    investor = flows.approved_investor(by=officer, funds=Decimal("100000"))
    bystander = flows.approved_investor(by=officer)
    subscription_create(user=investor, offering_id=offering.pk, units=20, **flows.accepted_versions())
    offering_cancel(actor=operator, offering_id=offering.pk, reason="The issuer withdrew the programme.")
    for user in (company.representative, investor):
        (cancelled,) = _of(user, NotificationKind.OFFERING_CANCELLED)
        assert cancelled.title == "Offering cancelled: Lantau 5% Notes"
        assert "The issuer withdrew the programme." in cancelled.body
    assert not _of(bystander, NotificationKind.OFFERING_CANCELLED)
    offering.refresh_from_db()
    assert offering.status == OfferingStatus.CANCELLED


@pytest.mark.journey
def test_an_application_sent_back_tells_the_sme_why(platform) -> None:
    officer = flows.officer()
    company = flows.verified_company(by=officer)
    application = flows.submitted_application(company=company)
    application_decide(
        actor=officer, application_id=application.pk, decision="request_changes", reason="Lower the rate."
    )
    (sent_back,) = _of(company.representative, NotificationKind.APPLICATION_DECIDED)
    assert sent_back.title == "Changes requested: Lantau 5% Notes"
    assert "Lower the rate." in sent_back.body
    assert sent_back.link == reverse("financing:application_detail", kwargs={"pk": application.pk})


@pytest.mark.journey
def test_a_dividend_due_and_paid_tells_the_issuer_and_each_holder_their_amount(platform, mailoutbox) -> None:
    r = _settled("equity")
    today = date.today()
    record, pay = today + timedelta(days=20), today + timedelta(days=30)
    dividend = dividend_declare(
        actor=r.sme,
        offering_id=r.offering.pk,
        amount=Decimal("3333.33"),
        record_date=record,
        payment_date=pay,
        today=today,
    )
    servicing_run(today=pay - NOTICE)
    (due,) = _of(r.sme, NotificationKind.PAYMENT_DUE)
    assert due.title == f"Dividend 1 of Lantau equity due on {pay.isoformat()}"
    assert "HKD 3,333.33 for 100 units" in due.body
    assert any(m.subject == due.title for m in _mails_to(mailoutbox, r.sme))
    payment_fund(actor=r.sme, payment_id=dividend.pk, amount=Decimal("3333.33"), today=pay - NOTICE)
    servicing_run(today=record)
    servicing_run(today=pay)
    assert OfferingPayment.objects.get(pk=dividend.pk).status == PaymentStatus.CLOSED
    (received,) = _of(r.first, NotificationKind.PAYMENT_RECEIVED)
    assert received.title == "Payment received: Dividend 1 of Lantau equity"
    assert received.body == "HKD 1,999.998 for your 60 units of Lantau equity is in your wallet."
    (received,) = _of(r.second, NotificationKind.PAYMENT_RECEIVED)
    assert received.body.startswith("HKD 1,333.332 for your 40 units")
    (paid,) = _of(r.sme, NotificationKind.PAYMENT_RECEIVED)
    assert paid.title == "Paid to holders: Dividend 1 of Lantau equity"


@pytest.mark.journey
def test_a_sale_tells_the_buyer_of_the_offer_and_the_parties_of_its_outcome(platform) -> None:
    _officer, _operator, offering, first, second = flows.settled_round()
    chain_index_to_head()
    sale = transfer_create(
        user=first,
        offering_id=offering.pk,
        units=2,
        recipient_reference=investor_reference(flows.profile_of(second)),
        price=Decimal("2100.00"),
    )
    (offered,) = _of(second, NotificationKind.TRANSFER_OFFERED)
    assert offered.title == f"{first.full_name} offers you units of Lantau 5% Notes"
    assert offered.body.startswith("Units: 2, price HKD 2,100.00.")
    assert not _of(first, NotificationKind.TRANSFER_OFFERED)

    transfer_cancel(user=second, transfer_id=sale.pk)
    (ended,) = _of(first, NotificationKind.TRANSFER_ENDED)
    assert ended.body == "Units: 2. Nothing moved. The buyer cancelled it."
    assert not _of(second, NotificationKind.TRANSFER_ENDED)  # who cancelled knows

    _sell(offering, first, second, 1, Decimal("1000.00"))
    for user in (first, second):
        (done,) = _of(user, NotificationKind.TRANSFER_COMPLETED)
        assert done.title == "Transfer completed: Lantau 5% Notes"
        assert done.body == f"Units: 1, from {first.full_name} to {second.full_name}, price HKD 1,000.00."


@pytest.mark.django_db
def test_the_page_the_bell_and_marking_read_show_only_the_users_own(client) -> None:
    me, other = UserFactory(role=Role.INVESTOR), UserFactory(role=Role.INVESTOR)
    mine = notify(me, kind=NotificationKind.KYC_DECIDED, title="Mine", link="/financing/investor/")
    notify(me, kind=NotificationKind.OFFERING_CLOSED, title="Mine too")
    (theirs,) = notify(other, kind=NotificationKind.KYC_DECIDED, title="Theirs")
    client.force_login(me)

    bell = client.get(reverse("accounts:notifications_bell"))
    assert 'aria-label="Notifications: 2 unread"' in bell.content.decode()
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert "Mine" in page
    assert "Mine too" in page
    assert "Theirs" not in page

    refused = client.post(reverse("accounts:notification_read", args=[theirs.pk]))
    assert refused.status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None  # nothing changed

    opened = client.post(reverse("accounts:notification_read", args=[mine[0].pk]), {"open": "1"})
    assert (opened.status_code, opened["Location"]) == (302, "/financing/investor/")
    assert (
        'aria-label="Notifications: 1 unread"'
        in client.get(reverse("accounts:notifications_bell")).content.decode()
    )
    client.post(reverse("accounts:notifications_read_all"))
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert "none unread" in client.get(reverse("accounts:notifications_bell")).content.decode()


@pytest.mark.django_db
def test_the_api_lists_filters_and_marks_the_users_own(client) -> None:
    me, other = UserFactory(role=Role.SME), UserFactory(role=Role.SME)
    first = notify(me, kind=NotificationKind.KYB_DECIDED, title="First")[0]
    notify(me, kind=NotificationKind.APPLICATION_DECIDED, title="Second")
    (theirs,) = notify(other, kind=NotificationKind.KYB_DECIDED, title="Theirs")
    client.force_login(me)
    listed = client.get("/api/v1/notifications/").json()
    assert [n["title"] for n in listed["results"]] == ["Second", "First"]
    assert listed["count"] == 2
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    read = client.post(f"/api/v1/notifications/{first.pk}/read/").json()
    assert read["read_at"] is not None
    unread = client.get("/api/v1/notifications/?unread=true").json()
    assert [n["title"] for n in unread["results"]] == ["Second"]
    assert client.get("/api/v1/notifications/?unread=maybe").status_code == 400
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1, "unread": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
