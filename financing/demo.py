"""Seed data for the embedded demo: one user per role, a verified SME with an open bond offering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.services import staff_user_create
from compliance.licences.choices import IntermediaryRole, LicenceKind, RegulatedActivity
from compliance.licences.services import intermediary_create, licence_create
from compliance.models import Intermediary, InvestorProfile
from compliance.screening.services import sanctions_list_import, shipped_list_file
from compliance.services import (
    company_kyb_decide,
    demo_fund_investor,
    investor_document_upload,
    investor_kyc_decide,
    investor_kyc_save,
    investor_kyc_submit,
    investor_person_save,
)
from financing.agreements import accepted_versions
from financing.choices import OfferingDocumentKind, OfferingStatus
from financing.models import Offering
from financing.selectors import current_documents
from financing.services import (
    application_decide,
    application_save,
    application_submit,
    offering_close,
    offering_document_open,
    offering_document_upload,
    offering_open,
    subscription_create,
)
from financing.services.servicing import servicing_run
from financing.trade.services import trade_document_add
from issuers.choices import MAINLAND_GBA_RESIDENCIES, DocumentKind, FilingAuthority, PiaConclusion, Residency
from issuers.models import Company
from issuers.services import (
    company_profile_save,
    company_save,
    company_submit_for_kyb,
    document_upload,
    person_save,
)
from issuers.sharing.demo import seed_consent
from issuers.transfers import transfer_assessment_record, transfer_consent_record, transfer_filing_record

DEMO_PASSWORD = "demo-pass-2026"
# Staff must use two-factor authentication: the demo's staff accounts come with authenticator apps set
# up on these fixed, public secrets (base32, as an app takes them), so a visitor can add one to a phone
# or print the current code with `manage.py totp_code <email>`. Demo only: never real accounts.
DEMO_TOTP_SECRETS = {
    "operator@demo.hk": "DEMOOPERATORBAYAREACAPITALCONNEC",
    "officer@demo.hk": "DEMOOFFICERBAYAREACAPITALCONNECT",
    "approver@demo.hk": "DEMOAPPROVERBAYAREACAPITALCONNEC",
}


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: Role


DEMO_USERS = (
    DemoUser("operator@demo.hk", "Olivia Operator", Role.OPERATOR),
    DemoUser("officer@demo.hk", "Oscar Officer", Role.OFFICER),
    DemoUser("approver@demo.hk", "Ada Approver", Role.APPROVER),
    DemoUser("sme@demo.hk", "Sam Chan", Role.SME),
    DemoUser("investor@demo.hk", "Ivy Wong", Role.INVESTOR),
    DemoUser("investor2@demo.hk", "Ivan Lee", Role.INVESTOR),
    DemoUser("sme2@demo.hk", "Tina Wu", Role.SME),
    DemoUser("investor3@demo.hk", "Chris Tang", Role.INVESTOR),
)


def sample_pdf(title: str) -> ContentFile[bytes]:
    """A small, valid one-page PDF standing in for a scanned document."""
    text = title.replace("(", "[").replace(")", "]")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return ContentFile(body, name=f"{title.lower().replace(' ', '-')}.pdf")


def complete_company_onboarding(
    sme: User,
    *,
    director: str,
    owner: str,
    owner_born: date = date(1982, 11, 2),
    owner_residency: str = Residency.HONG_KONG,
) -> None:
    """Fill steps 2 to 4 of onboarding: profile, people and the three KYB documents.

    The director lives in Hong Kong; the owner (a mainland national) in Hong Kong too unless
    `owner_residency` says otherwise (a mainland city brings in the cross-border transfer rules).
    """
    company_profile_save(
        user=sme,
        is_technology=True,
        annual_revenue=Decimal("38500000.00"),
        employees=86,
        years_trading=9,
        founded_year=2017,
        description=(
            "Designs and builds autonomous mobile robots for warehouses and factories in the Greater Bay "
            "Area, with an assembly plant in Dongguan and a research team in Hong Kong Science Park."
        ),
        srdi_tier="provincial",
        srdi_batch="2025 batch 2",
        srdi_authority="Guangdong Department of Industry",
        srdi_valid_from=date(2025, 7, 1),
        srdi_valid_until=date(2028, 6, 30),
    )
    person_save(
        user=sme,
        full_name=director,
        nationality="HK",
        residency=Residency.HONG_KONG,
        birth_date=date(1979, 3, 14),
        is_director=True,
        is_beneficial_owner=True,
        ownership_percent=Decimal("40.00"),
    )
    person_save(
        user=sme,
        full_name=owner,
        nationality="CN",
        residency=owner_residency,
        birth_date=owner_born,
        is_director=False,
        is_beneficial_owner=True,
        ownership_percent=Decimal("35.00"),
    )
    company = Company.objects.get(representative=sme)
    for kind in DocumentKind:
        document_upload(user=sme, kind=kind, upload=sample_pdf(f"{kind.label} {company.legal_name_en}"))


def complete_investor_evidence(
    investor: User,
    *,
    legal_name: str,
    portfolio: Decimal,
    evidence_date: date | None = None,
    investor_type: str = "individual",
    total_assets: Decimal = Decimal("0"),
    birth_date: date = date(1984, 6, 12),
) -> InvestorProfile:
    """Save an investor's details with identity, proof of address and (from HKD 8m) dated PI evidence.

    The evidence is a custodian statement dated `evidence_date` (a month ago by default), so the
    professional-investor claim verifies on approval.
    """
    claims = portfolio >= Decimal("8000000") or total_assets >= Decimal("40000000")
    profile = investor_kyc_save(
        user=investor,
        investor_type=investor_type,
        legal_name=legal_name,
        country="HK",
        residency=Residency.HONG_KONG,
        id_document_number="A123456(7)",
        declared_portfolio_hkd=portfolio,
        total_assets_hkd=total_assets,
        claims_professional=claims,
        birth_date=birth_date,
    )
    investor_document_upload(
        user=investor, kind="identity", upload=sample_pdf(f"Identity document {legal_name} {investor.pk}")
    )
    investor_document_upload(
        user=investor, kind="address", upload=sample_pdf(f"Proof of address {legal_name} {investor.pk}")
    )
    if claims:
        investor_document_upload(
            user=investor,
            kind="pi_evidence",
            evidence_type="statement",
            document_date=evidence_date or timezone.localdate() - timedelta(days=30),
            upload=sample_pdf(f"Custodian statement {legal_name} {investor.pk} {evidence_date or 'recent'}"),
        )
    if investor_type != "individual":
        investor_person_save(
            user=investor,
            full_name=f"{legal_name} Director",
            nationality="HK",
            residency=Residency.HONG_KONG,
            birth_date=date(1975, 5, 6),
            is_director=True,
            is_beneficial_owner=True,
            ownership_percent=Decimal("60.00"),
        )
    return profile


def demo_arranger(officer: User) -> Intermediary:
    """The demo's arranger on the licence register: type 1 and 6, valid for two more years."""
    arranger = intermediary_create(
        actor=officer,
        name="Bay Harbour Securities Limited",
        ce_number="BHS001",
        roles=[IntermediaryRole.ARRANGER, IntermediaryRole.PLACING_AGENT],
    )
    licence_create(
        actor=officer,
        intermediary_id=arranger.pk,
        kind=LicenceKind.LICENSED_CORPORATION,
        activities=[RegulatedActivity.DEALING_IN_SECURITIES, RegulatedActivity.ADVISING_ON_CORPORATE_FINANCE],
        valid_from=date.today() - timedelta(days=3 * 365),
        valid_until=date.today() + timedelta(days=2 * 365),
    )
    return arranger


