"""Attestations: issued on the holder's request when the fact holds, downloaded as EIP-712 typed data that
verifies offline (eth-account, and ethers in Node) and fails once changed, revoked on chain by staff and
when the fact stops holding, and checked by anyone through the API and the public page."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from eth_account import Account
from eth_account.messages import encode_typed_data

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from compliance.attestations import services as attestation_services
from compliance.choices import AttestationStatus
from compliance.models import Attestation, InvestorProfile
from compliance.services import investor_kyc_revoke, investor_pi_lapse
from compliance.wallets.choices import LinkedWalletStatus
from compliance.wallets.models import LinkedWallet
from tests import flows
from tests.conftest import wait_for
from tokens import chain as tokens_chain
from tokens import signer
from tokens.choices import ContractKind, WalletKind
from tokens.models import Wallet
from tokens.selectors import platform_contract

ROOT = Path(__file__).resolve().parents[2]
VERIFY_API = "/api/v1/attestations/verify/"


def _attester() -> str:
    return Wallet.objects.get(kind=WalletKind.ATTESTER).address


def _eth_account_signer(document: dict[str, Any]) -> str:
    typed = {key: document[key] for key in ("domain", "types", "primaryType", "message")}
    return Account.recover_message(encode_typed_data(full_message=typed), signature=document["signature"])


def _ethers_signer(document: dict[str, Any], tmp_path: Path) -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    path = tmp_path / "attestation.json"
    path.write_text(json.dumps(document))
    result = subprocess.run(
        [node, "tests/ethers_verify_typed_data.mjs", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _download(client, attestation: Attestation) -> dict[str, Any]:
    response = client.get(reverse("attestations:download", args=[attestation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.json"')
    return json.loads(response.content)


def _pi_attestation(client) -> tuple[InvestorProfile, Attestation]:
    investor = flows.approved_investor(by=flows.officer())
    client.force_login(investor)
    response = client.post(
        "/api/v1/attestations/", {"kind": "professional_investor"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return flows.profile_of(investor), Attestation.objects.get(pk=response.json()["id"])


def _is_revoked_on_chain(digest: str) -> bool:
    registry = platform_contract(ContractKind.ATTESTATION_REGISTRY)
    return bool(
        tokens_chain.call("AttestationRegistry", registry.address, "isRevoked", bytes.fromhex(digest[2:]))
    )


def test_a_verified_company_downloads_an_attestation_that_verifies_offline_and_fails_once_changed(
    platform, client, tmp_path
):
    company = flows.verified_company(by=flows.officer())
    client.force_login(company.representative)
    kyb_page = client.get(reverse("issuers:company_kyb") + "?step=review")
    assert "Get a signed attestation" in kyb_page.content.decode()

    issued = client.post(reverse("attestations:issue"), {"kind": "company_verified"})
    assert issued.status_code == 302
    listing = client.get(reverse("attestations:list")).content.decode()
    attestation = Attestation.objects.get(company=company)
    assert reverse("attestations:download", args=[attestation.pk]) in listing
    document = _download(client, attestation)

    assert list(document) == ["domain", "types", "primaryType", "message", "signature"]
    assert "EIP712Domain" in document["types"]
    assert document["primaryType"] == "CompanyVerified"
    assert document["domain"] == {
        "name": "Bay Area Capital Connect",
        "version": "1",
        "chainId": tokens_chain.chain_id(),
        "verifyingContract": platform_contract(ContractKind.ATTESTATION_REGISTRY).address,
    }
    message = document["message"]
    assert message["company"] == company.legal_name_en
    assert message["registrationNumber"] == company.registration_number
    assert message["jurisdiction"] == "HK"
    assert message["kybPassedOn"] == timezone.localdate().isoformat()
    fingerprints = sorted("0x" + d.sha256 for d in company.documents.all())
    assert fingerprints
    assert message["documentFingerprints"] == fingerprints
    assert message["validUntil"] > message["issuedAt"]

    # Offline, with only the published address: eth-account and ethers (an independent library) agree.
    attester = client.get("/api/v1/attestations/issuer/").json()["attester"]
    assert attester == _attester()
    assert _eth_account_signer(document) == attester
    assert _ethers_signer(document, tmp_path) == attester

    # One character of the message changed: neither library recovers the platform's address.
    tampered = copy.deepcopy(document)
    tampered["message"]["company"] = message["company"][:-1] + ("X" if message["company"][-1] != "X" else "Y")
    assert _eth_account_signer(tampered) != attester
    assert _ethers_signer(tampered, tmp_path) != attester
    changed_day = copy.deepcopy(document)
    changed_day["message"]["kybPassedOn"] = "2020" + message["kybPassedOn"][4:]
    assert _eth_account_signer(changed_day) != attester
    assert _ethers_signer(changed_day, tmp_path) != attester

    # The verify API (no log-in) says the same, with the statement in words.
    client.logout()
    answer = client.post(VERIFY_API, document, content_type="application/json")
    assert answer.status_code == 200
    result = answer.json()
    assert result["valid"] is True
    assert (result["signed_by_platform"], result["expired"], result["revoked"]) == (True, False, False)
    assert result["signer"] == attester
    assert result["digest"] == attestation.digest
    assert company.legal_name_en in result["statement"]
    assert company.registration_number in result["statement"]
    bad = client.post(VERIFY_API, tampered, content_type="application/json").json()
    assert (bad["valid"], bad["signed_by_platform"]) == (False, False)
    assert "changed after it was signed" in bad["problems"][0]


def test_a_professional_investor_attests_its_wallet_through_the_api(platform, client, tmp_path):
    profile, attestation = _pi_attestation(client)
    document = client.get(f"/api/v1/attestations/{attestation.pk}/download/").json()
    assert document["primaryType"] == "ProfessionalInvestor"
    assert document["message"]["wallet"] == profile.wallet.address
    assert document["message"]["professionalUntil"] == profile.pi_valid_until.isoformat()
    assert _ethers_signer(document, tmp_path) == _attester()
    listed = client.get("/api/v1/attestations/").json()
    assert listed["count"] == 1
    assert listed["results"][0]["status"] == "active"
    assert profile.wallet.address in listed["results"][0]["statement"]
    # Another holder sees neither the attestation nor its file.
    client.force_login(flows.approved_investor(by=flows.officer()))
    assert client.get("/api/v1/attestations/").json()["count"] == 0
    assert client.get(f"/api/v1/attestations/{attestation.pk}/download/").status_code == 404
    assert client.get(reverse("attestations:download", args=[attestation.pk])).status_code == 404


def test_an_investor_attests_a_linked_wallet_once_it_is_registered_and_no_other(platform, client):
    investor = flows.approved_investor(by=flows.officer())
    client.force_login(investor)
    own = Account.create().address
    pending = Account.create().address
    for address, status in ((own, LinkedWalletStatus.REGISTERED), (pending, LinkedWalletStatus.REGISTERING)):
        LinkedWallet.objects.create(
            investor=investor.investor, address=address, status=status, message="signed", signature="0x"
        )
    page = client.get(reverse("attestations:list")).content.decode()
    assert own in page  # the chooser offers registered wallets only
    assert pending not in page

    refused = client.post(reverse("attestations:issue"), {"kind": "professional_investor", "wallet": pending})
    assert refused.status_code == 400
    assert Attestation.objects.count() == 0

    issued = client.post(reverse("attestations:issue"), {"kind": "professional_investor", "wallet": own})
    assert issued.status_code == 302
    attestation = Attestation.objects.get()
    document = client.get(reverse("attestations:download", args=[attestation.pk]))
    typed = json.loads(b"".join(document.streaming_content) if document.streaming else document.content)
    assert typed["message"]["wallet"] == own
    assert _eth_account_signer(typed) == _attester()


def test_an_attestation_is_refused_when_the_fact_does_not_hold_and_nothing_is_stored(platform, client):
    officer = flows.officer()
    company = flows.submitted_company(name="Tsing Yi Parts Limited")
    client.force_login(company.representative)
    refused = client.post(reverse("attestations:issue"), {"kind": "company_verified"})
    assert refused.status_code == 400
    assert "not verified" in refused.content.decode()

    retail = flows.approved_investor(by=officer, portfolio=Decimal("100000"))
    client.force_login(retail)
    answer = client.post(
        "/api/v1/attestations/", {"kind": "professional_investor"}, content_type="application/json"
    )
    assert answer.status_code == 409
    assert "not a verified professional investor" in answer.json()["detail"]
    wrong_kind = client.post(
        "/api/v1/attestations/", {"kind": "company_verified"}, content_type="application/json"
    )
    assert wrong_kind.status_code == 403
    unknown = client.post("/api/v1/attestations/", {"kind": "nonsense"}, content_type="application/json")
    assert unknown.status_code == 400
    assert "kind" in unknown.json()
    assert Attestation.objects.count() == 0


def test_compliance_revokes_an_attestation_on_chain_and_the_verifier_sees_it(platform, client):
    _, attestation = _pi_attestation(client)
    document = client.get(f"/api/v1/attestations/{attestation.pk}/download/").json()
    officer = flows.officer()
    client.force_login(officer)
    url = f"/api/v1/attestations/{attestation.pk}/revoke/"
    no_reason = client.post(url, {"reason": " "}, content_type="application/json")
    assert no_reason.status_code == 400
    attestation.refresh_from_db()
    assert attestation.status == AttestationStatus.ACTIVE
    assert attestation.revocation_tx is None

    revoked = client.post(url, {"reason": "Evidence found forged"}, content_type="application/json")
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["status"] == "revoked"
    wait_for(lambda: _is_revoked_on_chain(attestation.digest), what="the revocation on chain")
    wait_for(
        lambda: Attestation.objects.get(pk=attestation.pk).revoked_on_chain_at is not None,
        what="the confirmed revocation",
    )
    assert client.post(url, {"reason": "again"}, content_type="application/json").status_code == 409

    client.logout()
    result = client.post(VERIFY_API, document, content_type="application/json").json()
    assert (result["valid"], result["revoked"], result["signed_by_platform"]) == (False, True, True)
    assert result["revoked_at"] is not None
    page = client.post(reverse("attestations:verify"), {"document": json.dumps(document)})
    assert "The platform has revoked it." in page.content.decode()


def test_only_compliance_revokes(platform, client):
    _, attestation = _pi_attestation(client)
    for role in (Role.OPERATOR, Role.INVESTOR, Role.SME):
        client.force_login(UserFactory(role=role))
        answer = client.post(
            f"/api/v1/attestations/{attestation.pk}/revoke/",
            {"reason": "no"},
            content_type="application/json",
        )
        assert answer.status_code == 403
    assert Attestation.objects.get(pk=attestation.pk).status == AttestationStatus.ACTIVE


def test_attestations_are_revoked_when_the_approval_is_revoked_or_the_pi_status_lapses(platform, client):
    profile, first = _pi_attestation(client)
    investor_kyc_revoke(
        actor=flows.officer(), profile_id=profile.pk, reason="Identity document reported stolen"
    )
    first.refresh_from_db()
    assert first.status == AttestationStatus.REVOKED
    assert first.revocation_reason == "Identity document reported stolen"
    wait_for(lambda: _is_revoked_on_chain(first.digest), what="the revocation on chain")

    profile, second = _pi_attestation(client)
    lapse_day = profile.pi_valid_until
    investor_pi_lapse(profile_id=profile.pk, today=lapse_day)
    second.refresh_from_db()
    assert second.status == AttestationStatus.REVOKED
    assert "expired" in second.revocation_reason
    wait_for(lambda: _is_revoked_on_chain(second.digest), what="the revocation on chain")


def test_an_expired_attestation_is_reported_expired(platform, client):
    registry = platform_contract(ContractKind.ATTESTATION_REGISTRY)
    now = int(timezone.now().timestamp())
    typed = {
        "types": signer.attestation_types("ProfessionalInvestor"),
        "primaryType": "ProfessionalInvestor",
        "domain": signer.attestation_domain(
            chain_id=tokens_chain.chain_id(), registry_address=registry.address
        ),
        "message": {
            "uid": "0x" + "11" * 32,
            "wallet": Account.create().address,
            "professionalUntil": "2025-01-01",
            "issuedAt": now - 86400 * 400,
            "validUntil": now - 86400,
        },
    }
    document = {**typed, "signature": signer.sign_attestation(typed)}
    result = client.post(VERIFY_API, document, content_type="application/json").json()
    assert (result["valid"], result["expired"], result["signed_by_platform"]) == (False, True, True)
    assert any("expired" in problem for problem in result["problems"])


def test_the_attester_key_signs_attestations_only(platform):
    registry = platform_contract(ContractKind.ATTESTATION_REGISTRY)
    domain = signer.attestation_domain(chain_id=tokens_chain.chain_id(), registry_address=registry.address)
    payment = {
        "types": signer.RECEIVE_WITH_AUTHORIZATION_TYPES,
        "primaryType": "ReceiveWithAuthorization",
        "domain": domain,
        "message": {},
    }
    with pytest.raises(signer.SigningRefused):
        signer.sign_attestation(payment)
    message = {
        "uid": "0x" + "22" * 32,
        "wallet": Account.create().address,
        "professionalUntil": "2027-01-01",
        "issuedAt": 1,
        "validUntil": 2,
    }
    typed = {"types": signer.attestation_types("ProfessionalInvestor"), "primaryType": "ProfessionalInvestor"}
    with pytest.raises(signer.SigningRefused):  # another verifying contract
        signer.sign_attestation(
            {**typed, "domain": {**domain, "verifyingContract": Account.create().address}, "message": message}
        )
    with pytest.raises(signer.SigningRefused):  # a field more than the type has
        signer.sign_attestation({**typed, "domain": domain, "message": {**message, "amount": 1}})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "domain"),
        ({"domain": [], "types": {}, "primaryType": "X", "message": {}, "signature": "0x"}, "domain"),
        ("SIGNATURE", "signature"),
        ("PRIMARY", "primaryType"),
        ("TYPES", "types"),
        ("MISSING", "message"),
        ("BAD_WALLET", "message"),
        ("BAD_TIME", "message"),
        ("DOMAIN_KEYS", "domain"),
    ],
)
def test_a_malformed_attestation_gets_a_400_with_field_messages(platform, client, body, field):
    registry = platform_contract(ContractKind.ATTESTATION_REGISTRY)
    good = {
        "domain": signer.attestation_domain(
            chain_id=tokens_chain.chain_id(), registry_address=registry.address
        ),
        "types": signer.attestation_types("ProfessionalInvestor"),
        "primaryType": "ProfessionalInvestor",
        "message": {
            "uid": "0x" + "33" * 32,
            "wallet": Account.create().address,
            "professionalUntil": "2027-01-01",
            "issuedAt": 1,
            "validUntil": 2,
        },
        "signature": "0x" + "ab" * 65,
    }
    variants = {
        "SIGNATURE": {**good, "signature": "0x1234"},
        "PRIMARY": {**good, "primaryType": "Mail"},
        "TYPES": {
            **good,
            "types": {**good["types"], "ProfessionalInvestor": good["types"]["ProfessionalInvestor"][:-1]},
        },
        "MISSING": {**good, "message": {k: v for k, v in good["message"].items() if k != "wallet"}},
        "BAD_WALLET": {**good, "message": {**good["message"], "wallet": "not an address"}},
        "BAD_TIME": {**good, "message": {**good["message"], "validUntil": "soon"}},
        "DOMAIN_KEYS": {**good, "domain": {**good["domain"], "salt": "0x00"}},
    }
    sent = variants.get(body, body) if isinstance(body, str) else body
    answer = client.post(VERIFY_API, sent, content_type="application/json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()


def test_the_verify_api_refuses_what_is_not_json(platform, client):
    assert client.post(VERIFY_API, "{not json", content_type="application/json").status_code == 400
    assert client.post(VERIFY_API, "[1, 2]", content_type="application/json").status_code == 400


def test_the_public_verify_page_checks_a_pasted_or_uploaded_file(platform, client):
    company = flows.verified_company(by=flows.officer())
    attestation = attestation_services.attestation_issue(user=company.representative, kind="company_verified")
    client.force_login(company.representative)
    document = _download(client, attestation)
    client.logout()

    page = client.get(reverse("attestations:verify"))
    assert page.status_code == 200
    assert _attester() in page.content.decode()

    pasted = client.post(reverse("attestations:verify"), {"document": json.dumps(document)})
    assert pasted.status_code == 200
    assert "Valid: the platform signed this attestation" in pasted.content.decode()
    upload = SimpleUploadedFile(
        "attestation.json", json.dumps(document).encode(), content_type="application/json"
    )
    uploaded = client.post(reverse("attestations:verify"), {"file": upload})
    assert "Valid: the platform signed this attestation" in uploaded.content.decode()

    tampered = copy.deepcopy(document)
    tampered["message"]["registrationNumber"] += "1"
    refused = client.post(reverse("attestations:verify"), {"document": json.dumps(tampered)})
    assert "Not valid" in refused.content.decode()

    for bad in ("{oops", "[]", json.dumps({"domain": {}}), ""):
        answer = client.post(reverse("attestations:verify"), {"document": bad})
        assert answer.status_code == 400, bad
    assert Attestation.objects.count() == 1


def test_an_old_attestation_of_the_same_company_stays_valid_when_another_is_revoked(platform, client):
    company = flows.verified_company(by=flows.officer())
    first = attestation_services.attestation_issue(user=company.representative, kind="company_verified")
    second = attestation_services.attestation_issue(user=company.representative, kind="company_verified")
    assert first.digest != second.digest
    attestation_services.attestation_revoke(actor=flows.officer(), attestation_id=first.pk, reason="Replaced")
    wait_for(lambda: _is_revoked_on_chain(first.digest), what="the revocation on chain")
    assert not _is_revoked_on_chain(second.digest)
    assert second.valid_until - second.issued_at == timedelta(days=365)


def test_the_public_verifier_is_rate_limited_per_client_address(platform, client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "attestations": "3/minute"}
    for _ in range(3):
        assert client.post(VERIFY_API, {}, content_type="application/json").status_code == 400
    refused = client.post(VERIFY_API, {}, content_type="application/json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "Try again in" in refused.json()["detail"]
    assert client.get("/api/v1/attestations/issuer/").status_code == 429
    page = client.post(reverse("attestations:verify"), {"document": "{}"})
    assert page.status_code == 429
    assert client.get(reverse("attestations:verify")).status_code == 200  # reading the page is free
