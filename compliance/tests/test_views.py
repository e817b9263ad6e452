"""Pages of compliance: the queue, KYB / KYC / application decisions and the audit trail."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.audit import audit_chain_verify, audit_record
from compliance.cases.services import case_open
from compliance.choices import KycStatus
from compliance.models import AuditCheckpoint, AuditEvent, InvestorProfile
from financing.choices import ApplicationStatus, OfferingStatus
from financing.models import Offering
from financing.tests.test_views import bond_application, offering_of, verified_company
from issuers.choices import KybStatus
from issuers.tests.factories import CompanyFactory
from tests import flows

COMPLIANCE = [Role.OFFICER, Role.APPROVER]


def case_url(subject) -> str:
    """The page of the subject's open case (opened as its submission would)."""
    return reverse("compliance:case", args=[case_open(subject=subject).pk])


def submitted_investor() -> InvestorProfile:
    return InvestorProfile.objects.create(
        user=UserFactory(role=Role.INVESTOR),
        investor_type="individual",
        legal_name="Ivy Wong",
        country="HK",
        id_document_number="A123",
        declared_portfolio_hkd=Decimal("9000000"),
        claims_professional=True,
        kyc_status=KycStatus.SUBMITTED,
    )


@pytest.mark.parametrize("name", ["compliance:queue", "compliance:audit"])
def test_compliance_pages_are_for_compliance_staff_only(client, db, name):
    assert client.get(reverse(name)).url.startswith(reverse("accounts:login"))
    for role in Role:
        client.force_login(UserFactory(role=role))
        assert client.get(reverse(name)).status_code == (200 if role in COMPLIANCE else 403), role


def test_review_pages_are_for_compliance_staff_only(client, db):
    company = CompanyFactory(kyb_status=KybStatus.SUBMITTED)
    urls = [
        reverse("compliance:kyb_review", args=[company.pk]),
        reverse("compliance:kyc_review", args=[submitted_investor().pk]),
        reverse("compliance:application_review", args=[bond_application(verified_company(), "submitted").pk]),
    ]
    for role in Role:
        client.force_login(UserFactory(role=role))
        for url in urls:
            assert client.get(url).status_code == (200 if role in COMPLIANCE else 403), (role, url)


def test_the_queue_lists_the_cases_of_every_kind_with_their_counts(client, db):
    company = CompanyFactory(kyb_status=KybStatus.SUBMITTED)
    profile = submitted_investor()
    application = bond_application(verified_company(), ApplicationStatus.SUBMITTED)
    cases = [case_open(subject=subject) for subject in (company, profile, application)]
    client.force_login(UserFactory(role=Role.OFFICER))
    page = client.get(reverse("compliance:queue"))
    assert list(page.context["page"].object_list) == cases
    counts = {tab["label"]: tab["count"] for tab in page.context["tabs"]}
    assert counts == {"All kinds": 3, "Company (KYB)": 1, "Investor (KYC)": 1, "Application": 1, "Alert": 0}


def test_an_api_only_officer_lists_the_same_queue(client, db):
    company = CompanyFactory(kyb_status=KybStatus.SUBMITTED)
    profile = submitted_investor()
    application = bond_application(verified_company(), ApplicationStatus.SUBMITTED)
    client.force_login(UserFactory(role=Role.APPROVER))

    queue = client.get("/api/v1/compliance/queue/").json()

    assert [c["id"] for c in queue["companies"]] == [company.pk]
    assert [i["id"] for i in queue["investors"]] == [profile.pk]
    assert [a["id"] for a in queue["applications"]] == [application.pk]
    assert queue["stuck_investors"] == []
    client.force_login(UserFactory(role=Role.OPERATOR))
    assert client.get("/api/v1/compliance/queue/").status_code == 403


def test_missing_cases_are_404(client, db):
    client.force_login(UserFactory(role=Role.APPROVER))
    for name in ("kyb_review", "kyc_review", "application_review", "case"):
        assert client.get(reverse(f"compliance:{name}", args=[999999])).status_code == 404
    draft = bond_application(verified_company())  # drafts are not visible to compliance
    assert client.get(reverse("compliance:application_review", args=[draft.pk])).status_code == 404


