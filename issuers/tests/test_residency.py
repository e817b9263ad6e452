"""Personal records across the border: who may receive a company's people's records, and what it takes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.models import AuditEvent, InvestorProfile
from config.errors import Conflict, PermissionDenied, ValidationFailed
from issuers.choices import FilingAuthority, PiaConclusion, Residency
from issuers.models import CrossBorderTransfer, Person, TransferConsent
from issuers.residency import (
    TRANSFER_CONSENT_SHA256,
    TransferRefused,
    personal_data_transfer_check,
    recipient_residency,
    withheld_personal_records,
)
from issuers.tests.factories import CompanyFactory
from issuers.transfers import (
    transfer_assessment_record,
    transfer_consent_record,
    transfer_consent_withdraw,
    transfer_filing_record,
)

pytestmark = pytest.mark.django_db


def _person(company, name, residency):
    return Person.objects.create(
        company=company,
        full_name=name,
        nationality="CN",
        residency=residency,
        birth_date=date(1980, 1, 1),
        is_director=True,
        ownership_percent=Decimal("0"),
    )


def _recipient(residency=Residency.NOT_STATED, country="HK"):
    user = UserFactory(role=Role.INVESTOR)
    return InvestorProfile.objects.create(
        user=user,
        investor_type="corporation",
        legal_name="Harbour Lending Limited",
        country=country,
        residency=residency,
        id_document_number="12345678",
    )


@pytest.fixture
def company():
    return CompanyFactory(jurisdiction="CN-SZ", registration_number="91440300MA5FUXXX0X")


@pytest.fixture
def officer():
    return UserFactory(role=Role.OFFICER)


def _legal_basis(company, officer, *, consent=True, assessment=True, filing=True):
    if consent:
        for person in company.people.all():
            transfer_consent_record(
                user=company.representative,
                person_id=person.pk,
                consented_on=timezone.localdate(),
                separate_consent=True,
            )
    if assessment:
        transfer_assessment_record(
            user=officer,
            company_id=company.pk,
            assessed_on=timezone.localdate(),
            conclusion=PiaConclusion.RISKS_ACCEPTABLE,
        )
    if filing:
        transfer_filing_record(
            user=officer,
            company_id=company.pk,
            authority=FilingAuthority.GUANGDONG_CAC,
            reference="GD-SC-2026-0042",
            filed_on=timezone.localdate(),
        )


def test_a_mainland_record_with_consent_assessment_and_filing_goes_to_a_hong_kong_recipient(company, officer):
    _person(company, "Chen Hua", Residency.SHENZHEN)
    _legal_basis(company, officer)

    personal_data_transfer_check(company=company, recipient=_recipient(Residency.HONG_KONG))
    assert withheld_personal_records(company=company, recipient=_recipient(Residency.MACAO)) == []


@pytest.mark.parametrize(
    ("missing", "reason"),
    [
        ("consent", "not given their separate consent"),
        ("assessment", "no personal information impact assessment"),
        ("filing", "standard contract is not filed"),
    ],
)
def test_each_missing_piece_withholds_a_mainland_record_and_names_itself(company, officer, missing, reason):
    _person(company, "Chen Hua", Residency.GUANGZHOU)
    _legal_basis(company, officer, **{missing: False})

    with pytest.raises(TransferRefused) as refused:
        personal_data_transfer_check(company=company, recipient=_recipient(Residency.HONG_KONG))

    assert refused.value.status_code == 403
    assert "Chen Hua" in refused.value.message
    assert reason in refused.value.message


def test_an_assessment_finding_unacceptable_risk_does_not_allow_the_transfer(company, officer):
    _person(company, "Chen Hua", Residency.ZHUHAI)
    _legal_basis(company, officer)
    transfer_assessment_record(
        user=officer,
        company_id=company.pk,
        assessed_on=timezone.localdate(),
        conclusion=PiaConclusion.RISKS_NOT_ACCEPTABLE,
    )

    with pytest.raises(TransferRefused, match="impact assessment"):
        personal_data_transfer_check(company=company, recipient=_recipient(Residency.HONG_KONG))


def test_a_mainland_record_never_goes_outside_the_greater_bay_area_even_with_every_piece(company, officer):
    _person(company, "Chen Hua", Residency.SHENZHEN)
    _legal_basis(company, officer)

    for outside in (
        _recipient(Residency.ELSEWHERE, country="SG"),
        _recipient(Residency.MAINLAND_OTHER, country="CN"),
        _recipient(country="US"),  # residency not stated: its country decides
        _recipient(country="CN"),  # the mainland without a city is not known to be inside
    ):
        with pytest.raises(TransferRefused, match="outside the Greater Bay Area"):
            personal_data_transfer_check(company=company, recipient=outside)


def test_a_recipient_without_an_investor_profile_counts_as_outside(company, officer):
    _person(company, "Chen Hua", Residency.SHENZHEN)
    _legal_basis(company, officer)

    stranger = UserFactory(role=Role.INVESTOR)
    assert recipient_residency(stranger) == Residency.NOT_STATED
    with pytest.raises(TransferRefused):
        personal_data_transfer_check(company=company, recipient=stranger)


def test_the_check_takes_the_recipients_user_as_well_as_its_profile(company, officer):
    _person(company, "Chen Hua", Residency.SHENZHEN)
    _legal_basis(company, officer)
    profile = _recipient(Residency.HONG_KONG)

    personal_data_transfer_check(company=company, recipient=profile.user)
    assert recipient_residency(_recipient(country="MO").user) == Residency.MACAO


def test_hong_kong_and_macao_residents_records_go_to_a_gba_recipient_without_a_transfer_record(company):
    _person(company, "Wong Ka Ho", Residency.HONG_KONG)
    _person(company, "Leong Sio Man", Residency.MACAO)

    for recipient in (_recipient(Residency.HONG_KONG), _recipient(Residency.SHENZHEN, country="CN")):
        personal_data_transfer_check(company=company, recipient=recipient)
    assert not CrossBorderTransfer.objects.filter(company=company).exists()


def test_a_record_whose_residency_was_never_stated_counts_as_a_mainland_residents(company, officer):
    person = _person(company, "Old Record", Residency.NOT_STATED)
    hong_kong = _recipient(Residency.HONG_KONG)

    (withheld,) = withheld_personal_records(company=company, recipient=hong_kong)
    assert withheld.person == person
    assert "residency is not stated" in withheld.reason

    _legal_basis(company, officer)
    personal_data_transfer_check(company=company, recipient=hong_kong)
    with pytest.raises(TransferRefused, match="outside the Greater Bay Area"):
        personal_data_transfer_check(company=company, recipient=_recipient(Residency.ELSEWHERE, country="GB"))


def test_a_resident_of_the_mainland_outside_the_gba_is_withheld_from_everyone(company, officer):
    _person(company, "Zhang San", Residency.MAINLAND_OTHER)
    _legal_basis(company, officer, consent=False)

    with pytest.raises(TransferRefused, match="outside the Greater Bay Area"):
        personal_data_transfer_check(company=company, recipient=_recipient(Residency.HONG_KONG))


def test_only_the_withheld_people_are_listed_each_with_its_reason(company, officer):
    _person(company, "Wong Ka Ho", Residency.HONG_KONG)
    consenting = _person(company, "Chen Hua", Residency.SHENZHEN)
    silent = _person(company, "Li Na", Residency.DONGGUAN)
    transfer_consent_record(
        user=company.representative,
        person_id=consenting.pk,
        consented_on=timezone.localdate(),
        separate_consent=True,
    )
    _legal_basis(company, officer, consent=False)

    withheld = withheld_personal_records(company=company, recipient=_recipient(Residency.HONG_KONG))

    assert [(w.person, "separate consent" in w.reason) for w in withheld] == [(silent, True)]


def test_a_withdrawn_consent_stops_the_transfer_at_once(company, officer):
    person = _person(company, "Chen Hua", Residency.SHENZHEN)
    _legal_basis(company, officer)
    recipient = _recipient(Residency.HONG_KONG)
    personal_data_transfer_check(company=company, recipient=recipient)

    transfer_consent_withdraw(user=company.representative, person_id=person.pk)

    with pytest.raises(TransferRefused, match="separate consent"):
        personal_data_transfer_check(company=company, recipient=recipient)
    assert AuditEvent.objects.filter(action="transfer_consent_withdrawn").count() == 1


def test_the_consent_records_who_when_and_the_texts_version_and_fingerprint(company):
    person = _person(company, "Chen Hua", Residency.SHENZHEN)
    day = timezone.localdate() - timedelta(days=2)

    consent = transfer_consent_record(
        user=company.representative, person_id=person.pk, consented_on=day, separate_consent=True
    )

    assert (consent.person, consent.consented_on, consent.recorded_by) == (
        person,
        day,
        company.representative,
    )
    assert consent.text_sha256 == TRANSFER_CONSENT_SHA256
    assert len(consent.text_version) > 0
    event = AuditEvent.objects.get(action="transfer_consent_recorded")
    assert event.data["text_sha256"] == TRANSFER_CONSENT_SHA256


def test_a_consent_without_its_own_tick_or_with_a_future_date_is_refused_and_nothing_is_kept(company):
    person = _person(company, "Chen Hua", Residency.SHENZHEN)

    with pytest.raises(ValidationFailed) as refused:
        transfer_consent_record(
            user=company.representative,
            person_id=person.pk,
            consented_on=timezone.localdate() + timedelta(days=1),
            separate_consent=False,
        )

    assert set(refused.value.fields) == {"consented_on", "separate_consent"}
    assert not TransferConsent.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_second_live_consent_and_a_consent_nobody_needs_are_refused(company):
    person = _person(company, "Chen Hua", Residency.SHENZHEN)
    hong_konger = _person(company, "Wong Ka Ho", Residency.HONG_KONG)
    today = timezone.localdate()
    transfer_consent_record(
        user=company.representative, person_id=person.pk, consented_on=today, separate_consent=True
    )

    with pytest.raises(Conflict):
        transfer_consent_record(
            user=company.representative, person_id=person.pk, consented_on=today, separate_consent=True
        )
    with pytest.raises(ValidationFailed, match="no consent to a transfer is needed"):
        transfer_consent_record(
            user=company.representative, person_id=hong_konger.pk, consented_on=today, separate_consent=True
        )
    assert TransferConsent.objects.count() == 1


def test_only_the_companys_own_representative_records_its_peoples_consent(company, officer):
    person = _person(company, "Chen Hua", Residency.SHENZHEN)
    other_sme = CompanyFactory().representative
    today = timezone.localdate()

    with pytest.raises(PermissionDenied):
        transfer_consent_record(user=officer, person_id=person.pk, consented_on=today, separate_consent=True)
    with pytest.raises(Exception, match="No such person"):
        transfer_consent_record(
            user=other_sme, person_id=person.pk, consented_on=today, separate_consent=True
        )
    assert not TransferConsent.objects.exists()


def test_only_compliance_records_the_assessment_and_the_filing(company):
    today = timezone.localdate()
    for user in (company.representative, UserFactory(role=Role.INVESTOR), UserFactory(role=Role.OPERATOR)):
        with pytest.raises(PermissionDenied):
            transfer_assessment_record(
                user=user, company_id=company.pk, assessed_on=today, conclusion=PiaConclusion.RISKS_ACCEPTABLE
            )
        with pytest.raises(PermissionDenied):
            transfer_filing_record(
                user=user,
                company_id=company.pk,
                authority=FilingAuthority.GUANGDONG_CAC,
                reference="GD-1",
                filed_on=today,
            )
    assert not CrossBorderTransfer.objects.exists()


def test_a_future_assessment_date_and_an_empty_filing_reference_are_field_errors_that_change_nothing(
    company, officer
):
    tomorrow = timezone.localdate() + timedelta(days=1)

    with pytest.raises(ValidationFailed) as assessment:
        transfer_assessment_record(
            user=officer, company_id=company.pk, assessed_on=tomorrow, conclusion="maybe"
        )
    with pytest.raises(ValidationFailed) as filing:
        transfer_filing_record(
            user=officer, company_id=company.pk, authority="nowhere", reference="   ", filed_on=tomorrow
        )

    assert set(assessment.value.fields) == {"assessed_on", "conclusion"}
    assert set(filing.value.fields) == {"authority", "reference", "filed_on"}
    assert not CrossBorderTransfer.objects.filter(pia_assessed_on__isnull=False).exists()
    assert not CrossBorderTransfer.objects.filter(filed_on__isnull=False).exists()
    assert not AuditEvent.objects.exists()


def test_the_assessment_and_filing_record_who_and_what_in_the_audit_trail(company, officer):
    _legal_basis(company, officer)

    transfer = CrossBorderTransfer.objects.get(company=company)
    assert (transfer.pia_reviewer, transfer.filing_recorded_by) == (officer, officer)
    assert transfer.filing_reference == "GD-SC-2026-0042"
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["transfer_assessment_recorded", "transfer_filing_recorded"]
