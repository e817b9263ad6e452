"""Key the audit trail with AUDIT_HMAC_KEY and add the verification checkpoint.

Entries written before were chained with plain SHA-256: each is checked under that scheme first (a
broken trail is refused, so tampering is never re-signed), then re-signed with the key, in order.
Going back re-signs them with plain SHA-256 after checking them under their keys.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models

from compliance.audit import GENESIS_HASH, audit_key_id, canonical_json, entry_fields, entry_hash


def _unkeyed_hash(event, previous_hash):
    fields = {name: value for name, value in entry_fields(event).items() if name != "key_id"}
    return hashlib.sha256((previous_hash + canonical_json(fields)).encode()).hexdigest()


def _resign(apps, check, sign):
    """Walk the trail in order: refuse an entry `check` disputes, else give it the hash `sign` makes."""
    AuditEvent = apps.get_model("compliance", "AuditEvent")
    checked = signed = GENESIS_HASH
    for event in AuditEvent.objects.order_by("pk").iterator():
        if event.previous_hash != checked or not hmac.compare_digest(event.hash, check(event, checked)):
            raise RuntimeError(f"The audit trail is broken at entry {event.pk}; investigate before migrating it.")
        checked = event.hash
        event.previous_hash = signed
        event.hash = sign(event, signed)
        event.save(update_fields=["key_id", "previous_hash", "hash"])
        signed = event.hash
    apps.get_model("compliance", "AuditChainHead").objects.filter(pk=1).update(last_hash=signed)


def key_the_trail(apps, schema_editor):
    key_id, key = audit_key_id(settings.AUDIT_HMAC_KEY), settings.AUDIT_HMAC_KEY.encode()

    def sign(event, previous_hash):
        event.key_id = key_id
        return entry_hash(key, previous_hash, entry_fields(event))

    _resign(apps, _unkeyed_hash, sign)


def unkey_the_trail(apps, schema_editor):
    keys = {audit_key_id(key): key.encode() for key in [settings.AUDIT_HMAC_KEY, *settings.AUDIT_HMAC_RETIRED_KEYS]}

    def check(event, previous_hash):
        key = keys.get(event.key_id)
        return entry_hash(key, previous_hash, entry_fields(event)) if key else ""

    def sign(event, previous_hash):
        event.key_id = ""
        return _unkeyed_hash(event, previous_hash)

    _resign(apps, check, sign)


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0002_no_standing_payment_permit"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="", help_text="Which AUDIT_HMAC_KEY signed this entry.", max_length=16),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_event_id", models.PositiveBigIntegerField(default=0, help_text="0: nothing verified yet.")),
                ("last_hash", models.CharField(max_length=64)),
                ("verified_at", models.DateTimeField(blank=True, null=True)),
                (
                    "full_verified_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the whole trail, from the first entry, was last verified.",
                        null=True,
                    ),
                ),
                (
                    "broken_at",
                    models.PositiveBigIntegerField(
                        blank=True, help_text="The first entry the last verification found altered.", null=True
                    ),
                ),
            ],
        ),
        migrations.RunPython(key_the_trail, unkey_the_trail),
    ]