def test_an_officer_verifies_a_company(client, db):
    company = CompanyFactory(kyb_status=KybStatus.SUBMITTED)
    client.force_login(UserFactory(role=Role.OFFICER))
    url = case_url(company)
    answer = client.post(url, {"decision": "approve", "reason": ""})
    assert answer.url == url
    company.refresh_from_db()
    assert company.kyb_status == KybStatus.VERIFIED
    assert company.wallet is not None


@pytest.mark.parametrize("data", [{"decision": "reject", "reason": "  "}, {"decision": "maybe"}, {}])
def test_a_bad_kyb_decision_is_shown_again_and_changes_nothing(client, db, data):
    company = CompanyFactory(kyb_status=KybStatus.SUBMITTED)
    client.force_login(UserFactory(role=Role.OFFICER))
    url = case_url(company)
    events = AuditEvent.objects.count()
    answer = client.post(url, data)
    assert answer.status_code == 400
    assert answer.context["decision_form"].errors
    company.refresh_from_db()
    assert (company.kyb_status, company.wallet) == (KybStatus.SUBMITTED, None)
    assert AuditEvent.objects.count() == events


def test_an_investor_is_rejected_with_a_reason_and_not_without(client, db):
    profile = submitted_investor()
    client.force_login(UserFactory(role=Role.APPROVER))
    url = case_url(profile)

    refused = client.post(url, {"decision": "reject", "reason": ""})
    assert refused.status_code == 400
    assert "reason" in refused.context["decision_form"].errors
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.SUBMITTED

    client.post(url, {"decision": "reject", "reason": "The document has expired."})
    profile.refresh_from_db()
    assert (profile.kyc_status, profile.decision_reason) == (KycStatus.REJECTED, "The document has expired.")


def test_changes_are_requested_with_a_reason_and_not_without(client, db):
    application = bond_application(verified_company(), ApplicationStatus.SUBMITTED)
    client.force_login(UserFactory(role=Role.OFFICER))
    url = case_url(application)
    assert client.get(url).context["decision_form"]["professional_investors_only"].initial is True

    refused = client.post(url, {"decision": "request_changes", "reason": ""})
    assert refused.status_code == 400
    assert "reason" in refused.context["decision_form"].errors
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    client.post(url, {"decision": "request_changes", "reason": "Shorten the tenor."})
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == (
        ApplicationStatus.CHANGES_REQUESTED,
        "Shorten the tenor.",
    )


def test_approving_with_a_closing_time_in_the_past_is_refused(client, db):
    application = bond_application(verified_company(), ApplicationStatus.SUBMITTED)
    client.force_login(UserFactory(role=Role.OFFICER))
    past = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post(
        case_url(application),
        {"decision": "approve", "closes_at": past, "professional_investors_only": "on"},
    )
    assert answer.status_code == 400
    assert "closes_at" in answer.context["decision_form"].errors
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Offering.objects.exists()


