"""Servicing driven by the beat task on a real Celery worker (financing.tasks.servicing_run)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from financing.choices import PaymentStatus
from financing.models import OfferingPayment
from financing.services.servicing import dividend_declare, payment_fund
from financing.tasks import servicing_run as servicing_task
from financing.tests.test_servicing_lifecycle import _money, _settled, _wallet
from tests.conftest import wait_for

pytestmark = pytest.mark.journey


def test_the_beat_task_pays_a_funded_dividend_on_a_real_worker(platform, request) -> None:
    r = _settled("equity")  # settled in this process; from here on a real worker runs the tasks
    request.getfixturevalue("celery_worker_process")
    today = timezone.localdate()
    dividend = dividend_declare(
        actor=r.sme,
        offering_id=r.offering.pk,
        amount=Decimal("500.01"),
        record_date=today,
        payment_date=today,
    )
    payment_fund(actor=r.sme, payment_id=dividend.pk, amount=Decimal("500.01"))
    wait_for(
        lambda: OfferingPayment.objects.get(pk=dividend.pk).status == PaymentStatus.FUNDED, what="funding"
    )
    first, second = _wallet(r.first), _wallet(r.second)
    before = {w: _money(w) for w in (first, second)}
    servicing_task.delay()
    wait_for(
        lambda: OfferingPayment.objects.get(pk=dividend.pk).status == PaymentStatus.CLOSED, what="payout"
    )
    paid = {w: _money(w) - before[w] for w in before}
    # 500.01 x 60% = 300.006, x 40% = 200.004: exact in base units, summing to what was funded.
    assert paid == {first: 300_006_000, second: 200_004_000}
