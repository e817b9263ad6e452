"""`make bench-settle` cannot rot: its round (seed, close through the API, wait, check on chain) runs here."""

import pytest

from bench.settle_round import (
    UNIT_PRICE,
    UNITS_PER_INVESTOR,
    BlockProducer,
    close_and_wait,
    register_seeding_intents,
    seed_round,
    verify_on_chain,
)

pytestmark = pytest.mark.journey


def test_the_settlement_benchmark_settles_a_small_round_and_the_chain_agrees(celery_worker_process, settings):
    register_seeding_intents()
    rnd = seed_round(n=5, tag="smoke")

    with BlockProducer(0.2) as producer:
        seconds, by_status = close_and_wait(rnd, timeout=60)

    assert producer.blocks >= 1  # the round's blocks came from the benchmark's producer
    assert by_status == {"settled": 5}
    assert seconds > 0
    paid = 5 * UNITS_PER_INVESTOR * int(UNIT_PRICE.scaleb(settings.PAYMENT_TOKEN_DECIMALS))
    assert verify_on_chain(rnd) == {"allotments": 5, "units": 5 * UNITS_PER_INVESTOR, "issuer_received": paid}
