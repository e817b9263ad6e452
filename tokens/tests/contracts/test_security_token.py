"""SecurityToken: every rule, role and agent path; each refusal leaves balances, supply and freezes alone."""

from __future__ import annotations

import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.logs import DISCARD

from .conftest import (
    CN,
    COUNTRY_NOT_ALLOWED,
    FAR_FUTURE,
    HK,
    INSTITUTIONAL,
    INSUFFICIENT_FREE_BALANCE,
    INVESTOR_CLASS_REQUIRED,
    LOCKED_UP,
    MAX_BALANCE,
    MAX_HOLDERS,
    MAX_UINT,
    MO,
    OK,
    PAUSED,
    PROFESSIONAL,
    RECIPIENT_FROZEN,
    RECIPIENT_NOT_VERIFIED,
    SENDER_FROZEN,
    SENDER_NOT_VERIFIED,
    SG,
    advance_time,
    assert_reverts,
    attempt,
    now,
    send,
)


@pytest.fixture
def funded(platform):
    """alice holds 1,000 units and bob 100 (minted by the agent)."""
    send(platform.token.functions.mint(platform.alice, 1_000), platform.agent)
    send(platform.token.functions.mint(platform.bob, 100), platform.agent)
    return platform


def refuse_transfer(p, sender, to, amount, code, unchanged):
    """A transfer that canTransfer predicts and the token enforces as `code`, changing nothing."""
    assert p.token.functions.canTransfer(sender, to, amount).call() == code
    with unchanged():
        assert_reverts(p.token.functions.transfer(to, amount), sender, "TransferNotCompliant", code)


# ---------------------------------------------------------------- deployment and ERC-20 surface


def test_constructor_sets_metadata_and_roles(platform):
    token = platform.token
    assert token.functions.name().call() == "GBA Green Bond 2029"
    assert token.functions.symbol().call() == "GBA29"
    assert token.functions.decimals().call() == 0
    assert token.functions.identityRegistry().call() == platform.registry.address
    assert token.functions.hasRole(platform.role(token, "MINTER_ROLE"), platform.settlement.address).call()
    assert platform.role(token, "MINTER_ROLE") == keccak(text="MINTER_ROLE")


def test_the_constructor_gives_each_role_to_its_own_key(platform):
    p = platform
    # admin: the timelock; compliance: the registrar key; pauser: the agent key
    token = p.new_token(compliance=p.outsider, pauser=p.spare)
    holders = {
        "DEFAULT_ADMIN_ROLE": {p.admin},
        "AGENT_ROLE": {p.admin},
        "COMPLIANCE_ROLE": {p.outsider},
        "PAUSER_ROLE": {p.spare},
        "MINTER_ROLE": {p.settlement.address},
    }
    for role, expected in holders.items():
        for account in (p.admin, p.outsider, p.spare, p.settlement.address):
            assert token.functions.hasRole(p.role(token, role), account).call() == (account in expected), (
                role,
                account,
            )


def test_zero_settlement_address_grants_no_minter(platform):
    token = platform.new_token(settlement="0x" + "00" * 20)
    minter = platform.role(token, "MINTER_ROLE")
    assert not token.functions.hasRole(minter, "0x" + "00" * 20).call()


def test_supports_access_control_and_erc165(platform):
    assert platform.token.functions.supportsInterface(bytes.fromhex("7965db0b")).call()  # IAccessControl
    assert platform.token.functions.supportsInterface(bytes.fromhex("01ffc9a7")).call()  # IERC165


def test_compliant_transfer_moves_balance_and_emits_transfer(funded):
    p = funded
    receipt = send(p.token.functions.transfer(p.carol, 10), p.alice)
    assert p.token.functions.balanceOf(p.alice).call() == 990
    assert p.token.functions.balanceOf(p.carol).call() == 10
    (event,) = p.token.events.Transfer().process_receipt(receipt, errors=DISCARD)
    assert (event.args["from"], event.args["to"], event.args["value"]) == (p.alice, p.carol, 10)


