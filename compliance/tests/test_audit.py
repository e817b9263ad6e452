"""The audit trail is append-only, hash-chained and finds tampering; status moves are race-safe."""

import pytest

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.audit import audit_chain_verify, audit_record, status_transition
from compliance.models import AuditEvent
from config.errors import Conflict
from issuers.choices import KYB_TRANSITIONS, KybStatus
from issuers.models import Company
from issuers.tests.factories import CompanyFactory


@pytest.fixture
def company(db):
    return CompanyFactory()


def test_an_intact_trail_verifies(company):
    for action in ("a", "b", "c"):
        audit_record(actor=company.representative, action=action, obj=company)
    assert audit_chain_verify() is None


def test_editing_a_past_entry_is_detected_at_that_entry(company):
    events = [audit_record(actor=None, action=f"step{n}", obj=company) for n in range(4)]
    AuditEvent.objects.filter(pk=events[1].pk).update(reason="nothing to see here")
    assert audit_chain_verify() == events[1].pk


def test_deleting_an_entry_is_detected(company):
    events = [audit_record(actor=None, action=f"step{n}", obj=company) for n in range(3)]
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    assert audit_chain_verify() == events[2].pk


def test_a_status_move_is_audited_with_actor_and_reason(company):
    status_transition(
        company,
        to=KybStatus.SUBMITTED,
        transitions=KYB_TRANSITIONS,
        actor=company.representative,
        field="kyb_status",
        reason="ready",
    )
    event = AuditEvent.objects.get(action="kyb_status:submitted")
    assert (event.from_status, event.to_status, event.reason) == ("draft", "submitted", "ready")
    assert event.actor == company.representative


def test_a_move_the_map_forbids_is_refused_and_nothing_changes(company):
    with pytest.raises(Conflict):
        status_transition(
            company, to=KybStatus.VERIFIED, transitions=KYB_TRANSITIONS, actor=None, field="kyb_status"
        )
    assert Company.objects.get(pk=company.pk).kyb_status == KybStatus.DRAFT
    assert not AuditEvent.objects.exists()


def test_a_stale_copy_cannot_overwrite_a_concurrent_move(company):
    stale = Company.objects.get(pk=company.pk)
    status_transition(
        company, to=KybStatus.SUBMITTED, transitions=KYB_TRANSITIONS, actor=None, field="kyb_status"
    )
    officer = UserFactory(role=Role.OFFICER)
    Company.objects.filter(pk=company.pk).update(kyb_status=KybStatus.REJECTED)
    stale.kyb_status = KybStatus.SUBMITTED  # what the stale copy believes
    with pytest.raises(Conflict, match="Someone else changed"):
        status_transition(
            stale, to=KybStatus.VERIFIED, transitions=KYB_TRANSITIONS, actor=officer, field="kyb_status"
        )
    assert Company.objects.get(pk=company.pk).kyb_status == KybStatus.REJECTED
