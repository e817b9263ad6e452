from django.db import migrations, models
from django.db.models import F


def confirm_existing_accounts(apps, schema_editor):
    # Accounts made before email confirmation existed keep logging in.
    apps.get_model("accounts", "User").objects.update(email_confirmed_at=F("date_joined"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_confirmed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the owner followed the confirmation link; log-in waits for it.",
                null=True,
            ),
        ),
        migrations.RunPython(confirm_existing_accounts, migrations.RunPython.noop),
    ]