def test_transfer_from_spends_allowance_and_checks_rules(funded, unchanged):
    p = funded
    send(p.token.functions.approve(p.spare, 50), p.alice)
    assert p.token.functions.allowance(p.alice, p.spare).call() == 50
    send(p.token.functions.transferFrom(p.alice, p.bob, 20), p.spare)
    assert p.token.functions.allowance(p.alice, p.spare).call() == 30
    assert p.token.functions.balanceOf(p.bob).call() == 120
    with unchanged():
        assert_reverts(
            p.token.functions.transferFrom(p.alice, p.bob, 31),
            p.spare,
            "ERC20InsufficientAllowance",
            p.spare,
            30,
            31,
        )
        assert_reverts(
            p.token.functions.transferFrom(p.alice, p.outsider, 5),
            p.spare,
            "TransferNotCompliant",
            RECIPIENT_NOT_VERIFIED,
        )


def test_infinite_allowance_is_not_spent(funded):
    p = funded
    send(p.token.functions.approve(p.spare, MAX_UINT), p.alice)
    send(p.token.functions.transferFrom(p.alice, p.bob, 5), p.spare)
    assert p.token.functions.allowance(p.alice, p.spare).call() == MAX_UINT


def test_approve_zero_spender_is_refused(funded):
    assert_reverts(funded.token.functions.approve("0x" + "00" * 20, 1), funded.alice, "ERC20InvalidSpender")


# ---------------------------------------------------------------- holder count


def test_holder_count_follows_non_zero_balances(funded):
    p = funded
    token = p.token
    assert token.functions.numHolders().call() == 2
    send(token.functions.transfer(p.carol, 1), p.alice)  # new holder joins
    assert token.functions.numHolders().call() == 3
    send(token.functions.transfer(p.alice, 1), p.carol)  # carol leaves
    assert token.functions.numHolders().call() == 2
    send(token.functions.transfer(p.carol, 100), p.bob)  # bob leaves as carol joins
    assert token.functions.numHolders().call() == 2
    send(token.functions.transfer(p.alice, 0), p.carol)  # zero amount changes nothing
    send(token.functions.transfer(p.carol, 10), p.carol)  # self-transfer changes nothing
    assert token.functions.numHolders().call() == 2
    assert token.functions.balanceOf(p.carol).call() == 100


# ---------------------------------------------------------------- refusals, one per reason code


def test_paused_token_refuses_transfers_mints_and_burns(funded, unchanged):
    p = funded
    send(p.token.functions.suspendTransfers(), p.admin)
    assert p.token.functions.isPaused().call()
    refuse_transfer(p, p.alice, p.bob, 1, PAUSED, unchanged)
    assert p.token.functions.canMint(p.bob, 1).call() == PAUSED
    with unchanged():
        assert_reverts(p.token.functions.mint(p.bob, 1), p.agent, "MintNotCompliant", PAUSED)
        assert_reverts(p.token.functions.burn(1), p.alice, "EnforcedPause")
        assert_reverts(p.token.functions.suspendTransfers(), p.admin, "EnforcedPause")
    send(p.token.functions.resumeTransfers(), p.admin)
    assert_reverts(p.token.functions.resumeTransfers(), p.admin, "ExpectedPause")
    send(p.token.functions.transfer(p.bob, 1), p.alice)


def test_unverified_sender_is_refused(funded, unchanged):
    p = funded
    send(p.registry.functions.revokeIdentity(p.alice), p.admin)
    refuse_transfer(p, p.alice, p.bob, 1, SENDER_NOT_VERIFIED, unchanged)


def test_expired_sender_and_recipient_are_refused(funded, unchanged):
    p = funded
    soon = now(p.w3) + 100
    send(p.registry.functions.updateIdentity(p.alice, HK, PROFESSIONAL, soon), p.admin)
    send(p.registry.functions.updateIdentity(p.carol, CN, PROFESSIONAL, soon), p.admin)
    send(p.token.functions.transfer(p.bob, 1), p.alice)
    advance_time(p.w3, 200)
    refuse_transfer(p, p.alice, p.bob, 1, SENDER_NOT_VERIFIED, unchanged)
    refuse_transfer(p, p.bob, p.carol, 1, RECIPIENT_NOT_VERIFIED, unchanged)
    assert p.token.functions.canMint(p.carol, 1).call() == RECIPIENT_NOT_VERIFIED


def test_unverified_recipient_is_refused(funded, unchanged):
    refuse_transfer(funded, funded.alice, funded.outsider, 1, RECIPIENT_NOT_VERIFIED, unchanged)
    refuse_transfer(funded, funded.alice, "0x" + "00" * 20, 1, RECIPIENT_NOT_VERIFIED, unchanged)