def demo_sanctions_list() -> str:
    """Import the OFAC list so the demo's submissions are screened (about 5 s, once); what happened."""
    path = shipped_list_file()
    if path is None:
        # Without a list nothing can be screened: the demo approves its parties unscreened.
        settings.SANCTIONS_SCREENING_REQUIRED = False
        return "No sanctions list file found: screening is off in this demo (set SANCTIONS_DEMO_LIST_FILE)."
    version, created = sanctions_list_import(path=path, rescreen=False)
    return f"Sanctions list {version.name}: {version.entry_count} entries" + (
        " imported." if created else " (already imported)."
    )


def demo_two_factor() -> dict[str, str]:
    """Give the demo's staff their authenticator (the fixed secrets above), once; their current codes."""
    from base64 import b32decode

    from accounts.testing import code_now, totp_device

    codes = {}
    for email, secret in DEMO_TOTP_SECRETS.items():
        user = User.objects.filter(email=email).first()
        if user is not None:
            codes[email] = code_now(totp_device(user, key=b32decode(secret).hex()))
    return codes


def seed_demo() -> list[DemoUser]:
    """Create the demo users and the open demo offering (skipped when already there)."""
    if User.objects.filter(email=DEMO_USERS[0].email).exists():
        return list(DEMO_USERS)
    users: dict[str, User] = {}
    for demo in DEMO_USERS:
        users[demo.email] = staff_user_create(
            email=demo.email, password=DEMO_PASSWORD, full_name=demo.name, role=demo.role
        )
    officer = users["officer@demo.hk"]
    sme = users["sme@demo.hk"]
    company = company_save(
        user=sme,
        legal_name_en="Pearl River Robotics Limited",
        legal_name_zh="珠江機械人有限公司",
        jurisdiction="HK",
        registration_number="12345678",
        industry="robotics",
    )
    complete_company_onboarding(
        sme, director="Sam Chan", owner="Grace Chan", owner_residency=Residency.DONGGUAN
    )
    company_submit_for_kyb(user=sme)
    company_kyb_decide(actor=officer, company=company, approve=True, reason="Documents verified.")
    seed_cross_border_record(sme, officer, company)
    demo_arranger(officer)
    _open_bond(
        users,
        title="Pearl River Robotics 6.5% Notes 2029",
        rate="0.065",
        frequency="semiannual",
        issue=date.today() + timedelta(days=30),
        years=3,
        target=Decimal("5000000.00"),
        use_of_proceeds="A second assembly line in Dongguan for warehouse robots.",
        closes_in=timedelta(days=21),
    )
    for email, name, portfolio in (
        ("investor@demo.hk", "Ivy Wong", Decimal("12000000")),
        ("investor2@demo.hk", "Ivan Lee", Decimal("9500000")),
    ):
        investor = users[email]
        complete_investor_evidence(investor, legal_name=name, portfolio=portfolio)
        investor_kyc_submit(user=investor)
        profile = InvestorProfile.objects.get(user=investor)
        investor_kyc_decide(
            actor=officer, profile=profile, approve=True, reason="Professional investor evidence seen."
        )
        demo_fund_investor(actor=investor, amount_hkd=Decimal("2000000"))
        demo_fund_investor(actor=investor, amount_hkd=Decimal("250000"), currency="USD")
    seed_serviced_bond(users)
    seed_trade_finance(users)
    seed_review_work(users)
    seed_consent(sme=sme, recipient=users["investor@demo.hk"])
    return list(DEMO_USERS)


