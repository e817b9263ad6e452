"""The Wallets page and API: ask for a message, link with the reference library's signature, refusals
in plain words, unlink, move units."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from compliance.tests.test_linked_wallets import ADDRESS_A, KEY_A, KEY_B, reference_sign
from compliance.wallets.choices import LinkedWalletStatus
from compliance.wallets.models import LinkedWallet
from tests import flows
from tokens import chain
from tokens.choices import ContractKind
from tokens.indexer.stream import chain_index_to_head
from tokens.selectors import platform_contract

pytestmark = pytest.mark.django_db

HOST = {"domain": "testserver", "uri": "http://testserver"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def investor(platform):
    return flows.approved_investor(by=flows.officer())


def test_through_the_api_a_reference_message_links_the_wallet_and_a_replay_is_refused(investor):
    client = _client(investor)

    issued = client.post("/api/v1/wallets/siwe/nonce/", {"address": ADDRESS_A.lower()}, "application/json")
    assert issued.status_code == 201, issued.content
    body = issued.json()
    assert body["address"] == ADDRESS_A
    assert body["message"].startswith("testserver wants you to sign in with your Ethereum account:\n")
    signed = reference_sign(KEY_A, body["nonce"], **HOST)
    pair = {"message": signed["message"], "signature": signed["signature"]}

    linked = client.post("/api/v1/wallets/link/", pair, "application/json")
    assert linked.status_code == 201, linked.content
    assert linked.json()["address"] == ADDRESS_A
    listed = client.get("/api/v1/wallets/").json()
    assert [(w["address"], w["status"]) for w in listed["results"]] == [
        (ADDRESS_A, LinkedWalletStatus.REGISTERED)
    ]

    replay = client.post("/api/v1/wallets/link/", pair, "application/json")
    assert replay.status_code == 400
    assert "already used" in replay.json()["message"][0]
    assert LinkedWallet.objects.count() == 1

    unlinked = client.post(f"/api/v1/wallets/{linked.json()['id']}/unlink/", {}, "application/json")
    assert unlinked.status_code == 200
    assert unlinked.json()["status"] == LinkedWalletStatus.UNLINKED  # confirmed in-process


def test_the_api_refuses_a_signature_by_another_key_and_bad_input_with_field_messages(investor):
    client = _client(investor)
    nonce = client.post("/api/v1/wallets/siwe/nonce/", {"address": ADDRESS_A}, "application/json").json()
    signed = reference_sign(KEY_B, nonce["nonce"], **HOST)  # made and signed for B's address

    pair = {"message": signed["message"], "signature": signed["signature"]}
    answer = client.post("/api/v1/wallets/link/", pair, "application/json")
    assert answer.status_code == 400
    assert "different wallet" in answer.json()["message"][0]

    bad = client.post("/api/v1/wallets/siwe/nonce/", {"address": "0xnot-an-address"}, "application/json")
    assert bad.status_code == 400
    assert bad.json()["address"] == ["0x and 40 hex digits."]
    assert not LinkedWallet.objects.exists()


def test_the_wallets_page_links_a_wallet_by_copy_and_paste_and_shows_it_registered(investor):
    client = _client(investor)
    page = client.get("/wallets/")
    assert page.status_code == 200
    assert "Link a wallet of your own" in page.content.decode()

    asked = client.post("/wallets/challenge/", {"address": ADDRESS_A})
    assert asked.status_code == 200
    shown = unescape(re.search(r'<pre[^>]*id="siwe-message">(.*?)</pre>', asked.content.decode(), re.S)[1])
    nonce = re.search(r"^Nonce: (\w+)$", shown, re.M)[1]
    signed = reference_sign(KEY_A, nonce, **HOST)

    # A textarea's lines come back with CR LF; the page reads them as the LF the wallet signed.
    linked = client.post(
        "/wallets/link/",
        {"message": signed["message"].replace("\n", "\r\n"), "signature": signed["signature"]},
    )
    assert linked.status_code == 302

    page = client.get("/wallets/").content.decode()
    assert ADDRESS_A in page
    assert "Registered: it may receive units" in page
    assert chain.call(
        "IdentityRegistry",
        platform_contract(ContractKind.IDENTITY_REGISTRY).address,
        "isVerified",
        ADDRESS_A,
    )


def test_the_wallets_page_shows_a_refusal_in_plain_words_and_links_nothing(investor):
    client = _client(investor)
    asked = client.post("/wallets/challenge/", {"address": ADDRESS_A})
    nonce = re.search(r"Nonce: (\w+)", asked.content.decode())[1]
    signed = reference_sign(KEY_A, nonce, domain="evil.example", uri="https://evil.example")

    answer = client.post("/wallets/link/", {"message": signed["message"], "signature": signed["signature"]})

    assert answer.status_code == 400
    assert "The message was made for evil.example, not for this site (testserver)" in unescape(
        answer.content.decode()
    )
    assert not LinkedWallet.objects.exists()


def test_the_wallets_page_moves_units_to_the_linked_wallet_and_shows_holdings_per_wallet(platform):
    _officer, _operator, offering, first, _second = flows.settled_round()
    client = _client(first)
    nonce = client.post("/api/v1/wallets/siwe/nonce/", {"address": ADDRESS_A}, "application/json").json()
    signed = reference_sign(KEY_A, nonce["nonce"], **HOST)
    client.post("/wallets/link/", {"message": signed["message"], "signature": signed["signature"]})
    linked = LinkedWallet.objects.get()
    chain_index_to_head()

    too_many = client.post("/wallets/move/", {"offering": offering.pk, "wallet": linked.pk, "units": 61})
    assert too_many.status_code == 400
    assert "at most 60" in too_many.content.decode().lower()

    moved = client.post("/wallets/move/", {"offering": offering.pk, "wallet": linked.pk, "units": 10})
    assert moved.status_code == 302
    assert chain.call("SecurityToken", offering.token.address, "balanceOf", ADDRESS_A) == 10
    chain_index_to_head()
    page = client.get("/wallets/").content.decode()
    row = re.search(rf"<tr>\s*<td class=\"mono\">{ADDRESS_A}</td>.*?</tr>", page, re.S)[0]
    assert "10 units" in row