def test_frozen_sender_and_recipient_are_refused(funded, unchanged):
    p = funded
    receipt = send(p.token.functions.setAddressFrozen(p.alice, True), p.agent)
    (event,) = p.token.events.AddressFrozen().process_receipt(receipt, errors=DISCARD)
    assert (event.args.wallet, event.args.frozen, event.args.agent) == (p.alice, True, p.agent)
    assert p.token.functions.isFrozen(p.alice).call()
    refuse_transfer(p, p.alice, p.bob, 1, SENDER_FROZEN, unchanged)
    refuse_transfer(p, p.bob, p.alice, 1, RECIPIENT_FROZEN, unchanged)
    assert p.token.functions.canMint(p.alice, 1).call() == RECIPIENT_FROZEN
    with unchanged():
        assert_reverts(p.token.functions.mint(p.alice, 1), p.agent, "MintNotCompliant", RECIPIENT_FROZEN)
        assert_reverts(p.token.functions.burn(1), p.alice, "WalletFrozen", p.alice)
    send(p.token.functions.setAddressFrozen(p.alice, False), p.agent)
    send(p.token.functions.transfer(p.bob, 1), p.alice)


def test_more_than_free_balance_is_refused(funded, unchanged):
    p = funded
    refuse_transfer(p, p.alice, p.bob, 1_001, INSUFFICIENT_FREE_BALANCE, unchanged)
    refuse_transfer(p, p.alice, p.bob, MAX_UINT, INSUFFICIENT_FREE_BALANCE, unchanged)


def test_partially_frozen_tokens_are_never_spendable(funded, unchanged):
    p = funded
    receipt = send(p.token.functions.partialFreeze(p.alice, 900), p.agent)
    assert p.token.events.TokensFrozen().process_receipt(receipt, errors=DISCARD)[0].args.amount == 900
    assert p.token.functions.frozenTokens(p.alice).call() == 900
    assert p.token.functions.transferableBalanceOf(p.alice).call() == 100
    refuse_transfer(p, p.alice, p.bob, 101, INSUFFICIENT_FREE_BALANCE, unchanged)
    with unchanged():
        assert_reverts(p.token.functions.burn(101), p.alice, "InsufficientFreeBalance", p.alice, 100, 101)
    send(p.token.functions.transfer(p.bob, 100), p.alice)
    refuse_transfer(p, p.alice, p.bob, 1, INSUFFICIENT_FREE_BALANCE, unchanged)
    assert p.token.functions.balanceOf(p.alice).call() == 900
    send(p.token.functions.partialUnfreeze(p.alice, 400), p.agent)
    assert p.token.functions.frozenTokens(p.alice).call() == 500
    send(p.token.functions.transfer(p.bob, 400), p.alice)


def test_freeze_beyond_balance_and_unfreeze_beyond_frozen_are_refused(funded, unchanged):
    p = funded
    with unchanged():
        assert_reverts(
            p.token.functions.partialFreeze(p.alice, 1_001),
            p.agent,
            "FreezeExceedsBalance",
            p.alice,
            1_000,
            1_001,
        )
        assert_reverts(
            p.token.functions.partialUnfreeze(p.alice, 1),
            p.agent,
            "UnfreezeExceedsFrozen",
            p.alice,
            0,
            1,
        )


def test_country_rule_allows_only_listed_countries(funded, unchanged):
    p = funded
    receipt = send(p.token.functions.setAllowedCountries([HK, MO], True), p.admin)
    assert {
        e.args.country for e in p.token.events.CountryAllowed().process_receipt(receipt, errors=DISCARD)
    } == {HK, MO}
    assert p.token.functions.allowedCountrySet().call() == [HK, MO]
    assert p.token.functions.allowsCountry(HK).call()
    assert not p.token.functions.allowsCountry(CN).call()
    refuse_transfer(p, p.alice, p.carol, 1, COUNTRY_NOT_ALLOWED, unchanged)  # carol is CN
    assert p.token.functions.canMint(p.carol, 1).call() == COUNTRY_NOT_ALLOWED
    with unchanged():
        assert_reverts(p.token.functions.mint(p.carol, 1), p.agent, "MintNotCompliant", COUNTRY_NOT_ALLOWED)
    send(p.token.functions.transfer(p.bob, 1), p.alice)
    send(p.token.functions.setAllowedCountries([CN], True), p.admin)
    send(p.token.functions.transfer(p.carol, 1), p.alice)
    send(p.token.functions.setAllowedCountries([HK, MO, CN], False), p.admin)  # empty set: all allowed
    assert p.token.functions.allowedCountrySet().call() == []
    send(p.token.functions.transfer(p.dave, 1), p.alice)