def _open_bond(
    users: dict[str, User],
    *,
    title: str,
    rate: str,
    frequency: str,
    issue: date,
    years: int,
    target: Decimal,
    use_of_proceeds: str,
    closes_in: timedelta,
) -> Offering:
    """A Pearl River Robotics bond in HKD 1,000 units (at least a fifth of the target), submitted,
    approved by the officer with the demo's arranger and opened by the operator."""
    sme, officer = users["sme@demo.hk"], users["officer@demo.hk"]
    application = application_save(
        user=sme,
        instrument="bond",
        title=title,
        currency="HKD",
        target_amount=target,
        minimum_amount=target / 5,
        use_of_proceeds=use_of_proceeds,
        terms={
            "unit_price": Decimal("1000.00"),
            "annual_rate": rate,
            "frequency": frequency,
            "start_date": issue,
            "maturity_date": issue.replace(year=issue.year + years),
        },
    )
    application_submit(user=sme, application_id=application.pk)
    application_decide(
        actor=officer,
        application_id=application.pk,
        decision="approve",
        reason="Meets the bond programme rules.",
        closes_at=timezone.now() + closes_in,
        arranger_id=Intermediary.objects.get(ce_number="BHS001").pk,
    )
    offering = Offering.objects.get(application=application)
    seed_offering_documents(sme, offering)
    if offering.status == OfferingStatus.READY:
        offering_open(actor=users["operator@demo.hk"], offering_id=offering.pk)
    return offering


