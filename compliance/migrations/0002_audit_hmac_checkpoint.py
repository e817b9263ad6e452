"""Key the audit trail with AUDIT_HMAC_KEY and add the verification checkpoint.

Entries written before were chained with plain SHA-256: they are checked under that scheme first (a
broken trail is refused, so tampering is never re-signed), then re-signed with the key in order.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models

from compliance.audit import GENESIS_HASH, audit_key_id, canonical_json, entry_fields, entry_hash


def key_the_trail(apps, schema_editor):
    AuditEvent = apps.get_model("compliance", "AuditEvent")
    AuditChainHead = apps.get_model("compliance", "AuditChainHead")
    key_id, key = audit_key_id(settings.AUDIT_HMAC_KEY), settings.AUDIT_HMAC_KEY.encode()
    unkeyed = keyed = GENESIS_HASH
    for event in AuditEvent.objects.order_by("pk").iterator():
        legacy = {name: value for name, value in entry_fields(event).items() if name != "key_id"}
        expected = hashlib.sha256((unkeyed + canonical_json(legacy)).encode()).hexdigest()
        if event.previous_hash != unkeyed or not hmac.compare_digest(event.hash, expected):
            raise RuntimeError(f"The audit trail is broken at entry {event.pk}; investigate before keying it.")
        unkeyed = event.hash
        event.key_id, event.previous_hash = key_id, keyed
        event.hash = entry_hash(key, keyed, entry_fields(event))
        event.save(update_fields=["key_id", "previous_hash", "hash"])
        keyed = event.hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=keyed)


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0001_initial"),
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
        migrations.RunPython(key_the_trail),
    ]
