"""Every reason code and known custom error has plain words."""

import pytest

from tokens.reasons import COMPLIANCE_REASONS, explain_code, explain_failure


def test_every_reason_code_of_the_token_is_explained():
    assert set(COMPLIANCE_REASONS) == set(range(12))
    assert all(text.endswith(".") for text in COMPLIANCE_REASONS.values())


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("MintNotCompliant(8)", "professional investors"),
        ("TransferNotCompliant(11)", "lock-up"),
        ("AlreadySettled(42)", "cannot settle twice"),
        ("ERC20InsufficientBalance(0xabc, 1, 2)", "does not hold enough of the payment token"),
        ("reverted on chain (no reason given)", "reverted on chain"),
        ("SomethingNew(1)", "SomethingNew(1)"),
    ],
)
def test_failures_are_put_in_plain_words(error, expected):
    assert expected in explain_failure(error)


def test_an_unknown_code_still_says_what_it_is():
    assert "99" in explain_code(99)
