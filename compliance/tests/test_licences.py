"""The licence register: CE numbers, licences and their state, the arranger an approval needs, the daily
re-check's alert and what confirming it does to the offering."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.cases.choices import AlertKind, CaseKind, CaseStatus, Decision, Outcome
from compliance.cases.evidence import CheckStatus, case_checks
from compliance.cases.models import Case
from compliance.licences.choices import LicenceKind, LicenceState, Suspension
from compliance.licences.selectors import arranger_choices, licence_status
from compliance.licences.services import (
    intermediary_create,
    intermediary_update,
    licence_create,
    licence_suspend,
    licence_update,
    licences_recheck,
)
from compliance.models import AuditEvent, Intermediary, Licence
from compliance.services import case_decide
from compliance.tests.factories import LicenceFactory, licensed_arranger
from config.errors import Conflict, PermissionDenied, ValidationFailed
from financing.agreements import accepted_versions
from financing.choices import ApplicationStatus
from financing.models import Application, Offering, Subscription
from financing.services import (
    application_decide,
    offering_arranger_replace,
    subscription_create,
)
from tests import flows

TODAY = date(2026, 6, 1)


def officer(name: str = "Oscar Officer"):
    return UserFactory(role=Role.OFFICER, full_name=name)


def approver(name: str = "Ada Approver"):
    return UserFactory(role=Role.APPROVER, full_name=name)


# --- CE numbers and the register -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("ABC123", "ABC123"), ("AAA001", "AAA001"), ("bhs 001", "BHS001"), ("AXQZZZ", "AXQZZZ")],
)
def test_a_ce_number_is_three_letters_then_three_letters_or_digits(db, typed, stored):
    intermediary = intermediary_create(
        actor=officer(), name="Harbour Securities", ce_number=typed, roles=["arranger"]
    )
    assert intermediary.ce_number == stored
    event = AuditEvent.objects.get(action="intermediary_created")
    assert event.data["ce_number"] == stored


@pytest.mark.parametrize(
    "typed", ["AB1234", "ABC12", "ABC1234", "123ABC", "A1C123", "ÀBC123", "ABC12\uff13", ""]
)
def test_a_malformed_ce_number_is_refused_and_nothing_is_stored(db, typed):
    with pytest.raises(ValidationFailed) as refused:
        intermediary_create(actor=officer(), name="Harbour Securities", ce_number=typed, roles=["arranger"])
    assert "three letters" in refused.value.fields["ce_number"][0]
    assert not Intermediary.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_ce_number_is_on_the_register_once(db):
    intermediary_create(actor=officer(), name="Harbour Securities", ce_number="ABC123", roles=["arranger"])
    with pytest.raises(ValidationFailed) as refused:
        intermediary_create(actor=officer(), name="Other Firm", ce_number="abc123", roles=["custodian"])
    assert "Harbour Securities is already on the register" in refused.value.fields["ce_number"][0]
    assert Intermediary.objects.count() == 1


def test_roles_are_required_and_only_compliance_keeps_the_register(db):
    with pytest.raises(ValidationFailed) as refused:
        intermediary_create(actor=officer(), name="Harbour Securities", ce_number="ABC123", roles=[])
    assert "roles" in refused.value.fields
    for role in (Role.OPERATOR, Role.SME, Role.INVESTOR):
        with pytest.raises(PermissionDenied):
            intermediary_create(
                actor=UserFactory(role=role), name="Harbour", ce_number="ABC123", roles=["arranger"]
            )
    assert not Intermediary.objects.exists()


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"kind": LicenceKind.LICENSED_CORPORATION, "activities": []}, "activities"),
        ({"kind": LicenceKind.LICENSED_CORPORATION, "activities": [1, 7]}, "activities"),
        ({"kind": "bank", "activities": [1]}, "kind"),
        ({"activities": [1], "valid_until": date(2019, 12, 31)}, "valid_until"),
        ({"activities": [1], "conditions": "PI only\u202e"}, "conditions"),
    ],
)
def test_a_licence_that_breaks_a_rule_is_refused_and_nothing_is_stored(db, given, field):
    arranger = Intermediary.objects.create(name="Harbour", ce_number="ABC123", roles=["arranger"])
    values = {"kind": LicenceKind.LICENSED_CORPORATION, "valid_from": date(2020, 1, 1), **given}
    with pytest.raises(ValidationFailed) as refused:
        licence_create(actor=officer(), intermediary_id=arranger.pk, **values)
    assert field in refused.value.fields
    assert not Licence.objects.exists()


def test_licence_changes_are_audited_with_what_changed(db):
    oscar = officer()
    arranger = intermediary_create(actor=oscar, name="Harbour", ce_number="ABC123", roles=["arranger"])
    licence = licence_create(
        actor=oscar,
        intermediary_id=arranger.pk,
        kind=LicenceKind.VATP,
        activities=[],
        valid_from=date(2024, 6, 1),
        valid_until=date(2026, 5, 31),
    )
    licence_update(actor=oscar, licence_id=licence.pk, valid_until=date(2028, 5, 31))
    intermediary_update(actor=oscar, intermediary_id=arranger.pk, roles=["arranger", "custodian"])
    licence_suspend(
        actor=oscar, licence_id=licence.pk, suspension=Suspension.SUSPENDED, reason="SFC notice 12/2026"
    )
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == [
        "intermediary_created",
        "licence_created",
        "licence_updated",
        "intermediary_updated",
        "licence_suspended",
    ]
    renewal = AuditEvent.objects.get(action="licence_updated")
    assert renewal.data == {"valid_until": ["2026-05-31", "2028-05-31"]}
    suspension = AuditEvent.objects.get(action="licence_suspended")
    assert (suspension.to_status, suspension.reason, suspension.actor) == (
        "suspended",
        "SFC notice 12/2026",
        oscar,
    )
    with pytest.raises(Conflict):
        licence_suspend(actor=oscar, licence_id=licence.pk, suspension=Suspension.SUSPENDED, reason="again")
    with pytest.raises(ValidationFailed):
        licence_suspend(actor=oscar, licence_id=licence.pk, suspension=Suspension.REVOKED, reason=" ")


@override_settings(COMPLIANCE_LICENCE_LAPSE_WARNING_DAYS=30)
@pytest.mark.parametrize(
    ("fields", "state", "text"),
    [
        ({}, LicenceState.VALID, "valid, open-ended"),
        ({"valid_until": date(2027, 1, 1)}, LicenceState.VALID, "valid until 01 Jan 2027"),
        ({"valid_until": date(2026, 6, 13)}, LicenceState.LAPSING, "lapses in 12 days"),
        ({"valid_until": date(2026, 6, 1)}, LicenceState.LAPSING, "lapses today"),
        ({"valid_until": date(2026, 5, 31)}, LicenceState.LAPSED, "lapsed on 31 May 2026"),
        ({"valid_from": date(2026, 7, 1)}, LicenceState.NOT_YET_VALID, "valid from 01 Jul 2026"),
    ],
)
def test_a_licence_state_reads_in_words(db, fields, state, text):
    licence = LicenceFactory(**fields)
    assert (licence_status(licence, on=TODAY).state, licence_status(licence, on=TODAY).text) == (state, text)


# --- The arranger an approval needs ----------------------------------------------------------------


@pytest.fixture
def submitted(request):
    """A verified company's bond application, waiting for compliance (low risk: one officer decides)."""
    if "platform" not in request.fixturenames:
        request.getfixturevalue("db")
    return flows.submitted_application(company=flows.verified_company(by=officer("Olga Officer")))