def test_country_rule_with_many_countries_uses_the_bitmap(funded, unchanged):
    p = funded
    many = [4, 36, 156, 250, 276, 446, 458, 702, 826, 840, 999]  # more than fit inline; CN included, HK not
    send(p.token.functions.setAllowedCountries(many, True), p.admin)
    assert p.token.functions.allowedCountrySet().call() == sorted(many)
    send(p.token.functions.transfer(p.carol, 1), p.alice)  # sender's country is not a recipient rule
    refuse_transfer(p, p.alice, p.bob, 1, COUNTRY_NOT_ALLOWED, unchanged)
    send(p.token.functions.transfer(p.dave, 1), p.alice)  # SG
    send(p.token.functions.setAllowedCountries([SG, 36, 250, 276, 458, 826, 840, 999, 4], False), p.admin)
    assert p.token.functions.allowedCountrySet().call() == [CN, MO]  # back to the inline list
    refuse_transfer(p, p.alice, p.dave, 1, COUNTRY_NOT_ALLOWED, unchanged)
    send(p.token.functions.transfer(p.carol, 1), p.alice)


@pytest.mark.parametrize("country", [0, 1000, 65535])
def test_allowed_country_outside_iso_range_is_refused(platform, country):
    assert_reverts(
        platform.token.functions.setAllowedCountries([country], True),
        platform.admin,
        "InvalidCountry",
        country,
    )


def test_investor_class_rule_is_any_of_the_required_bits(funded, unchanged):
    p = funded
    send(p.token.functions.setTransferRules(PROFESSIONAL, 0, 0, 0), p.admin)
    refuse_transfer(p, p.alice, p.dave, 1, INVESTOR_CLASS_REQUIRED, unchanged)  # dave is retail
    assert p.token.functions.canMint(p.dave, 1).call() == INVESTOR_CLASS_REQUIRED
    with unchanged():
        assert_reverts(
            p.token.functions.mint(p.dave, 1), p.agent, "MintNotCompliant", INVESTOR_CLASS_REQUIRED
        )
    send(p.token.functions.transfer(p.carol, 1), p.alice)  # PI + institutional
    send(p.token.functions.setTransferRules(INSTITUTIONAL, 0, 0, 0), p.admin)
    refuse_transfer(p, p.alice, p.bob, 1, INVESTOR_CLASS_REQUIRED, unchanged)
    send(p.token.functions.transfer(p.carol, 1), p.alice)


def test_max_holders_rule(funded, unchanged):
    p = funded
    send(p.token.functions.setTransferRules(0, 2, 0, 0), p.admin)
    assert p.token.functions.transferRules().call() == [0, 2, 0, 0]
    refuse_transfer(p, p.alice, p.carol, 1, MAX_HOLDERS, unchanged)
    assert p.token.functions.canMint(p.carol, 1).call() == MAX_HOLDERS
    with unchanged():
        assert_reverts(p.token.functions.mint(p.carol, 1), p.agent, "MintNotCompliant", MAX_HOLDERS)
    send(p.token.functions.transfer(p.bob, 5), p.alice)  # existing holder: fine
    send(p.token.functions.transfer(p.carol, 105), p.bob)  # bob leaves as carol joins: count stays 2
    assert p.token.functions.numHolders().call() == 2
    assert p.token.functions.balanceOf(p.carol).call() == 105


def test_max_holders_refuses_only_net_new_holders_even_above_the_cap(funded, unchanged):
    p = funded
    send(p.token.functions.setTransferRules(0, 2, 0, 0), p.admin)
    send(p.token.functions.agentTransfer(p.alice, p.carol, 10), p.agent)  # agents may exceed the cap
    assert p.token.functions.numHolders().call() == 3
    refuse_transfer(p, p.alice, p.dave, 1, MAX_HOLDERS, unchanged)
    assert p.token.functions.canTransfer(p.carol, p.dave, 10).call() == OK  # carol leaves as dave joins
    send(p.token.functions.transfer(p.dave, 10), p.carol)
    assert p.token.functions.numHolders().call() == 3


