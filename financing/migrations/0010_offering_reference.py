"""Reference codes for offerings and applications, and who cancelled an offering, why and when.

Existing rows get their references in order of creation (their own year); existing cancelled
offerings get the reason, actor and time from their audit trail entry.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

import financing.references

HONG_KONG = timezone.get_fixed_timezone(8 * 60)  # no daylight saving: the year of a moment in Hong Kong


def _sequences_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in financing.references.SEQUENCES:
            schema_editor.execute(f"CREATE SEQUENCE {name}")


def _sequences_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in financing.references.SEQUENCES:
            schema_editor.execute(f"DROP SEQUENCE {name}")


def _backfill_references(apps, schema_editor):
    connection = schema_editor.connection
    for model_name, prefix, sequence in (
        ("Offering", "GBA", "financing_offering_reference_seq"),
        ("Application", "APP", "financing_application_reference_seq"),
    ):
        model = apps.get_model("financing", model_name)
        rows = list(model.objects.filter(reference__isnull=True).order_by("created_at", "pk"))
        for row in rows:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT nextval(%s::regclass)", [sequence])
                    number = cursor.fetchone()[0]
            else:  # the embedded demo's SQLite: the row's id is as unique
                number = row.pk
            year = row.created_at.astimezone(HONG_KONG).year
            row.reference = f"{prefix}-{year}-{number:04d}"
        model.objects.bulk_update(rows, ["reference"], batch_size=500)


def _backfill_cancellations(apps, schema_editor):
    Offering = apps.get_model("financing", "Offering")
    AuditEvent = apps.get_model("compliance", "AuditEvent")
    cancelled = list(Offering.objects.filter(status="cancelled", cancelled_at__isnull=True))
    for offering in cancelled:
        event = (
            AuditEvent.objects.filter(
                object_type="financing.offering", object_id=str(offering.pk), to_status="cancelled"
            )
            .order_by("-pk")
            .first()
        )
        offering.cancelled_by_id = event.actor_id if event else None
        offering.cancellation_reason = (event.reason if event else "") or "Cancelled before close."
        offering.cancelled_at = event.occurred_at if event else (offering.closed_at or offering.updated_at)
    Offering.objects.bulk_update(
        cancelled, ["cancelled_by", "cancellation_reason", "cancelled_at"], batch_size=500
    )


def _backfill(apps, schema_editor):
    _backfill_references(apps, schema_editor)
    _backfill_cancellations(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("financing", "0009_transfers"),
        ("compliance", "0013_investor_birth_date"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_sequences_create, _sequences_drop),
        migrations.AddField(
            model_name="application",
            name="reference",
            field=models.CharField(max_length=24, null=True, editable=False),
        ),
        migrations.AddField(
            model_name="offering",
            name="reference",
            field=models.CharField(max_length=24, null=True, editable=False),
        ),
        migrations.AddField(
            model_name="offering",
            name="cancellation_reason",
            field=models.TextField(
                blank=True,
                help_text="Why the offering was cancelled, shown to the issuer and every subscribed investor.",
                max_length=2000,
            ),
        ),
        migrations.AddField(
            model_name="offering",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="offering",
            name="cancelled_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Who called the offering off; empty when the platform did (minimum missed, set-up failed).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="application",
            name="reference",
            field=models.CharField(
                db_default=financing.references.ReferenceDefault(
                    "APP", "financing_application_reference_seq"
                ),
                editable=False,
                help_text="Reference code quoted everywhere, e.g. APP-2026-0007; assigned once, never changed.",
                max_length=24,
                unique=True,
            ),
        ),
        migrations.AlterField(
            model_name="offering",
            name="reference",
            field=models.CharField(
                db_default=financing.references.ReferenceDefault("GBA", "financing_offering_reference_seq"),
                editable=False,
                help_text="Reference code quoted everywhere, e.g. GBA-2026-0007; assigned once, never changed.",
                max_length=24,
                unique=True,
            ),
        ),
        migrations.AddConstraint(
            model_name="offering",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "cancelled"), _negated=True),
                    models.Q(
                        models.Q(("cancellation_reason", ""), _negated=True), ("cancelled_at__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="offering_cancelled_with_reason",
            ),
        ),
    ]