def _unsuitable():
    yesterday = timezone.localdate() - timedelta(days=1)
    return {
        "lapsed": licensed_arranger(valid_until=yesterday),
        "suspended": licensed_arranger(
            suspended_at=timezone.now(), suspension=Suspension.SUSPENDED, suspension_reason="SFC notice"
        ),
        "not yet valid": licensed_arranger(valid_from=timezone.localdate() + timedelta(days=3)),
        "advising only": licensed_arranger(activities=[4, 6, 9]),
        "not an arranger": licensed_arranger(intermediary__roles=["custodian"]),
        "no licence": Intermediary.objects.create(name="Unlicensed", ce_number="ZZZ999", roles=["arranger"]),
    }


WHY = {
    "lapsed": "holds no licence in force",
    "suspended": "holds no licence in force",
    "not yet valid": "holds no licence in force",
    "advising only": "does not cover type 1",
    "not an arranger": "not on the register as an arranger",
    "no licence": "holds no licence on the register",
}


def _approve(application, arranger_id=None, **options):
    return application_decide(
        actor=officer(), application_id=application.pk, decision="approve", arranger_id=arranger_id, **options
    )


def _assert_nothing_changed(application, events_before):
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.arranger is None
    assert not Offering.objects.filter(application=application).exists()
    assert Case.objects.get(application=application, kind=CaseKind.APPLICATION).status == CaseStatus.OPEN
    assert AuditEvent.objects.count() == events_before