def test_max_balance_rule(funded, unchanged):
    p = funded
    send(p.token.functions.setTransferRules(0, 0, 150, 0), p.admin)
    refuse_transfer(p, p.alice, p.bob, 51, MAX_BALANCE, unchanged)
    assert p.token.functions.canMint(p.bob, 51).call() == MAX_BALANCE
    assert p.token.functions.canMint(p.bob, MAX_UINT).call() == MAX_BALANCE
    with unchanged():
        assert_reverts(p.token.functions.mint(p.carol, 151), p.agent, "MintNotCompliant", MAX_BALANCE)
    send(p.token.functions.transfer(p.bob, 50), p.alice)
    assert p.token.functions.balanceOf(p.bob).call() == 150


def test_lockup_refuses_transfers_but_not_mints(funded, unchanged):
    p = funded
    until = now(p.w3) + 3_600
    send(p.token.functions.setTransferRules(0, 0, 0, until), p.admin)
    refuse_transfer(p, p.alice, p.bob, 1, LOCKED_UP, unchanged)
    assert p.token.functions.canMint(p.carol, 1).call() == OK
    send(p.token.functions.mint(p.carol, 1), p.agent)
    advance_time(p.w3, 3_700)
    send(p.token.functions.transfer(p.bob, 1), p.alice)


def test_rules_out_of_range_are_refused(platform):
    assert_reverts(
        platform.token.functions.setTransferRules(0, 0, 2**96, 0), platform.admin, "RuleOutOfRange"
    )
    assert_reverts(
        platform.token.functions.setTransferRules(0, 0, 0, 2**40), platform.admin, "RuleOutOfRange"
    )


def test_rules_round_trip_and_keep_pause_and_holder_count(funded):
    p = funded
    send(p.token.functions.suspendTransfers(), p.admin)
    receipt = send(p.token.functions.setTransferRules(PROFESSIONAL, 7, 2**96 - 1, 2**40 - 1), p.admin)
    assert p.token.events.RulesUpdated().process_receipt(receipt, errors=DISCARD)[0].args.maxHolders == 7
    assert p.token.functions.transferRules().call() == [PROFESSIONAL, 7, 2**96 - 1, 2**40 - 1]
    assert p.token.functions.isPaused().call()
    assert p.token.functions.numHolders().call() == 2


# ---------------------------------------------------------------- mint, burn, redeem


def test_mint_by_minter_role_and_agent_only(platform, unchanged):
    p = platform
    with unchanged():
        assert_reverts(p.token.functions.mint(p.alice, 1), p.outsider, "NotMinter", p.outsider)
        assert_reverts(p.token.functions.mint(p.alice, 1), p.spare, "NotMinter", p.spare)
    send(p.token.functions.grantRole(p.role(p.token, "MINTER_ROLE"), p.spare), p.admin)
    send(p.token.functions.mint(p.alice, 3), p.spare)
    send(p.token.functions.mint(p.alice, 4), p.agent)
    assert p.token.functions.totalSupply().call() == 7
    assert p.token.functions.numHolders().call() == 1


def test_mint_to_unverified_is_refused(platform, unchanged):
    with unchanged():
        assert_reverts(
            platform.token.functions.mint(platform.outsider, 1),
            platform.agent,
            "MintNotCompliant",
            RECIPIENT_NOT_VERIFIED,
        )


def test_mint_beyond_supply_cap_is_refused(platform, unchanged):
    send(platform.token.functions.mint(platform.alice, 2**120 - 1), platform.agent)
    with unchanged():
        assert_reverts(platform.token.functions.mint(platform.bob, 1), platform.agent, "SupplyOverflow")


# ---------------------------------------------------------------- batch mint (Settlement's settleBatch)


