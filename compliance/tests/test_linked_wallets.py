"""Self-custody wallets linked by Sign-In with Ethereum: messages made by the reference library (npm
`siwe` with ethers v6) are accepted; replays, expired, foreign and forged ones are refused and change
nothing; a linked wallet is screened, registered on chain and receives units."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from eth_account import Account
from eth_account.messages import encode_defunct

from compliance.cases.choices import AlertKind, CaseKind
from compliance.cases.models import Case
from compliance.models import AuditEvent, InvestorProfile
from compliance.screening import index as screening_index
from compliance.screening.services import sanctions_list_import
from compliance.services import investor_kyc_revoke
from compliance.tests.screening_cases import list_excerpt
from compliance.wallets.choices import LinkedWalletStatus
from compliance.wallets.models import LinkedWallet, SiweNonce
from compliance.wallets.services import (
    STATEMENT,
    site_origin,
    siwe_challenge_issue,
    wallet_link,
    wallet_unlink,
)
from config.errors import Conflict, NotFound, ValidationFailed
from financing.choices import TransferStatus
from financing.services import transfer_to_own_wallet
from tests import flows
from tokens import chain
from tokens.choices import ContractKind
from tokens.indexer.stream import chain_index_to_head
from tokens.models import ChainTransaction
from tokens.selectors import platform_contract

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
KEY_A = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
KEY_B = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
ADDRESS_A = Account.from_key(KEY_A).address
ADDRESS_B = Account.from_key(KEY_B).address


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def reference_sign(key: str, nonce: str, **fields: Any) -> dict[str, str]:
    """A message built by the reference library (`new SiweMessage({...}).prepareMessage()`), signed by an
    ethers Wallet: {address, message, signature}. Fields default to what our challenge says."""
    domain, origin = site_origin()
    now = timezone.now()
    body = {
        "privateKey": key,
        "domain": domain,
        "uri": origin,
        "chainId": chain.chain_id(),
        "nonce": nonce,
        "issuedAt": _iso(now),
        "expirationTime": _iso(now + timedelta(minutes=5)),
        "statement": STATEMENT,
        **fields,
    }
    body = {name: value for name, value in body.items() if value is not None}
    done = subprocess.run(
        ["node", str(ROOT / "tests" / "siwe_reference.mjs"), "sign"],
        input=json.dumps(body),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def reference_parse(message: str) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(ROOT / "tests" / "siwe_reference.mjs"), "parse"],
        input=json.dumps({"message": message}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def challenge(user, address: str = ADDRESS_A):
    domain, origin = site_origin()
    return siwe_challenge_issue(user=user, address=address, domain=domain, origin=origin)


def link(user, signed: dict[str, str]) -> LinkedWallet:
    return wallet_link(
        user=user, message=signed["message"], signature=signed["signature"], domain=site_origin()[0]
    )


def state() -> tuple[int, int, int, list[Any]]:
    """What a refusal must leave as it was: links, chain writes, audit entries."""
    return (
        LinkedWallet.objects.count(),
        ChainTransaction.objects.count(),
        AuditEvent.objects.count(),
        list(LinkedWallet.objects.values_list("pk", "status").order_by("pk")),
    )


def registry() -> str:
    return str(platform_contract(ContractKind.IDENTITY_REGISTRY).address)


@pytest.fixture
def investor(platform):
    return flows.approved_investor(by=flows.officer())


def test_our_message_is_read_by_the_reference_library_with_the_same_fields(investor):
    issued = challenge(investor)

    parsed = reference_parse(issued.message)

    domain, origin = site_origin()
    assert parsed["domain"] == domain
    assert parsed["address"] == ADDRESS_A
    assert parsed["statement"] == STATEMENT
    assert (parsed["uri"], parsed["version"], parsed["chainId"]) == (origin, "1", chain.chain_id())
    assert parsed["nonce"] == issued.nonce
    assert len(issued.nonce) >= 8
    assert issued.nonce.isalnum()
    assert datetime.fromisoformat(parsed["expirationTime"]) == issued.expires_at.replace(
        microsecond=issued.expires_at.microsecond // 1000 * 1000
    )
    # Only a hash of the nonce is stored, bound to the investor and the address.
    row = SiweNonce.objects.get(user=investor)
    assert issued.nonce not in row.nonce_hash
    assert (row.address, row.used_at) == (ADDRESS_A, None)


def test_a_wallet_linked_by_a_reference_siwe_message_is_registered_on_chain_with_the_investors_identity(
    investor,
):
    issued = challenge(investor)
    signed = reference_sign(KEY_A, issued.nonce)
    assert signed["address"] == ADDRESS_A
    assert not chain.call("IdentityRegistry", registry(), "isVerified", ADDRESS_A)

    linked = link(investor, signed)

    linked.refresh_from_db()
    assert (linked.address, linked.status) == (ADDRESS_A, LinkedWalletStatus.REGISTERED)
    assert linked.registered_at is not None
    assert chain.call("IdentityRegistry", registry(), "isVerified", ADDRESS_A) is True
    custodial = flows.profile_of(investor).wallet.address
    assert chain.call("IdentityRegistry", registry(), "identityOf", ADDRESS_A) == chain.call(
        "IdentityRegistry", registry(), "identityOf", custodial
    )
    assert AuditEvent.objects.filter(action="wallet_linked", object_id=str(linked.pk)).exists()
    assert SiweNonce.objects.get(user=investor).used_at is not None


def test_a_message_without_statement_or_expiry_from_the_reference_library_is_accepted(investor):
    issued = challenge(investor)
    signed = reference_sign(KEY_A, issued.nonce, statement=None, expirationTime=None)
    assert "\n\n\nURI: " in signed["message"]

    assert link(investor, signed).address == ADDRESS_A


def test_a_replayed_message_is_refused_and_changes_nothing(investor):
    issued = challenge(investor)
    signed = reference_sign(KEY_A, issued.nonce)
    link(investor, signed)
    before = state()

    with pytest.raises(ValidationFailed) as refused:
        link(investor, signed)

    assert "already used" in refused.value.fields["message"][0]
    assert state() == before


def test_an_expired_message_or_nonce_is_refused_and_changes_nothing(investor):
    past = timezone.now() - timedelta(minutes=1)
    issued = challenge(investor)
    signed = reference_sign(
        KEY_A, issued.nonce, issuedAt=_iso(past - timedelta(minutes=5)), expirationTime=_iso(past)
    )
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        link(investor, signed)
    assert "expired" in refused.value.message
    assert state() == before

    issued = challenge(investor)
    SiweNonce.objects.filter(used_at__isnull=True).update(
        issued_at=timezone.now() - timedelta(minutes=20), expires_at=timezone.now() - timedelta(minutes=10)
    )
    with pytest.raises(ValidationFailed) as refused:
        link(investor, reference_sign(KEY_A, issued.nonce))
    assert "expired" in refused.value.message
    assert state() == before


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"domain": "evil.example"}, "made for evil.example"),
        ({"uri": "https://evil.example/login"}, "URI is not on this site"),
        ({"chainId": 1}, "is for chain 1"),
        ({"notBefore": "2099-01-01T00:00:00.000Z"}, "not valid yet"),
        ({"issuedAt": "2099-01-01T00:00:00.000Z", "expirationTime": None}, "issued in the future"),
    ],
    ids=["domain", "uri", "chain-id", "not-before", "issued-in-the-future"],
)
def test_a_message_for_another_site_chain_or_time_is_refused_and_changes_nothing(investor, fields, words):
    issued = challenge(investor)
    signed = reference_sign(KEY_A, issued.nonce, **fields)
    before = state()

    with pytest.raises(ValidationFailed) as refused:
        link(investor, signed)

    assert words in refused.value.fields["message"][0]
    assert state() == before
    assert not chain.call("IdentityRegistry", registry(), "isVerified", ADDRESS_A)


def test_a_signature_by_another_key_is_refused_and_burns_the_nonce(investor):
    issued = challenge(investor)
    signed = reference_sign(KEY_A, issued.nonce)
    forged = Account.sign_message(encode_defunct(text=signed["message"]), private_key=KEY_B).signature.hex()
    before = state()

    with pytest.raises(ValidationFailed) as refused:
        link(investor, {"message": signed["message"], "signature": "0x" + forged.removeprefix("0x")})

    assert ADDRESS_B in refused.value.fields["signature"][0]
    assert state() == before
    # The nonce is used up by the attempt: even the right signature cannot use it now.
    with pytest.raises(ValidationFailed, match="already used"):
        link(investor, signed)
    assert state() == before


def test_malformed_input_is_refused_in_plain_words_and_changes_nothing(investor):
    issued = challenge(investor)
    signed = reference_sign(KEY_A, issued.nonce)
    before = state()
    for message, signature, field in [
        ("hello", signed["signature"], "message"),
        (signed["message"].replace(ADDRESS_A, ADDRESS_A.lower()), signed["signature"], "message"),
        (signed["message"] + "\n", signed["signature"], "message"),
        (signed["message"], "0x1234", "signature"),
        (signed["message"], "0x" + "zz" * 65, "signature"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            wallet_link(user=investor, message=message, signature=signature, domain=site_origin()[0])
        assert refused.value.fields[field], (message, signature)
    assert state() == before


def test_a_nonce_of_another_investor_or_for_another_address_is_refused(investor):
    other = flows.approved_investor(by=flows.officer())
    issued = challenge(other)
    signed = reference_sign(KEY_A, issued.nonce)
    before = state()
    with pytest.raises(ValidationFailed, match="not issued to you"):
        link(investor, signed)

    issued = challenge(investor, address=ADDRESS_B)
    with pytest.raises(ValidationFailed, match="different wallet"):
        link(investor, reference_sign(KEY_A, issued.nonce))
    assert state() == before


def test_a_wallet_linked_to_one_investor_cannot_be_linked_to_another(investor):
    link(investor, reference_sign(KEY_A, challenge(investor).nonce))
    other = flows.approved_investor(by=flows.officer())
    before = state()

    with pytest.raises(Conflict, match="linked to another account"):
        challenge(other)
    # Even with a nonce obtained before the first link, the link itself is refused.
    LinkedWallet.objects.update(status=LinkedWalletStatus.UNLINKED)
    early = challenge(other)
    LinkedWallet.objects.update(status=LinkedWalletStatus.REGISTERED)
    with pytest.raises(Conflict, match="linked to another account"):
        link(other, reference_sign(KEY_A, early.nonce))
    assert state() == before
    with pytest.raises(Conflict, match="already linked to your account"):
        challenge(investor)


def test_an_investor_links_at_most_the_cap_and_not_a_platform_wallet(investor, settings):
    settings.LINKED_WALLETS_MAX = 1
    link(investor, reference_sign(KEY_A, challenge(investor).nonce))
    with pytest.raises(Conflict, match="the most an account may have"):
        challenge(investor, address=ADDRESS_B)
    custodial = flows.profile_of(investor).wallet.address
    settings.LINKED_WALLETS_MAX = 3
    with pytest.raises(ValidationFailed, match="platform keeps"):
        challenge(investor, address=custodial)
    with pytest.raises(ValidationFailed, match="not an Ethereum address"):
        challenge(investor, address="0x123")


def test_only_an_approved_investor_may_ask_for_a_message(platform):
    pending = flows.submitted_investor().user
    with pytest.raises(Conflict, match="once your due diligence is approved"):
        challenge(pending)
    assert not SiweNonce.objects.exists()


def test_a_wallet_on_the_sanctions_list_is_refused_with_an_alert_for_compliance(investor, tmp_path):
    screening_index.forget()
    listed = (
        '99999001,"TEST SANCTIONED HOLDER",-0- ,"CYBER2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        f'"Digital Currency Address - ETH {ADDRESS_A};"\n'
    )
    sanctions_list_import(path=list_excerpt(tmp_path, extra=listed), rescreen=False)
    issued = challenge(investor)
    chain_rows = ChainTransaction.objects.count()

    with pytest.raises(Conflict, match="did not pass our screening"):
        link(investor, reference_sign(KEY_A, issued.nonce))

    linked = LinkedWallet.objects.get()
    assert linked.status == LinkedWalletStatus.REFUSED
    alert = Case.objects.get(kind=CaseKind.ALERT, alert_kind=AlertKind.WALLET_MATCH)
    assert alert.investor == flows.profile_of(investor)
    assert ADDRESS_A in alert.summary
    assert ChainTransaction.objects.count() == chain_rows  # nothing sent to the chain
    assert not chain.call("IdentityRegistry", registry(), "isVerified", ADDRESS_A)
    screening_index.forget()


def test_a_linked_wallet_receives_units_through_the_transfer_machinery_and_holds_them_on_chain(platform):
    _officer, _operator, offering, first, _second = flows.settled_round()
    linked = link(first, reference_sign(KEY_A, challenge(first).nonce))
    token = offering.token.address
    custodial = flows.profile_of(first).wallet.address
    assert chain.call("SecurityToken", token, "balanceOf", custodial) == 60

    transfer = transfer_to_own_wallet(user=first, offering_id=offering.pk, units=25, wallet_id=linked.pk)

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.COMPLETED
    assert (transfer.seller, transfer.buyer, transfer.buyer_wallet) == (first, first, ADDRESS_A)
    assert chain.call("SecurityToken", token, "balanceOf", ADDRESS_A) == 25
    assert chain.call("SecurityToken", token, "balanceOf", custodial) == 35
    # The wallets page reads the holdings per wallet from the chain index.
    chain_index_to_head()
    from compliance.wallets.selectors import holdings_by_wallet

    holdings = {w.address: [(o.pk, h.units) for o, h in w.holdings] for w in holdings_by_wallet(first)}
    assert holdings == {custodial: [(offering.pk, 35)], ADDRESS_A: [(offering.pk, 25)]}
    # A wallet holding units is not unlinked (the tokens would refuse to move them afterwards).
    with pytest.raises(Conflict, match="still holds units"):
        wallet_unlink(user=first, wallet_id=linked.pk)


def test_moving_units_refuses_more_than_free_a_stranger_and_an_unregistered_wallet(platform):
    _officer, _operator, offering, first, second = flows.settled_round()
    linked = link(first, reference_sign(KEY_A, challenge(first).nonce))
    before = state()
    with pytest.raises(ValidationFailed, match="at most 60"):
        transfer_to_own_wallet(user=first, offering_id=offering.pk, units=61, wallet_id=linked.pk)
    with pytest.raises(NotFound):
        transfer_to_own_wallet(user=second, offering_id=offering.pk, units=1, wallet_id=linked.pk)
    LinkedWallet.objects.filter(pk=linked.pk).update(status=LinkedWalletStatus.FAILED)
    with pytest.raises(Conflict, match="once it is registered"):
        transfer_to_own_wallet(user=first, offering_id=offering.pk, units=1, wallet_id=linked.pk)
    LinkedWallet.objects.filter(pk=linked.pk).update(status=LinkedWalletStatus.REGISTERED)
    assert state() == before


def test_unlinking_revokes_the_identity_on_chain_and_frees_the_wallet(investor):
    linked = link(investor, reference_sign(KEY_A, challenge(investor).nonce))

    wallet_unlink(user=investor, wallet_id=linked.pk)

    linked.refresh_from_db()
    assert (linked.status, linked.unlinked_at is not None) == (LinkedWalletStatus.UNLINKED, True)
    assert chain.call("IdentityRegistry", registry(), "isVerified", ADDRESS_A) is False
    other = flows.approved_investor(by=flows.officer())
    assert challenge(other).address == ADDRESS_A  # free to link again
    with pytest.raises(NotFound):
        wallet_unlink(user=investor, wallet_id=linked.pk)


def test_revoking_the_investors_approval_revokes_their_linked_wallets_on_chain(investor):
    linked = link(investor, reference_sign(KEY_A, challenge(investor).nonce))
    profile = InvestorProfile.objects.get(user=investor)

    investor_kyc_revoke(actor=flows.officer(), profile_id=profile.pk, reason="Documents were forged.")

    linked.refresh_from_db()
    assert linked.status == LinkedWalletStatus.UNLINKED
    assert chain.call("IdentityRegistry", registry(), "isVerified", ADDRESS_A) is False


def test_the_nonce_lifetime_setting_is_the_messages_expiry(investor):
    issued = challenge(investor)
    assert issued.expires_at - SiweNonce.objects.get().issued_at == timedelta(
        seconds=settings.SIWE_NONCE_SECONDS
    )
    assert f"Expiration Time: {_iso(issued.expires_at)}" in issued.message


def test_a_lapse_of_professional_status_reaches_the_linked_wallets_identity_on_chain(investor):
    from compliance.services import investor_pi_lapse

    link(investor, reference_sign(KEY_A, challenge(investor).nonce))
    profile = InvestorProfile.objects.get(user=investor)
    assert profile.is_professional
    custodial = profile.wallet.address
    classes_before = chain.call("IdentityRegistry", registry(), "identityOf", ADDRESS_A)[1]

    investor_pi_lapse(profile_id=profile.pk, today=profile.pi_valid_until)

    linked_identity = chain.call("IdentityRegistry", registry(), "identityOf", ADDRESS_A)
    assert linked_identity == chain.call("IdentityRegistry", registry(), "identityOf", custodial)
    assert linked_identity[1] != classes_before