def test_approval_without_an_arranger_is_refused_and_nothing_changes(submitted):
    case = Case.objects.get(application=submitted)
    assert [(c.name, c.status) for c in case_checks(case) if c.name == "Arranger"] == [("Arranger", "failed")]
    licensed_arranger(intermediary__name="Kowloon Capital Limited")
    (shown,) = [c for c in case_checks(case) if c.name == "Arranger"]
    assert shown.status == CheckStatus.PASSED
    assert "Kowloon Capital Limited" in shown.details[0]
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _approve(submitted)
    assert "Choose the arranger" in refused.value.message
    assert "arranger_id" in refused.value.fields
    _assert_nothing_changed(submitted, before)


@pytest.mark.parametrize("case", list(WHY))
def test_approval_with_an_unsuitable_arranger_is_refused_with_the_reason(submitted, case):
    arranger = _unsuitable()[case]
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _approve(submitted, arranger.pk)
    assert WHY[case] in refused.value.fields["arranger_id"][0]
    assert arranger.ce_number in refused.value.message
    _assert_nothing_changed(submitted, before)


def test_a_professional_investors_only_licence_arranges_only_a_pi_only_offering(platform, submitted):
    arranger = licensed_arranger(
        pi_only=True, conditions="Shall only provide services to professional investors."
    )
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _approve(submitted, arranger.pk, professional_investors_only=False)
    assert "limited to professional investors" in refused.value.fields["arranger_id"][0]
    _assert_nothing_changed(submitted, before)

    _approve(submitted, arranger.pk, professional_investors_only=True)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.APPROVED
    assert submitted.arranger == arranger
    assert submitted.arranger_licence == arranger.licences.get()
    approval = AuditEvent.objects.get(object_type="financing.application", to_status="approved")
    assert approval.data["arranger"] == str(arranger)


def test_a_vatp_licence_arranges_an_offering_too(platform, submitted):
    arranger = licensed_arranger(kind=LicenceKind.VATP, activities=[])
    _approve(submitted, arranger.pk, professional_investors_only=False)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.arranger) == (ApplicationStatus.APPROVED, arranger)


def test_a_recommendation_keeps_nothing_but_the_approver_needs_the_arranger(submitted):
    arranger = licensed_arranger()
    oscar, ada = officer(), approver()
    with override_settings(COMPLIANCE_RISK_MEDIUM_FROM=0, COMPLIANCE_RISK_HIGH_FROM=1):
        # The officer's approval is only a recommendation: no arranger needed yet, an unsuitable one refused.
        with pytest.raises(ValidationFailed):
            application_decide(
                actor=oscar,
                application_id=submitted.pk,
                decision="approve",
                arranger_id=_unsuitable()["lapsed"].pk,
            )
        application_decide(actor=oscar, application_id=submitted.pk, decision="approve")
        case = Case.objects.get(application=submitted)
        assert case.status == CaseStatus.AWAITING_APPROVER
        before = AuditEvent.objects.count()
        with pytest.raises(ValidationFailed, match="Choose the arranger"):
            application_decide(actor=ada, application_id=submitted.pk, decision="approve")
        assert AuditEvent.objects.count() == before
        case.refresh_from_db()
        assert case.status == CaseStatus.AWAITING_APPROVER
    assert arranger.pk in dict(arranger_choices())


def test_the_case_page_offers_the_arrangers_and_shows_a_refusal_on_its_field(client, submitted):
    lapsed = licensed_arranger(valid_until=timezone.localdate() - timedelta(days=1))
    case = Case.objects.get(application=submitted, kind=CaseKind.APPLICATION)
    url = reverse("compliance:case", args=[case.pk])
    client.force_login(officer())
    page = client.get(url)
    shown = page.content.decode()
    assert lapsed.ce_number in shown
    assert 'name="arranger_id"' in shown
    assert "No arranger on the licence register holds a type 1 or VATP licence in force" in shown
    before = AuditEvent.objects.count()
    answer = client.post(
        url, {"decision": "approve", "arranger_id": lapsed.pk, "professional_investors_only": "on"}
    )
    assert answer.status_code == 400
    assert "holds no licence in force" in answer.context["decision_form"].errors["arranger_id"][0]
    _assert_nothing_changed(submitted, before)

    licensed_arranger(intermediary__name="Kowloon Capital Limited")
    assert "Approving names one of these licensed arrangers" in client.get(url).content.decode()