def seed_cross_border_record(sme: User, officer: User, company: Company) -> None:
    """The demo company's mainland owner consents; compliance records the assessment and the filing."""
    today = timezone.localdate()
    for person in company.people.filter(residency__in=MAINLAND_GBA_RESIDENCIES):
        transfer_consent_record(
            user=sme, person_id=person.pk, consented_on=today - timedelta(days=20), separate_consent=True
        )
    transfer_assessment_record(
        user=officer,
        company_id=company.pk,
        assessed_on=today - timedelta(days=15),
        conclusion=PiaConclusion.RISKS_ACCEPTABLE,
        summary="Encrypted at rest; shared only by the company's consent inside the Greater Bay Area.",
    )
    transfer_filing_record(
        user=officer,
        company_id=company.pk,
        authority=FilingAuthority.GUANGDONG_CAC,
        reference="GD-GBA-SC-2026-0117",
        filed_on=today - timedelta(days=10),
    )


def seed_offering_documents(sme: User, offering: Offering) -> None:
    """The documents investors read before subscribing: term sheet, information memorandum, financials."""
    title = offering.application.title
    company = offering.application.company.legal_name_en
    for kind, name in (
        (OfferingDocumentKind.TERM_SHEET, f"Term sheet: {title}"),
        (OfferingDocumentKind.INFORMATION_MEMORANDUM, f"Information memorandum: {title}"),
        (OfferingDocumentKind.ISSUER_FINANCIALS, f"Audited financial statements 2025: {company}"),
    ):
        upload = sample_pdf(name.replace(":", ""))
        offering_document_upload(actor=sme, offering_id=offering.pk, kind=kind, title=name, upload=upload)


def seed_serviced_bond(users: dict[str, User]) -> Offering:
    """A one-year quarterly bond issued 80 days ago, settled to the two investors and in servicing: its
    first coupon falls due within the funding notice, so it awaits the SME's funding."""
    offering = _open_bond(
        users,
        title="Pearl River Robotics 5.5% Notes 2027",
        rate="0.055",
        frequency="quarterly",
        issue=date.today() - timedelta(days=80),
        years=1,
        target=Decimal("1000000.00"),
        use_of_proceeds="Spare parts stock for the installed robot fleet.",
        closes_in=timedelta(days=1),
    )
    operator = users["operator@demo.hk"]
    for email in ("investor@demo.hk", "investor2@demo.hk"):  # they read the documents first
        for document in current_documents(offering):
            offering_document_open(user=users[email], document_id=document.pk)
    subscription_create(
        user=users["investor@demo.hk"], offering_id=offering.pk, units=600, **accepted_versions()
    )
    subscription_create(
        user=users["investor2@demo.hk"], offering_id=offering.pk, units=400, **accepted_versions()
    )
    offering_close(actor=operator, offering_id=offering.pk)
    servicing_run()
    return Offering.objects.get(pk=offering.pk)


def seed_review_work(users: dict[str, User]) -> None:
    """Work waiting in the review queue, as a compliance team finds it on a Monday morning.

    - Tsuen Wan Freight's KYB: its owner is "Moon Chi Wong", born 1961: the SDN list's "WONG, Moon
      Chi" (SDNTK, born 1961), a match to confirm;
    - Chris Tang's KYC: the name of a listed Hong Kong official ("TANG, Chris", born 1965) and born a
      year later: a possible match to clear once the identity document and occupation show otherwise;
    - a second Pearl River Robotics bond of HKD 20m: above the amount one officer may approve alone.
    """
    sme = users["sme2@demo.hk"]
    company_save(
        user=sme,
        legal_name_en="Tsuen Wan Freight Limited",
        legal_name_zh="荃灣貨運有限公司",
        jurisdiction="HK",
        registration_number="23456789",
        industry="logistics",
    )
    complete_company_onboarding(
        sme,
        director="Tina Wu",
        owner="Moon Chi Wong",
        owner_born=date(1961, 3, 18),
        owner_residency=Residency.SHENZHEN,  # no consent yet: the cross-border page shows it withheld
    )
    company_submit_for_kyb(user=sme)
    investor = users["investor3@demo.hk"]
    complete_investor_evidence(
        investor, legal_name="Chris Tang", portfolio=Decimal("8800000"), birth_date=date(1966, 2, 9)
    )
    investor_kyc_submit(user=investor)
    issue = date.today() + timedelta(days=45)
    application = application_save(
        user=users["sme@demo.hk"],
        instrument="bond",
        title="Pearl River Robotics 6% Notes 2030",
        currency="HKD",
        target_amount=Decimal("20000000.00"),
        minimum_amount=Decimal("5000000.00"),
        use_of_proceeds="A robotics research centre in the Shenzhen-Hong Kong innovation zone.",
        terms={
            "unit_price": Decimal("1000.00"),
            "annual_rate": "0.06",
            "frequency": "semiannual",
            "start_date": issue,
            "maturity_date": issue.replace(year=issue.year + 4),
        },
    )
    application_submit(user=users["sme@demo.hk"], application_id=application.pk)


