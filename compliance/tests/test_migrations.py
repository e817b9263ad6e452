"""Keying the audit trail re-signs an intact SHA-256 trail, refuses a broken one, and can be undone."""

import importlib

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from compliance.audit import GENESIS_HASH, audit_chain_verify, audit_key_id
from compliance.models import AuditEvent

UNKEYED = [("compliance", "0002_no_standing_payment_permit")]
KEYED = [("compliance", "0003_audit_hmac_checkpoint")]
keying = importlib.import_module("compliance.migrations.0003_audit_hmac_checkpoint")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def unkeyed_apps(transactional_db):
    apps = _migrate(UNKEYED)
    yield apps
    apps.get_model("compliance", "AuditEvent").objects.all().delete()
    # Back to the latest schema of every app (going back also unapplied other apps' migrations that
    # depend on later compliance ones), so the tests after this one find every later column.
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _unkeyed_trail(apps, length):
    """Entries as the code before keying wrote them: plain SHA-256 over the previous hash and the fields."""
    model = apps.get_model("compliance", "AuditEvent")
    previous, events = GENESIS_HASH, []
    for n in range(length):
        event = model(
            occurred_at=timezone.now(), action=f"step{n}", object_type="issuers.company", object_id="1"
        )
        event.key_id = ""  # not a column yet: what the hash helper reads
        event.previous_hash, event.hash = previous, keying._unkeyed_hash(event, previous)
        event.save()
        previous = event.hash
        events.append(event)
    apps.get_model("compliance", "AuditChainHead").objects.create(pk=1, last_hash=previous)
    return events


def test_an_intact_unkeyed_trail_is_re_signed_with_the_key_and_can_be_migrated_back(unkeyed_apps):
    _unkeyed_trail(unkeyed_apps, 3)

    _migrate(KEYED)

    assert set(AuditEvent.objects.values_list("key_id", flat=True)) == {audit_key_id(settings.AUDIT_HMAC_KEY)}
    assert audit_chain_verify(full=True) is None
    _migrate(UNKEYED)  # back again: each entry is checked under its key and re-signed with SHA-256
    _migrate(KEYED)
    assert audit_chain_verify(full=True) is None


def test_a_broken_unkeyed_trail_is_refused_not_re_signed(unkeyed_apps):
    events = _unkeyed_trail(unkeyed_apps, 3)
    unkeyed_apps.get_model("compliance", "AuditEvent").objects.filter(pk=events[1].pk).update(
        reason="rewritten"
    )

    with pytest.raises(RuntimeError, match=f"broken at entry {events[1].pk}"):
        _migrate(KEYED)
