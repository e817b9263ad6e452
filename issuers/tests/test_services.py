"""Onboarding: what is refused writes nothing, and KYB waits for a complete profile."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.models import AuditEvent
from config.errors import ValidationFailed
from financing.demo import complete_company_onboarding, sample_pdf
from issuers.choices import KybStatus, RegistrationCheck
from issuers.models import Company, Document, Person
from issuers.services import (
    company_save,
    company_submit_for_kyb,
    document_upload,
    person_save,
)
from issuers.validators import age_on


@pytest.fixture
def sme(db):
    user = UserFactory(role=Role.SME)
    company_save(
        user=user,
        legal_name_en="Nansha Batteries Limited",
        legal_name_zh="南沙電池有限公司",
        jurisdiction="CN-GZ",
        registration_number="91110000600037341M",
        industry="new_energy",
    )
    return user


def _person(sme, **overrides):
    values = {
        "full_name": "Li Wei",
        "nationality": "CN",
        "residency": "HK",
        "birth_date": date(1980, 1, 1),
        "is_director": True,
        "is_beneficial_owner": True,
        "ownership_percent": Decimal("60.00"),
    }
    return person_save(user=sme, **{**values, **overrides})


def test_a_mainland_code_failing_its_check_character_is_kept_for_manual_review(sme):
    company = Company.objects.get(representative=sme)
    assert company.registration_check == RegistrationCheck.MANUAL_REVIEW


def test_beneficial_ownership_cannot_sum_past_100_percent(sme):
    _person(sme)
    with pytest.raises(ValidationFailed) as refused:
        _person(sme, full_name="Chen Jie", ownership_percent=Decimal("40.01"))
    assert "ownership_percent" in refused.value.fields
    assert Person.objects.count() == 1
    _person(sme, full_name="Chen Jie", ownership_percent=Decimal("40.00"))
    assert Person.objects.count() == 2


def test_people_need_a_role_and_an_adult_birth_date(sme):
    with pytest.raises(ValidationFailed) as refused:
        _person(sme, is_director=False, is_beneficial_owner=False, birth_date=date(2015, 1, 1))
    assert {"is_director", "birth_date"} <= set(refused.value.fields)
    assert not Person.objects.exists()


def test_documents_are_fingerprinted_and_stored(sme):
    upload = sample_pdf("Business registration")
    document = document_upload(user=sme, kind="business_registration", upload=upload)
    assert len(document.sha256) == 64
    assert document.content_type == "application/pdf"
    assert document.file.read().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 not a document", "invoice.pdf", "PDF, PNG or JPEG"),
        (b"", "empty.pdf", "empty"),
        (b"%PDF-" + b"0" * settings.DOCUMENT_MAX_BYTES, "huge.pdf", "10 MB"),
    ],
)
def test_unacceptable_files_are_refused_and_nothing_is_stored(sme, content, name, message):
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        document_upload(user=sme, kind="articles", upload=SimpleUploadedFile(name, content))
    assert message in " ".join(refused.value.fields["file"])
    assert not Document.objects.exists()
    assert AuditEvent.objects.count() == audit_before


def test_the_same_file_twice_is_refused(sme):
    document_upload(user=sme, kind="articles", upload=sample_pdf("Articles"))
    with pytest.raises(ValidationFailed):
        document_upload(user=sme, kind="financial_statements", upload=sample_pdf("Articles"))
    assert Document.objects.count() == 1


def test_kyb_submission_waits_for_a_complete_profile(sme):
    with pytest.raises(ValidationFailed) as refused:
        company_submit_for_kyb(user=sme)
    assert "director" in refused.value.message
    assert Company.objects.get(representative=sme).kyb_status == KybStatus.DRAFT

    complete_company_onboarding(sme, director="Li Wei", owner="Chen Jie")
    assert company_submit_for_kyb(user=sme).kyb_status == KybStatus.SUBMITTED


def test_a_submitted_profile_can_no_longer_change(sme):
    complete_company_onboarding(sme, director="Li Wei", owner="Chen Jie")
    company_submit_for_kyb(user=sme)
    with pytest.raises(ValidationFailed, match="awaiting review"):
        _person(sme, full_name="Late Owner", ownership_percent=Decimal("1"))


def test_documents_open_for_their_company_and_compliance_only(sme, client):
    document = document_upload(user=sme, kind="articles", upload=sample_pdf("Articles"))
    url = f"/company/documents/{document.pk}/"
    client.force_login(sme)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(UserFactory(role=Role.OFFICER))
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(role=Role.SME))
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(role=Role.INVESTOR))
    assert client.get(url).status_code == 403


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def test_a_director_one_day_short_of_18_is_refused_and_one_of_18_exactly_is_accepted(sme):
    today = timezone.localdate()
    eighteen = _years_before(today, 18)

    with pytest.raises(ValidationFailed) as refused:
        _person(sme, birth_date=eighteen + timedelta(days=1))
    assert "18 or older" in refused.value.fields["birth_date"][0]
    assert not Person.objects.exists()

    assert _person(sme, birth_date=eighteen).birth_date == eighteen


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # a common year: not yet 18 on 28 February
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        (date(2008, 3, 1), date(2026, 2, 28), 17),
        (date(2008, 12, 31), date(2026, 12, 30), 17),
        (date(2008, 12, 31), date(2026, 12, 31), 18),
    ],
)
def test_ages_count_calendar_years(born, on, age):
    assert age_on(born, on) == age


def test_a_company_cannot_keep_more_documents_than_its_quota(sme, settings):
    settings.DOCUMENT_QUOTA_COUNT = 2
    document_upload(user=sme, kind="articles", upload=sample_pdf("One"))
    document_upload(user=sme, kind="articles", upload=sample_pdf("Two"))
    audit_before = AuditEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        document_upload(user=sme, kind="articles", upload=sample_pdf("Three"))

    assert "at most 2 documents" in refused.value.fields["file"][0]
    assert Document.objects.count() == 2
    assert AuditEvent.objects.count() == audit_before


def test_a_company_cannot_store_more_bytes_than_its_quota(sme, settings):
    first = document_upload(user=sme, kind="articles", upload=sample_pdf("One"))
    settings.DOCUMENT_QUOTA_BYTES = first.size + 100
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 200)

    with pytest.raises(ValidationFailed) as refused:
        document_upload(user=sme, kind="financial_statements", upload=big)

    assert "of documents" in refused.value.fields["file"][0]
    assert Document.objects.count() == 1


def test_a_file_name_with_a_direction_override_is_refused(sme):
    upload = SimpleUploadedFile("invoice\u202efdp.exe", b"%PDF-1.4 a real pdf")
    with pytest.raises(ValidationFailed) as refused:
        document_upload(user=sme, kind="articles", upload=upload)
    assert "RIGHT-TO-LEFT OVERRIDE" in refused.value.fields["file"][0]
    assert not Document.objects.exists()
