"""The audit trail is append-only, keyed-hash-chained and finds tampering; status moves are race-safe."""

import hashlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance import tasks
from compliance.audit import (
    GENESIS_HASH,
    audit_chain_verify,
    audit_key_id,
    audit_record,
    canonical_json,
    entry_fields,
    entry_hash,
    status_transition,
)
from compliance.models import AuditChainHead, AuditCheckpoint, AuditEvent
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


def _rechain(start: AuditEvent, digest) -> None:
    """What someone with database access does after editing `start`: recompute every hash after it."""
    previous = (
        AuditEvent.objects.filter(pk__lt=start.pk).order_by("-pk").values_list("hash", flat=True).first()
    )
    previous = previous or GENESIS_HASH
    for event in AuditEvent.objects.filter(pk__gte=start.pk).order_by("pk"):
        event.previous_hash = previous
        event.hash = digest(previous, entry_fields(event))
        event.save()
        previous = event.hash
    AuditChainHead.objects.update(last_hash=previous)


@pytest.mark.parametrize(
    ("rebuild", "detected"),
    [
        (
            lambda previous, fields: hashlib.sha256((previous + canonical_json(fields)).encode()).hexdigest(),
            True,
        ),
        (lambda previous, fields: entry_hash(b"a guessed key", previous, fields), True),
        # The control: whoever holds AUDIT_HMAC_KEY can rebuild the chain, so it never sits in the database.
        (
            lambda previous, fields: entry_hash(
                b"demo-audit-trail-key-public-in-the-repository", previous, fields
            ),
            False,
        ),
    ],
    ids=["plain-sha256", "wrong-key", "the-real-key"],
)
def test_a_tampered_trail_rebuilt_without_the_key_is_still_detected(company, rebuild, detected):
    events = [audit_record(actor=None, action=f"step{n}", obj=company) for n in range(4)]
    AuditEvent.objects.filter(pk=events[1].pk).update(reason="nothing to see here")

    _rechain(AuditEvent.objects.get(pk=events[1].pk), rebuild)

    assert audit_chain_verify(full=True) == (events[1].pk if detected else None)


def test_verification_starts_at_the_checkpoint_and_only_the_full_one_rechecks_older_entries(company):
    events = [audit_record(actor=None, action=f"step{n}", obj=company) for n in range(3)]
    assert audit_chain_verify() is None
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.last_event_id, checkpoint.last_hash) == (events[-1].pk, events[-1].hash)
    assert checkpoint.full_verified_at is None

    AuditEvent.objects.filter(pk=events[0].pk).update(reason="rewritten")  # before the checkpoint
    later = audit_record(actor=None, action="later", obj=company)
    assert audit_chain_verify() is None  # the incremental check trusts what it verified before
    assert AuditCheckpoint.objects.get().last_event_id == later.pk

    assert audit_chain_verify(full=True) == events[0].pk
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.broken_at, checkpoint.last_event_id, checkpoint.full_verified_at) == (
        events[0].pk,
        0,
        None,
    )
    assert audit_chain_verify() == events[0].pk  # and every check after it keeps saying so


def test_verifying_from_the_checkpoint_does_not_rewalk_the_trail(company, django_assert_max_num_queries):
    for n in range(30):
        audit_record(actor=None, action=f"step{n}", obj=company)
    audit_chain_verify()
    audit_record(actor=None, action="new", obj=company)
    # Savepoint, checkpoint lock, the entries after it (one), the checkpoint update.
    with django_assert_max_num_queries(6):
        assert audit_chain_verify() is None


def test_a_rotated_key_still_verifies_the_entries_it_signed(company, settings):
    old = [audit_record(actor=None, action=f"old{n}", obj=company) for n in range(2)]
    settings.AUDIT_HMAC_KEY, settings.AUDIT_HMAC_RETIRED_KEYS = (
        "a-new-key-" + "n" * 32,
        [settings.AUDIT_HMAC_KEY],
    )
    new = [audit_record(actor=None, action=f"new{n}", obj=company) for n in range(2)]
    assert old[0].key_id != new[0].key_id == audit_key_id(settings.AUDIT_HMAC_KEY)
    assert audit_chain_verify(full=True) is None

    settings.AUDIT_HMAC_RETIRED_KEYS = []  # the old key forgotten: its entries can no longer be trusted
    assert audit_chain_verify(full=True) == old[0].pk


def test_the_command_and_the_beat_task_verify_and_report_a_break(company):
    events = [audit_record(actor=None, action=f"step{n}", obj=company) for n in range(2)]
    call_command("audit_verify")
    assert tasks.audit_chain_verify.delay(full=True).get() is None

    AuditEvent.objects.filter(pk=events[0].pk).update(reason="rewritten")
    call_command("audit_verify")  # the checkpoint is past the edit: only --full looks again
    with pytest.raises(CommandError, match=f"broken at entry {events[0].pk}"):
        call_command("audit_verify", "--full")
    assert tasks.audit_chain_verify.delay(full=True).get() == events[0].pk


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