def test_mint_allotments_mints_each_item_in_order_like_single_mints(funded):
    p = funded
    receipt = send(
        p.token.functions.mintAllotments([p.carol, p.alice, p.carol, p.bob], [5, 7, 3, 0]), p.agent
    )
    events = p.token.events.Transfer().process_receipt(receipt, errors=DISCARD)
    assert [(e.args["from"], e.args.to, e.args.value) for e in events] == [
        ("0x0000000000000000000000000000000000000000", p.carol, 5),
        ("0x0000000000000000000000000000000000000000", p.alice, 7),
        ("0x0000000000000000000000000000000000000000", p.carol, 3),
        ("0x0000000000000000000000000000000000000000", p.bob, 0),
    ]
    assert [p.token.functions.balanceOf(w).call() for w in (p.alice, p.bob, p.carol)] == [1_007, 100, 8]
    assert p.token.functions.totalSupply().call() == 1_115
    assert p.token.functions.numHolders().call() == 3  # carol joined once
    send(p.token.functions.mintAllotments([], []), p.agent)  # an empty batch is a no-op
    assert p.token.functions.totalSupply().call() == 1_115


def test_mint_allotments_refuses_the_whole_batch_for_one_item(funded, unchanged):
    p = funded
    send(p.token.functions.setTransferRules(PROFESSIONAL, 0, 0, 0), p.admin)
    mint = p.token.functions.mintAllotments
    with unchanged():
        # dave is retail: the whole batch fails with his reason, alice's item included
        assert_reverts(mint([p.alice, p.dave], [1, 1]), p.agent, "MintNotCompliant", INVESTOR_CLASS_REQUIRED)
        assert_reverts(
            mint([p.alice, p.outsider], [1, 1]), p.agent, "MintNotCompliant", RECIPIENT_NOT_VERIFIED
        )
        assert_reverts(mint([p.alice, p.bob], [1]), p.agent, "LengthMismatch")
        assert_reverts(mint([p.alice], [1]), p.outsider, "NotMinter", p.outsider)
        assert_reverts(mint([p.alice, p.bob], [1, 2**120]), p.agent, "SupplyOverflow")
    send(p.token.functions.setAddressFrozen(p.bob, True), p.agent)
    with unchanged():
        assert_reverts(mint([p.alice, p.bob], [1, 1]), p.agent, "MintNotCompliant", RECIPIENT_FROZEN)
    send(p.token.functions.suspendTransfers(), p.admin)
    with unchanged():
        assert_reverts(mint([p.alice], [1]), p.agent, "MintNotCompliant", PAUSED)


def test_mint_allotments_counts_earlier_items_against_the_caps(funded, unchanged):
    p = funded
    send(p.token.functions.setTransferRules(0, 3, 150, 0), p.admin)  # 3 holders, 150 units each at most
    mint = p.token.functions.mintAllotments
    send(p.token.functions.setAllowedCountries([HK, CN], True), p.admin)
    send(p.registry.functions.registerIdentity(p.spare, HK, PROFESSIONAL, FAR_FUTURE), p.admin)
    with unchanged():
        # carol is the third holder; spare would be a fourth
        assert_reverts(mint([p.carol, p.spare], [1, 1]), p.agent, "MintNotCompliant", MAX_HOLDERS)
        # bob holds 100: 30 + 30 in one batch passes his cap of 150 on the second item
        assert_reverts(mint([p.bob, p.bob], [30, 30]), p.agent, "MintNotCompliant", MAX_BALANCE)
        # dave is in Singapore
        assert_reverts(mint([p.dave], [1]), p.agent, "MintNotCompliant", COUNTRY_NOT_ALLOWED)
    send(mint([p.carol, p.bob, p.carol], [1, 50, 149]), p.agent)
    assert p.token.functions.numHolders().call() == 3
    assert [p.token.functions.balanceOf(w).call() for w in (p.bob, p.carol)] == [150, 150]


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(a=st.integers(0, 4), b=st.integers(0, 4), x=st.integers(0, 160), y=st.integers(0, 160))
def test_a_batch_mint_does_what_the_same_single_mints_in_order_do(funded, a, b, x, y):
    """Two items against every rule at once (3 holders, 150 units each, professional investors in HK or
    CN): the batch succeeds exactly when the two single mints would, and leaves the same state."""
    p = funded
    wallets = [p.alice, p.bob, p.carol, p.dave, p.outsider]
    outer = p.w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        send(p.token.functions.setTransferRules(PROFESSIONAL, 3, 150, 0), p.admin)
        send(p.token.functions.setAllowedCountries([HK, CN], True), p.admin)
        before = p.state()
        inner = p.w3.provider.make_request("evm_snapshot", [])["result"]
        singles_ok = attempt(p.w3, p.token, "mint", wallets[a], x, sender=p.agent) and attempt(
            p.w3, p.token, "mint", wallets[b], y, sender=p.agent
        )
        expected = p.state() if singles_ok else before
        p.w3.provider.make_request("evm_revert", [inner])
        ok = attempt(p.w3, p.token, "mintAllotments", [wallets[a], wallets[b]], [x, y], sender=p.agent)
        assert ok == singles_ok
        assert p.state() == expected
    finally:
        p.w3.provider.make_request("evm_revert", [outer])


