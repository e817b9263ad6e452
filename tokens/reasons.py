"""Plain words for every refusal the contracts can give, so the app explains it to people.

The security token's `canTransfer` / `canMint` return a reason code (in the spirit of ERC-1404) and
its refusals revert with `TransferNotCompliant(code)` / `MintNotCompliant(code)`; the outbox records
other reverts as `ErrorName(args)` decoded from the artifacts.
"""

from __future__ import annotations

import re

OK = 0
COMPLIANCE_REASONS = {
    OK: "Allowed.",
    1: "Transfers of this token are paused by the platform.",
    2: "The sending wallet is not verified on the identity registry, or its verification has expired.",
    3: "The receiving wallet is not verified on the identity registry, or its verification has expired.",
    4: "The sending wallet is frozen.",
    5: "The receiving wallet is frozen.",
    6: "The sender does not hold enough unfrozen units.",
    7: "The receiving investor's country is not allowed for this token.",
    8: "This token may only be held by investors of the required class (e.g. professional investors).",
    9: "The token has reached its maximum number of holders.",
    10: "This would take the investor past the maximum holding allowed per investor.",
    11: "The units are still in their lock-up period.",
}
# Codes of Settlement.settleChecks beyond the token's own (0-31): why one item of a batch would not settle.
CHECK_NO_ESCROW = 32
CHECK_ALREADY_SETTLED = 33
CHECK_ESCROW_SHORT = 34
CHECK_INVALID_UNITS = 35
CHECK_UNKNOWN_OFFERING = 36
CHECK_WINDOW_CLOSED = 37
SETTLEMENT_CHECK_REASONS = {
    CHECK_NO_ESCROW: "No payment is in escrow for this subscription (never funded, or already refunded).",
    CHECK_ALREADY_SETTLED: "This allotment was already settled on chain; it cannot settle twice.",
    CHECK_ESCROW_SHORT: "The payment in escrow is less than the allotted units cost.",
    CHECK_INVALID_UNITS: "The number of units is zero or too large to settle.",
    CHECK_UNKNOWN_OFFERING: "The offering is not registered with the settlement contract.",
    CHECK_WINDOW_CLOSED: "The offering's settlement window has closed: its escrow can only be refunded.",
}
ERROR_REASONS = {
    "AlreadySettled": "This allotment was already settled on chain; it cannot settle twice.",
    "AlreadyPaid": "This distribution was already paid on chain; it cannot be paid twice.",
    "ERC20InsufficientBalance": "The paying wallet does not hold enough of the payment token.",
    "ERC20InsufficientAllowance": (
        "The paying wallet has not authorised the settlement contract to collect this payment."
    ),
    "EnforcedPause": "The token is paused by the platform.",
    "WalletFrozen": "The wallet is frozen.",
    "InsufficientFreeBalance": "Not enough unfrozen units.",
    "RecipientNotVerified": "The receiving wallet is not verified on the identity registry.",
    "NotSameInvestor": "The replacement wallet belongs to a different investor identity.",
    "ReplacementNotEmpty": "The replacement wallet already holds units.",
    "AccessControlUnauthorizedAccount": "The platform's signing wallet lacks the role this action needs.",
    "AlreadyRegistered": "This is already registered on chain.",
    "NotRegistered": "This wallet is not registered on the identity registry.",
    "InvalidCountry": "The country code is not valid.",
}
_CALL = re.compile(r"^(?P<name>\w+)\((?P<args>.*)\)$")


def explain_code(code: int) -> str:
    """The plain-words reason for a compliance or settlement-check reason code."""
    if code in SETTLEMENT_CHECK_REASONS:
        return SETTLEMENT_CHECK_REASONS[code]
    return COMPLIANCE_REASONS.get(code, f"The token refused it (reason code {code}).")


def explain_failure(error: str) -> str:
    """Plain words for a recorded chain failure such as `MintNotCompliant(8)`; unknown ones as recorded."""
    match = _CALL.match(error.strip())
    if not match:
        return error
    name, args = match["name"], match["args"]
    if name in ("TransferNotCompliant", "MintNotCompliant") and args.strip().isdigit():
        return explain_code(int(args))
    return ERROR_REASONS.get(name, error)
