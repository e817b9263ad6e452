"""Retention dates on personal records: set when a relationship ends, cleared if it resumes, listed if due."""

from datetime import date, timedelta

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.models import InvestorProfile
from compliance.retention import records_past_retention, retention_end
from compliance.services import company_kyb_decide, investor_kyc_decide
from issuers.models import Document, Person
from issuers.services import company_submit_for_kyb
from tests import flows


def test_records_are_kept_the_configured_years_after_the_relationship_ends(settings):
    assert retention_end(date(2026, 3, 31)) == date(2031, 3, 31)
    assert retention_end(date(2028, 2, 29)) == date(2033, 2, 28)
    settings.RETENTION_YEARS = 7
    assert retention_end(date(2026, 3, 31)) == date(2033, 3, 31)


def test_a_rejected_investor_is_kept_five_years_from_the_decision_and_shown_on_the_review_page(client, db):
    profile = flows.submitted_investor()
    officer = UserFactory(role=Role.OFFICER)
    assert profile.retain_until is None  # the relationship is still going on

    investor_kyc_decide(actor=officer, profile=profile, approve=False, reason="Documents do not match.")

    today = timezone.localdate()
    profile.refresh_from_db()
    assert profile.retain_until == today.replace(year=today.year + 5)
    client.force_login(officer)
    page = client.get(reverse("compliance:kyc_review", args=[profile.pk])).content.decode()
    assert f"{profile.retain_until:%-d %b %Y}" in page


def test_a_rejected_company_keeps_its_people_and_documents_until_it_comes_back(db):
    company = flows.submitted_company(name="Harbour Freight Limited")
    officer = UserFactory(role=Role.OFFICER)
    company_kyb_decide(actor=officer, company=company, approve=False, reason="Unclear ownership.")

    today = timezone.localdate()
    until = today.replace(year=today.year + 5)
    assert set(Person.objects.filter(company=company).values_list("retain_until", flat=True)) == {until}
    assert set(Document.objects.filter(company=company).values_list("retain_until", flat=True)) == {until}

    company_submit_for_kyb(user=company.representative)  # the relationship resumes

    assert not Person.objects.filter(company=company, retain_until__isnull=False).exists()
    assert not Document.objects.filter(company=company, retain_until__isnull=False).exists()


def test_the_command_lists_records_past_retention_and_deletes_nothing(db, capsys):
    profile = flows.submitted_investor()
    company = flows.submitted_company(name="Harbour Freight Limited")
    person = company.people.first()
    yesterday = timezone.localdate() - timedelta(days=1)
    InvestorProfile.objects.filter(pk=profile.pk).update(retain_until=yesterday)
    Person.objects.filter(pk=person.pk).update(retain_until=yesterday)
    Document.objects.filter(company=company).update(retain_until=timezone.localdate() + timedelta(days=1))

    call_command("retention_due")

    out = capsys.readouterr().out
    assert f"investor profile #{profile.pk}\t{profile.legal_name}" in out
    assert f"person #{person.pk}\t{person.full_name}" in out
    assert "2 records past retention." in out
    assert [record.kind for record in records_past_retention()] == ["investor profile", "person"]
    assert InvestorProfile.objects.filter(pk=profile.pk).exists()
    assert Person.objects.filter(pk=person.pk).exists()