def test_holder_burns_free_balance(funded):
    p = funded
    send(p.token.functions.burn(100), p.bob)
    assert p.token.functions.balanceOf(p.bob).call() == 0
    assert p.token.functions.totalSupply().call() == 1_000
    assert p.token.functions.numHolders().call() == 1


def test_redeem_burns_free_balance_only(funded, unchanged):
    p = funded
    send(p.token.functions.partialFreeze(p.alice, 10), p.agent)
    with unchanged():
        assert_reverts(
            p.token.functions.redeemTokens(p.alice, 991),
            p.agent,
            "InsufficientFreeBalance",
            p.alice,
            990,
            991,
        )
        assert_reverts(
            p.token.functions.redeemTokens(p.alice, 1), p.outsider, "AccessControlUnauthorizedAccount"
        )
    receipt = send(p.token.functions.redeemTokens(p.alice, 990), p.agent)
    (event,) = p.token.events.Transfer().process_receipt(receipt, errors=DISCARD)
    assert (event.args["to"], event.args["value"]) == ("0x" + "00" * 20, 990)
    assert p.token.functions.balanceOf(p.alice).call() == 10
    send(p.token.functions.partialUnfreeze(p.alice, 10), p.agent)
    send(p.token.functions.redeemTokens(p.alice, 10), p.agent)
    assert p.token.functions.totalSupply().call() == 100
    assert p.token.functions.numHolders().call() == 1


def test_redeem_works_while_paused_and_frozen(funded):
    p = funded
    send(p.token.functions.suspendTransfers(), p.admin)
    send(p.token.functions.setAddressFrozen(p.bob, True), p.agent)
    send(p.token.functions.redeemTokens(p.bob, 100), p.agent)
    assert p.token.functions.balanceOf(p.bob).call() == 0


# ---------------------------------------------------------------- forced transfer and recovery


def test_forced_transfer_bypasses_pause_freeze_and_rules(funded):
    p = funded
    send(p.token.functions.suspendTransfers(), p.admin)
    send(p.token.functions.setAddressFrozen(p.alice, True), p.agent)
    send(p.token.functions.setTransferRules(INSTITUTIONAL, 1, 5, now(p.w3) + 86_400), p.admin)
    receipt = send(p.token.functions.agentTransfer(p.alice, p.dave, 10), p.agent)
    (event,) = p.token.events.ForcedTransfer().process_receipt(receipt, errors=DISCARD)
    assert (event.args["from"], event.args["to"], event.args.amount, event.args.agent) == (
        p.alice,
        p.dave,
        10,
        p.agent,
    )
    assert p.token.functions.balanceOf(p.dave).call() == 10
    assert p.token.functions.numHolders().call() == 3


def test_forced_transfer_needs_a_verified_recipient(funded, unchanged):
    p = funded
    with unchanged():
        assert_reverts(
            p.token.functions.agentTransfer(p.alice, p.outsider, 1),
            p.agent,
            "RecipientNotVerified",
            p.outsider,
        )


def test_forced_transfer_never_consumes_frozen_tokens(funded, unchanged):
    p = funded
    send(p.token.functions.partialFreeze(p.alice, 600), p.agent)
    with unchanged():
        assert_reverts(
            p.token.functions.agentTransfer(p.alice, p.bob, 401),
            p.agent,
            "InsufficientFreeBalance",
            p.alice,
            400,
            401,
        )
    send(p.token.functions.agentTransfer(p.alice, p.bob, 400), p.agent)
    assert p.token.functions.frozenTokens(p.alice).call() == 600
    assert p.token.functions.balanceOf(p.alice).call() == 600