def test_approving_creates_the_offering_and_deploys_its_token(client, platform):
    officer = flows.officer()
    company = flows.verified_company(by=officer)
    application = bond_application(company, ApplicationStatus.SUBMITTED)
    client.force_login(officer)
    closes = timezone.localtime(timezone.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")

    url = case_url(application)
    answer = client.post(
        url,
        {"decision": "approve", "reason": "Fine.", "closes_at": closes, "arranger_id": flows.arranger().pk},
    )

    assert answer.url == url
    offering = Offering.objects.get(application=application)
    assert offering.professional_investors_only is False
    assert offering.status == OfferingStatus.READY
    assert offering.token.address


def test_approving_an_investor_registers_the_wallet_on_chain(client, platform):
    officer = flows.officer()
    profile = submitted_investor()
    client.force_login(officer)
    client.post(case_url(profile), {"decision": "approve", "reason": ""})
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.APPROVED
    assert profile.can_subscribe


def test_the_audit_trail_pages_newest_first_and_reports_the_last_verification(client, db):
    company = CompanyFactory(kyb_status=KybStatus.SUBMITTED)
    officer = UserFactory(role=Role.OFFICER)
    client.force_login(officer)
    client.post(case_url(company), {"decision": "reject", "reason": "No."})
    page = client.get(reverse("compliance:audit"))
    assert b"Not verified yet." in page.content

    audit_chain_verify()
    page = client.get(reverse("compliance:audit"))
    assert page.context["broken_at"] is None
    assert b"The hash chain is intact" in page.content
    events = list(page.context["page"].object_list)
    assert events[0].pk == AuditEvent.objects.latest("pk").pk


def test_a_tampered_audit_trail_is_reported_once_verified(client, db):
    company = CompanyFactory(kyb_status=KybStatus.SUBMITTED)
    client.force_login(UserFactory(role=Role.OFFICER))
    client.post(case_url(company), {"decision": "reject", "reason": "No."})
    first = AuditEvent.objects.order_by("pk").first()
    AuditEvent.objects.filter(pk=first.pk).update(reason="rewritten")

    verified = client.post(reverse("compliance:audit_verify"), follow=True)

    assert b"broken at entry #" in verified.content
    page = client.get(reverse("compliance:audit"))
    assert page.context["broken_at"] == first.pk
    assert b"The hash chain is broken" in page.content


def test_the_audit_page_reads_the_checkpoint_instead_of_rewalking_the_trail(
    client, db, django_assert_max_num_queries
):
    company = verified_company()
    offering = offering_of(company)
    objects = [company, offering.application, offering, submitted_investor()]
    client.force_login(UserFactory(role=Role.OFFICER))
    client.get(reverse("compliance:audit"))  # the session's first answer also records it on the sessions list
    counts = []
    for count in (len(objects), 300):  # every kind of object on the page both times
        while AuditEvent.objects.count() < count:
            audit_record(actor=None, action="step", obj=objects[AuditEvent.objects.count() % len(objects)])
        audit_chain_verify()
        # Session (read, and its activity stamp saved), user, their authenticator, the checkpoint, entries
        # after it, the page count, the page's entries and one read per kind of object named (for its
        # label and link): the same number at 4 entries and at 300.
        with django_assert_max_num_queries(10 + len(objects)) as captured:
            page = client.get(reverse("compliance:audit"))
        assert b"The hash chain is intact" in page.content
        assert f"application #{offering.application.pk} &#x27;{offering.application.title}&#x27;" in (
            page.content.decode()
        )
        reads = [q["sql"] for q in captured.captured_queries if 'FROM "compliance_auditevent"' in q["sql"]]
        assert all("LIMIT" in sql or "COUNT(" in sql for sql in reads), reads  # never the whole trail
        counts.append(sum(q["sql"].startswith("SELECT") for q in captured.captured_queries))
    assert counts[0] == counts[1]  # reads (the session's activity stamp is saved at most once a minute)


def test_the_audit_api_reports_the_last_verification_without_running_one(client, db):
    company = CompanyFactory()
    events = [audit_record(actor=None, action=f"step{n}", obj=company) for n in range(2)]
    client.force_login(UserFactory(role=Role.OPERATOR))

    before = client.get("/api/v1/audit/verify/").json()
    audit_chain_verify()
    after = client.get("/api/v1/audit/verify/").json()

    assert (before["intact"], before["unverified_events"], before["verified_through_event"]) == (None, 2, 0)
    assert (after["intact"], after["unverified_events"], after["verified_through_event"]) == (
        True,
        0,
        events[-1].pk,
    )
    assert after["first_broken_event"] is None


def test_only_compliance_staff_verify_the_audit_trail(client, db):
    client.force_login(UserFactory(role=Role.INVESTOR))
    assert client.post(reverse("compliance:audit_verify")).status_code == 403
    assert not AuditCheckpoint.objects.exists()


def test_an_officer_takes_a_submitted_application_into_review(db, client):
    from accounts.choices import Role
    from accounts.tests.factories import UserFactory
    from compliance.models import AuditEvent
    from financing.choices import ApplicationStatus
    from financing.models import Application

    application = bond_application(verified_company(), status=ApplicationStatus.SUBMITTED)
    officer = UserFactory(role=Role.OFFICER)
    client.force_login(officer)

    response = client.post(f"/compliance/applications/{application.pk}/review/")

    assert response.status_code == 302
    application = Application.objects.get(pk=application.pk)
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.reviewed_by == officer
    assert AuditEvent.objects.filter(to_status="under_review").exists()
    page = client.get(f"/compliance/applications/{application.pk}/", follow=True)  # to its case
    assert f"Under review by {officer.full_name}" in page.content.decode()
