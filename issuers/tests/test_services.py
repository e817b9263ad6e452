"""Onboarding: what is refused writes nothing, and KYB waits for a complete profile."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.models import AuditEvent
from config.errors import ValidationFailed
from financing.demo import complete_company_onboarding, sample_pdf
from issuers.choices import KybStatus, RegistrationCheck
from issuers.models import Company, Document, Person
from issuers.services import (
    MAX_DOCUMENT_BYTES,
    company_save,
    company_submit_for_kyb,
    document_upload,
    person_save,
)


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
        (b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES, "huge.pdf", "10 MB"),
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
