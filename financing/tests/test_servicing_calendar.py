"""The payment calendar built when an offering settles, and the pro-rata payout arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from financing.choices import ApplicationStatus, PaymentKind, PaymentStatus
from financing.models import OfferingPayment
from financing.payouts import split_pro_rata
from tests import flows


def test_split_pro_rata_is_exact_and_gives_the_remainder_to_the_largest_fractions() -> None:
    assert split_pro_rata(100, {"0xb": 1, "0xa": 1, "0xc": 1}) == {"0xa": 34, "0xb": 33, "0xc": 33}
    shares = split_pro_rata(1_000_001, {"0x1": 3, "0x2": 5, "0x3": 11})
    assert sum(shares.values()) == 1_000_001
    # floor shares 157894, 263157, 578947 (sum 999998); remainders 17/19, 15/19, 13/19 take one each.
    assert shares == {"0x1": 157895, "0x2": 263158, "0x3": 578948}
    assert split_pro_rata(7, {"0x1": 60, "0x2": 40}) == {"0x1": 4, "0x2": 3}
    assert split_pro_rata(0, {"0x1": 1}) == {"0x1": 0}
    with pytest.raises(ValueError, match="holders with units"):
        split_pro_rata(5, {})


@pytest.mark.django_db(transaction=True)
def test_a_settled_bond_gets_its_calendar_for_the_principal_raised_and_its_application_is_funded(
    platform,
) -> None:
    _, _, offering, _, _ = flows.settled_round()
    offering.application.refresh_from_db()
    assert offering.application.status == ApplicationStatus.FUNDED
    payments = list(OfferingPayment.objects.filter(offering=offering))
    # Two-year semi-annual 5% bond of 100 units of HKD 1,000: four coupons and the principal.
    assert [p.kind for p in payments] == [PaymentKind.COUPON] * 4 + [PaymentKind.PRINCIPAL]
    assert [p.sequence for p in payments] == [1, 2, 3, 4, 5]
    assert all(p.status == PaymentStatus.SCHEDULED and p.units == 100 for p in payments)
    assert payments[-1].amount == Decimal("100000.00")
    assert payments[-1].per_unit == Decimal("1000.000000")
    assert payments[-1].due_date == payments[-2].due_date
    coupons = sum(p.amount for p in payments[:4])
    assert Decimal("9900") < coupons < Decimal("10100")  # 5% a year for two years on HKD 100,000
    assert all(p.per_unit * 100 <= p.amount < (p.per_unit + Decimal("0.000001")) * 100 for p in payments)
