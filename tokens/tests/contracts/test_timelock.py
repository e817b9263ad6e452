"""PlatformTimelock: registering an offering needs a proposer, the delay, and an executor (a second key)."""

from __future__ import annotations

from eth_utils import keccak

from .conftest import (
    HKD,
    ZERO_ADDRESS,
    advance_time,
    assert_reverts,
    deploy,
    encode_call,
    now,
    send,
)

DELAY = 2 * 86_400
NO_PREDECESSOR = b"\0" * 32


def test_a_registration_waits_for_the_delay_and_a_second_key(platform):
    p = platform
    proposer, executor = p.w3.eth.accounts[3:5]
    timelock = deploy(p.w3, "PlatformTimelock", DELAY, [proposer], [executor], ZERO_ADDRESS, sender=p.admin)
    settlement = deploy(p.w3, "Settlement", timelock.address, sender=p.admin)
    token = p.new_token(settlement=settlement.address)
    t = timelock.functions

    def run(name, *args, salt):
        """Schedule `name(*args)` on Settlement through the timelock; returns (execute call, cancel call)."""
        data = encode_call(settlement, name, args)["data"]
        send(t.schedule(settlement.address, 0, data, NO_PREDECESSOR, salt, DELAY), proposer)
        operation = t.hashOperation(settlement.address, 0, data, NO_PREDECESSOR, salt).call()
        return t.execute(settlement.address, 0, data, NO_PREDECESSOR, salt), t.cancel(operation)

    execute_allow, _ = run("setPaymentTokenAllowed", p.payment.address, True, salt=keccak(text="allow"))
    advance_time(p.w3, DELAY)
    send(execute_allow, executor)
    assert settlement.functions.isPaymentTokenAllowed(p.payment.address).call()

    settle_by = now(p.w3) + 30 * 86_400
    offering = (token.address, p.issuer, p.payment.address, 100 * HKD, settle_by)
    # neither key registers directly: only the timelock holds REGISTRAR_ROLE
    for key in (proposer, executor):
        assert_reverts(
            settlement.functions.registerOffering(*offering), key, "AccessControlUnauthorizedAccount"
        )
    assert_reverts(
        t.schedule(settlement.address, 0, b"", NO_PREDECESSOR, b"\0" * 32, DELAY),
        executor,
        "AccessControlUnauthorizedAccount",
    )

    execute, cancel = run("registerOffering", *offering, salt=keccak(text="first"))
    assert_reverts(execute, executor, "TimelockUnexpectedOperationState")  # before the delay
    advance_time(p.w3, DELAY)
    assert_reverts(execute, proposer, "AccessControlUnauthorizedAccount")  # the proposer cannot execute
    send(cancel, proposer)  # the proposer is also the canceller
    assert_reverts(execute, executor, "TimelockUnexpectedOperationState")
    assert settlement.functions.offeringOf(token.address).call() == [ZERO_ADDRESS, ZERO_ADDRESS, 0, 0]

    execute, _ = run("registerOffering", *offering, salt=keccak(text="second"))
    advance_time(p.w3, DELAY - 60)
    assert_reverts(execute, executor, "TimelockUnexpectedOperationState")
    advance_time(p.w3, 60)
    send(execute, executor)
    assert settlement.functions.offeringOf(token.address).call() == [
        p.issuer,
        p.payment.address,
        100 * HKD,
        settle_by,
    ]
