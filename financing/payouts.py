"""Pure arithmetic of payouts: a funded amount shared pro rata to units, exactly to the base unit."""

from __future__ import annotations


def split_pro_rata(total: int, units: dict[str, int]) -> dict[str, int]:
    """`total` payment-token base units shared by holders pro rata to their units (largest remainder).

    Each holder first gets floor(total x units / all units); the base units this leaves over (fewer
    than the number of holders) go one each to the holders with the largest remainders, ties to the
    lower wallet address (lower-cased). The shares sum to exactly `total`, never more.
    """
    if total < 0:
        raise ValueError("A payout total is never negative.")
    outstanding = sum(units.values())
    if outstanding <= 0 or any(u < 0 for u in units.values()):
        raise ValueError("A payout needs holders with units.")
    shares = {wallet: total * held // outstanding for wallet, held in units.items()}
    left = total - sum(shares.values())
    order = sorted(units, key=lambda wallet: (-(total * units[wallet] % outstanding), wallet.lower()))
    for wallet in order[:left]:
        shares[wallet] += 1
    return shares