def _open_trade_finance(
    users: dict[str, User],
    *,
    title: str,
    target: Decimal,
    maturity: date,
    use_of_proceeds: str,
    documents: list[tuple[str, dict[str, str], str | None]],
) -> Offering:
    """A Pearl River Robotics trade finance at 7% a year: its documents added, submitted, approved (their
    fingerprints registered on the demo chain as the approval does) and opened by the operator."""
    sme, officer = users["sme@demo.hk"], users["officer@demo.hk"]
    application = application_save(
        user=sme,
        instrument="trade",
        title=title,
        currency="HKD",
        target_amount=target,
        minimum_amount=target / 5,
        use_of_proceeds=use_of_proceeds,
        terms={
            "unit_price": Decimal("1000.00"),
            "annual_rate": "0.07",
            "start_date": date.today() + timedelta(days=14),
            "maturity_date": maturity,
        },
    )
    for kind, fields, value in documents:
        trade_document_add(user=sme, application_id=application.pk, kind=kind, fields=fields, value=value)
    application_submit(user=sme, application_id=application.pk)
    application_decide(
        actor=officer,
        application_id=application.pk,
        decision="approve",
        reason="Invoices checked with the buyers; documents registered before opening.",
        closes_at=timezone.now() + timedelta(days=10),
        arranger_id=Intermediary.objects.get(ce_number="BHS001").pk,
    )
    offering = Offering.objects.get(application=application)
    seed_offering_documents(sme, offering)
    offering.refresh_from_db()
    if offering.status == OfferingStatus.READY:  # every document's registration confirmed
        offering_open(actor=users["operator@demo.hk"], offering_id=offering.pk)
    return offering


def seed_trade_finance(users: dict[str, User]) -> list[Offering]:
    """Two open trade finances of Pearl River Robotics: two invoices to its buyers, and one shipment
    under an electronic bill of lading held on essDOCS; every document registered on the demo chain."""
    issued = date.today() - timedelta(days=12)
    due = date.today() + timedelta(days=75)

    def invoice(number: str, buyer: str, amount: str, due_date: date) -> tuple[str, dict[str, str], None]:
        fields = {
            "issuer_jurisdiction": "HK",
            "issuer_registration_number": "12345678",
            "buyer_name": buyer,
            "buyer_registration_number": "",
            "invoice_number": number,
            "amount": amount,
            "currency": "HKD",
            "issue_date": issued.isoformat(),
            "due_date": due_date.isoformat(),
        }
        return ("invoice", fields, None)

    receivables = _open_trade_finance(
        users,
        title="Pearl River Robotics receivables 7% 2027",
        target=Decimal("750000.00"),
        maturity=due + timedelta(days=20),
        use_of_proceeds="Components for the robots delivered to the two buyers, until they pay.",
        documents=[
            invoice("PRR-INV-0042", "Greater Bay Electronics Limited", "480000.00", due),
            invoice(
                "PRR-INV-0043", "Shenzhen Harbour Logistics Co., Ltd.", "320000.00", due + timedelta(days=15)
            ),
        ],
    )
    bill = {
        "carrier": "COSCO Shipping Lines Co., Ltd.",
        "vessel": "MV Cosco Harmony",
        "port_of_loading": "Shekou, Shenzhen",
        "port_of_discharge": "Rotterdam",
        "bl_number": "COSU6123456780",
        "issue_date": (date.today() - timedelta(days=6)).isoformat(),
        "platform": "essdocs",
        "control_reference": "CD-2026-004512",
    }
    shipment = _open_trade_finance(
        users,
        title="Pearl River Robotics shipment to Rotterdam 7% 2027",
        target=Decimal("1000000.00"),
        maturity=date.today() + timedelta(days=120),
        use_of_proceeds="Forty warehouse robots shipped to a European distributor, financed until it pays.",
        documents=[("bill_of_lading", bill, "1200000.00")],
    )
    return [receivables, shipment]
