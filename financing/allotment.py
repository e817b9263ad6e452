"""Pure arithmetic of allotment: whole units per subscription, pro rata when oversubscribed."""

from __future__ import annotations


def allot_pro_rata(requests: list[tuple[int, int]], available: int) -> dict[int, int]:
    """Whole units per request: all of them when they fit, else pro rata, largest remainders first.

    Ties go to the earlier request (lower id); the total allotted never exceeds `available`.
    """
    total = sum(units for _, units in requests)
    if total <= available:
        return dict(requests)
    shares = {key: units * available // total for key, units in requests}
    remainders = sorted(requests, key=lambda item: (-(item[1] * available % total), item[0]))
    for key, _ in remainders[: available - sum(shares.values())]:
        shares[key] += 1
    return shares
