"""Open a review case for every company, investor and application already waiting for a decision."""

from django.db import migrations


def open_cases(apps, schema_editor):
    Case = apps.get_model("compliance", "Case")
    Company = apps.get_model("issuers", "Company")
    InvestorProfile = apps.get_model("compliance", "InvestorProfile")
    Application = apps.get_model("financing", "Application")
    for company in Company.objects.filter(kyb_status="submitted"):
        Case.objects.create(
            kind="kyb", company=company, opened_at=company.updated_at, submitted_by_id=company.representative_id
        )
    for profile in InvestorProfile.objects.filter(kyc_status="submitted"):
        Case.objects.create(kind="kyc", investor=profile, opened_at=profile.updated_at, submitted_by_id=profile.user_id)
    for application in Application.objects.filter(status__in=["submitted", "under_review"]).select_related("company"):
        Case.objects.create(
            kind="application",
            application=application,
            company=application.company,
            opened_at=application.submitted_at or application.updated_at,
            submitted_by_id=application.company.representative_id,
            assignee_id=application.reviewed_by_id,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0007_review_cases"),
        ("financing", "0004_text_limits_and_visible_text"),
        ("issuers", "0005_person_document_retain_until"),
    ]

    operations = [migrations.RunPython(open_cases, migrations.RunPython.noop)]