def test_a_kyb_case_page_has_no_arranger_field(db, client):
    case = Case.objects.get(company=flows.submitted_company(name="Lantau Components Limited"))
    client.force_login(officer())
    page = client.get(reverse("compliance:case", args=[case.pk]))
    assert "arranger_id" not in page.context["decision_form"].fields


def test_the_decision_api_names_the_missing_arranger(client, submitted):
    client.force_login(officer())
    before = AuditEvent.objects.count()
    answer = client.post(
        f"/api/v1/applications/{submitted.pk}/decision/",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "arranger_id" in answer.json()
    _assert_nothing_changed(submitted, before)


def test_the_case_api_takes_the_arranger(client, platform, submitted):
    case = Case.objects.get(application=submitted, kind=CaseKind.APPLICATION)
    url = f"/api/v1/compliance/cases/{case.pk}/decision/"
    client.force_login(officer())
    before = AuditEvent.objects.count()
    refused = client.post(url, {"decision": "approve"}, content_type="application/json")
    assert refused.status_code == 400
    assert "arranger_id" in refused.json()
    _assert_nothing_changed(submitted, before)

    arranger = flows.arranger()
    answer = client.post(
        url, {"decision": "approve", "arranger_id": arranger.pk}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.json()
    submitted.refresh_from_db()
    assert (submitted.status, submitted.arranger) == (ApplicationStatus.APPROVED, arranger)


# --- The daily re-check, its alert and the paused offering ------------------------------------------


@pytest.fixture
def live(platform):
    """An open offering arranged under the test arranger's licence, and a funded professional investor."""
    reviewer = officer("Olga Officer")
    company = flows.verified_company(by=reviewer)
    offering = flows.open_offering(company=company, by=reviewer, opener=UserFactory(role=Role.OPERATOR))
    investor = flows.approved_investor(by=reviewer, funds=Decimal("100000"))
    return offering, investor


def test_the_recheck_raises_one_alert_per_licence_and_offering(live):
    offering, _ = live
    licence = offering.application.arranger_licence
    assert licences_recheck() == []  # in force: nothing to say
    with pytest.raises(Conflict, match="replace the arranger"):  # still arranging an open offering
        intermediary_update(actor=officer(), intermediary_id=licence.intermediary_id, roles=["custodian"])
    assert Intermediary.objects.get(pk=licence.intermediary_id).is_arranger
    licence_suspend(
        actor=officer(), licence_id=licence.pk, suspension=Suspension.SUSPENDED, reason="SFC notice"
    )

    raised = licences_recheck()
    assert len(raised) == 1
    alert = raised[0]
    assert (alert.kind, alert.alert_kind, alert.application_id) == (
        CaseKind.ALERT,
        AlertKind.LICENCE_LAPSED,
        offering.application_id,
    )
    assert alert.alert_key == f"licence_lapsed:licence:{licence.pk}:offering:{offering.pk}"
    assert "Bay Harbour Securities" in alert.summary
    assert alert.detail["ce_number"] == "BHS001"
    assert licences_recheck() == []  # idempotent while it is open
    (shown,) = [c for c in case_checks(alert) if c.name == "Arranger's licence"]
    assert (shown.status, shown.details) == (CheckStatus.FAILED, ["SFC notice"])
    assert "BHS001" in shown.text
    assert "suspended on" in shown.text
    assert Case.objects.filter(alert_kind=AlertKind.LICENCE_LAPSED).count() == 1

    # One officer decides it (low risk). Cleared (say, the SFC lifted it): not raised again until
    # the licence record changes.
    assert (alert.risk_level, alert.needs_approver) == ("low", False)
    case_decide(actor=officer(), case_id=alert.pk, decision=Decision.CLEAR, reason="Suspension lifted.")
    alert.refresh_from_db()
    assert alert.outcome == Outcome.CLEARED
    assert licences_recheck() == []
    # The register changes (the SFC revokes it): a new alert for the same licence and offering.
    licence_suspend(actor=officer(), licence_id=licence.pk, suspension=Suspension.REVOKED, reason="Revoked")
    assert len(licences_recheck()) == 1
    assert Offering.objects.get(pk=offering.pk).subscriptions_paused_reason == ""


def test_a_renewal_recorded_as_a_new_licence_is_taken_over_without_an_alert(live):
    offering, _ = live
    old = offering.application.arranger_licence
    Licence.objects.filter(pk=old.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    renewed = LicenceFactory(
        intermediary=old.intermediary, valid_from=timezone.localdate() - timedelta(days=1)
    )
    assert licences_recheck() == []
    application = Application.objects.get(pk=offering.application_id)
    assert application.arranger_licence == renewed
    assert AuditEvent.objects.filter(
        action="arranger_licence_renewed", object_id=str(application.pk)
    ).exists()


def test_a_confirmed_alert_pauses_subscriptions_until_a_new_arranger_is_set(live):
    offering, investor = live
    licence = offering.application.arranger_licence
    Licence.objects.filter(pk=licence.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    (alert,) = licences_recheck()
    oscar = officer()
    with pytest.raises(ValidationFailed):  # a reason is required
        case_decide(actor=oscar, case_id=alert.pk, decision=Decision.CONFIRM, reason=" ")
    assert Offering.objects.get(pk=offering.pk).subscriptions_paused_reason == ""
    case_decide(actor=oscar, case_id=alert.pk, decision=Decision.CONFIRM, reason="Lapsed, not renewed.")
    alert.refresh_from_db()
    assert alert.outcome == Outcome.CONFIRMED
    offering.refresh_from_db()
    assert "arranger's licence is not in force" in offering.subscriptions_paused_reason
    assert AuditEvent.objects.filter(
        action="offering_subscriptions_paused", object_id=str(offering.pk)
    ).exists()

    with pytest.raises(Conflict, match="paused"):
        subscription_create(user=investor, offering_id=offering.pk, units=5, **accepted_versions())
    assert not Subscription.objects.filter(offering=offering, investor=investor).exists()
    assert licences_recheck() == []  # paused already: nothing more to raise

    # A replacement must itself be suitable; then subscriptions resume.
    with pytest.raises(ValidationFailed):
        offering_arranger_replace(
            actor=oscar, offering_id=offering.pk, arranger_id=licence.intermediary_id, reason="Same again"
        )
    with pytest.raises(PermissionDenied):
        offering_arranger_replace(
            actor=UserFactory(role=Role.OPERATOR), offering_id=offering.pk, arranger_id=1, reason="x"
        )
    successor = licensed_arranger(intermediary__name="Kowloon Capital Limited")
    offering_arranger_replace(
        actor=oscar, offering_id=offering.pk, arranger_id=successor.pk, reason="Mandated"
    )
    offering.refresh_from_db()
    assert offering.subscriptions_paused_reason == ""
    assert offering.application.arranger == successor
    subscription_create(user=investor, offering_id=offering.pk, units=5, **accepted_versions())
    assert Subscription.objects.filter(offering=offering, investor=investor).exists()


def test_the_offering_shows_its_arranger_publicly(client, live):
    offering, investor = live
    client.force_login(investor)
    page = client.get(reverse("financing:offering_detail", args=[offering.pk])).content.decode()
    assert "Bay Harbour Securities Limited" in page
    assert "SFC CE BHS001" in page
    body = client.get(f"/api/v1/offerings/{offering.pk}/").json()
    assert body["arranger"] == {
        "id": offering.application.arranger_id,
        "name": "Bay Harbour Securities Limited",
        "ce_number": "BHS001",
    }
    assert body["subscriptions_paused_reason"] == ""


# --- Pages and API of the register --------------------------------------------------------------------


@override_settings(COMPLIANCE_LICENCE_LAPSE_WARNING_DAYS=60)
def test_the_register_page_lists_each_licence_with_its_state(client, db):
    licensed_arranger(
        intermediary__name="Lapsing Securities", valid_until=timezone.localdate() + timedelta(days=12)
    )
    licensed_arranger(
        intermediary__name="Old Securities", valid_until=date(2020, 12, 31), valid_from=date(2018, 1, 1)
    )
    client.force_login(UserFactory(role=Role.OPERATOR))
    page = client.get(reverse("compliance:licences:register")).content.decode()
    assert "Lapses in 12 days" in page
    assert "Lapsed on 31 Dec 2020" in page
    assert "Add an intermediary" not in page  # operators read the register only
    assert client.post(reverse("compliance:licences:intermediary_new"), {}).status_code == 403


def test_an_officer_keeps_the_register_through_the_pages(client, db):
    oscar = officer()
    client.force_login(oscar)
    answer = client.post(
        reverse("compliance:licences:intermediary_new"),
        {"name": "Harbour Securities", "ce_number": "ab1234", "roles": ["arranger"]},
    )
    assert answer.status_code == 400
    assert "three letters" in answer.context["form"].errors["ce_number"][0]
    assert not Intermediary.objects.exists()
    answer = client.post(
        reverse("compliance:licences:intermediary_new"),
        {"name": "Harbour Securities", "ce_number": "abc123", "roles": ["arranger", "placing_agent"]},
    )
    assert answer.status_code == 302
    harbour = Intermediary.objects.get(ce_number="ABC123")
    answer = client.post(
        reverse("compliance:licences:licence_new"),
        {
            "intermediary": harbour.pk,
            "kind": LicenceKind.LICENSED_CORPORATION,
            "activities": ["1", "6"],
            "valid_from": "2020-01-01",
            "conditions": "Professional investors only",
            "pi_only": "on",
        },
    )
    assert answer.status_code == 302
    licence = harbour.licences.get()
    assert (licence.activities, licence.pi_only, licence.valid_until) == ([1, 6], True, None)
    assert client.get(reverse("compliance:licences:licence_suspend", args=[licence.pk])).status_code == 200
    answer = client.post(
        reverse("compliance:licences:licence_suspend", args=[licence.pk]), {"suspension": "revoked"}
    )
    assert answer.status_code == 400
    answer = client.post(
        reverse("compliance:licences:licence_suspend", args=[licence.pk]),
        {"suspension": "revoked", "reason": "SFC revoked the licence on 1 June."},
    )
    assert answer.status_code == 302
    licence.refresh_from_db()
    assert licence.state_on(timezone.localdate()) == LicenceState.REVOKED
    entries = client.get(reverse("compliance:audit")).content.decode()
    assert "recorded the revocation of" in entries


def test_the_register_api_creates_reads_and_patches(client, db):
    client.force_login(officer())
    bad = client.post(
        "/api/v1/compliance/intermediaries/",
        {"name": "Harbour", "ce_number": "12ABCD", "roles": ["arranger"]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "ce_number" in bad.json()
    assert not Intermediary.objects.exists()
    created = client.post(
        "/api/v1/compliance/intermediaries/",
        {"name": "Harbour", "ce_number": "ABC123", "roles": ["arranger"]},
        content_type="application/json",
    )
    assert created.status_code == 201
    harbour = created.json()
    licence = client.post(
        "/api/v1/compliance/licences/",
        {
            "intermediary_id": harbour["id"],
            "kind": "licensed_corporation",
            "activities": [1],
            "valid_from": "2020-01-01",
        },
        content_type="application/json",
    )
    assert licence.status_code == 201
    assert licence.json()["state"] == "valid"
    patched = client.patch(
        f"/api/v1/compliance/licences/{licence.json()['id']}/",
        {"valid_until": "2020-06-30"},
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert (patched.json()["state"], patched.json()["activities"]) == ("lapsed", [1])
    listed = client.get("/api/v1/compliance/intermediaries/").json()["results"]
    assert [item["licences"][0]["state_text"] for item in listed] == ["lapsed on 30 Jun 2020"]
    renamed = client.patch(
        f"/api/v1/compliance/intermediaries/{harbour['id']}/",
        {"name": "Harbour Capital"},
        content_type="application/json",
    )
    assert renamed.json()["name"] == "Harbour Capital"
    suspended = client.post(
        f"/api/v1/compliance/licences/{licence.json()['id']}/suspend/",
        {"suspension": "suspended", "reason": "SFC notice"},
        content_type="application/json",
    )
    assert suspended.json()["state"] == "suspended"
    client.force_login(UserFactory(role=Role.OPERATOR))
    assert client.get("/api/v1/compliance/licences/").status_code == 200
    refused = client.post(
        "/api/v1/compliance/intermediaries/",
        {"name": "X", "ce_number": "XYZ123", "roles": ["arranger"]},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert Intermediary.objects.count() == 1