def test_recovery_moves_balance_and_frozen_state_to_the_same_investor(funded):
    p = funded
    send(p.token.functions.partialFreeze(p.alice, 300), p.agent)
    send(p.token.functions.setAddressFrozen(p.alice, True), p.agent)
    send(p.registry.functions.registerIdentity(p.spare, HK, PROFESSIONAL, FAR_FUTURE), p.admin)
    receipt = send(p.token.functions.walletRecovery(p.alice, p.spare), p.agent)
    assert (
        p.token.events.RecoverySuccess().process_receipt(receipt, errors=DISCARD)[0].args.replacement
        == p.spare
    )
    assert p.token.functions.balanceOf(p.spare).call() == 1_000
    assert p.token.functions.frozenTokens(p.spare).call() == 300
    assert p.token.functions.isFrozen(p.spare).call()
    assert p.token.functions.balanceOf(p.alice).call() == 0
    assert p.token.functions.frozenTokens(p.alice).call() == 0
    assert not p.token.functions.isFrozen(p.alice).call()
    assert p.token.functions.numHolders().call() == 2
    assert p.token.functions.totalSupply().call() == 1_100


def test_recovery_refuses_another_investor_unverified_or_non_empty_wallets(funded, unchanged):
    p = funded
    with unchanged():
        assert_reverts(
            p.token.functions.walletRecovery(p.alice, p.spare), p.agent, "RecipientNotVerified", p.spare
        )
        assert_reverts(
            p.token.functions.walletRecovery(p.alice, p.carol), p.agent, "NotSameInvestor", p.alice, p.carol
        )
        assert_reverts(
            p.token.functions.walletRecovery(p.alice, p.alice), p.agent, "NotSameInvestor", p.alice, p.alice
        )
        assert_reverts(
            p.token.functions.walletRecovery(p.alice, p.bob), p.agent, "ReplacementNotEmpty", p.bob
        )
        assert_reverts(
            p.token.functions.walletRecovery(p.outsider, p.bob),
            p.agent,
            "NotSameInvestor",
            p.outsider,
            p.bob,
        )


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize(
    ("function", "args"),
    [
        ("setAddressFrozen", ("alice", True)),
        ("partialFreeze", ("alice", 1)),
        ("partialUnfreeze", ("alice", 0)),
        ("agentTransfer", ("alice", "bob", 1)),
        ("walletRecovery", ("alice", "bob")),
        ("redeemTokens", ("alice", 1)),
        ("suspendTransfers", ()),
        ("setTransferRules", (0, 0, 0, 0)),
        ("setAllowedCountries", ([HK], True)),
        ("grantRole", (b"\x00" * 32, "outsider")),
    ],
)
def test_restricted_functions_refuse_other_accounts(funded, unchanged, function, args):
    p = funded
    resolved = [getattr(p, a) if isinstance(a, str) else a for a in args]
    with unchanged():
        assert_reverts(
            getattr(p.token.functions, function)(*resolved), p.outsider, "AccessControlUnauthorizedAccount"
        )


def test_each_role_allows_exactly_its_functions(funded):
    p = funded
    roles = {name: p.role(p.token, name) for name in ("AGENT_ROLE", "COMPLIANCE_ROLE", "PAUSER_ROLE")}
    send(p.token.functions.grantRole(roles["PAUSER_ROLE"], p.spare), p.admin)
    send(p.token.functions.suspendTransfers(), p.spare)
    assert_reverts(
        p.token.functions.setTransferRules(0, 0, 0, 0), p.spare, "AccessControlUnauthorizedAccount"
    )
    send(p.token.functions.resumeTransfers(), p.spare)
    send(p.token.functions.grantRole(roles["COMPLIANCE_ROLE"], p.outsider), p.admin)
    send(p.token.functions.setTransferRules(0, 0, 0, 0), p.outsider)
    assert_reverts(p.token.functions.suspendTransfers(), p.outsider, "AccessControlUnauthorizedAccount")
    assert_reverts(
        p.token.functions.setAddressFrozen(p.bob, True), p.outsider, "AccessControlUnauthorizedAccount"
    )
    # the agent (granted AGENT_ROLE only) cannot change rules or pause
    assert_reverts(
        p.token.functions.setTransferRules(0, 0, 0, 0), p.agent, "AccessControlUnauthorizedAccount"
    )
    assert_reverts(p.token.functions.suspendTransfers(), p.agent, "AccessControlUnauthorizedAccount")
