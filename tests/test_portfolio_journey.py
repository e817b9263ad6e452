"""A round settled through a real worker: the portfolio API's holdings (from the event indexer, which
the settlement's confirmation nudges on the worker) equal balanceOf on chain for every holding."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for
from tests.test_journey import _onchain_units, _prepare_round

pytestmark = pytest.mark.journey


def test_after_a_round_settles_through_the_worker_the_portfolio_equals_balance_of(api, celery_worker_process):
    round_ = _prepare_round(api, investors=2, units_each=[70, 50])
    operator, offering_id = round_["operator"], round_["offering_id"]

    operator.post(f"offerings/{offering_id}/close/", expect=202)
    wait_for(lambda: operator.get(f"offerings/{offering_id}/")["status"] == "settled", what="settlement")

    token = operator.get(f"offerings/{offering_id}/")["token_address"]
    for investor, wallet in round_["investors"]:
        on_chain = _onchain_units(token, wallet)
        assert on_chain > 0
        portfolio = wait_for(
            lambda i=investor, c=on_chain: (
                (p := i.get("portfolio/"))["holdings"] and p["holdings"][0]["units"] == c and p
            ),
            what="the indexer caught up",
        )
        (holding,) = portfolio["holdings"]
        assert holding["token_address"] == token
        assert holding["wallet_address"] == wallet
        assert holding["units"] == holding["recorded_units"] == on_chain
        assert portfolio["index"]["as_of_block"] >= 1
        kinds = [entry["kind"] for entry in portfolio["history"]]
        assert kinds[0] == "settled"
        assert "subscription_funded" in kinds
        assert all(entry["tx_hash"].startswith("0x") for entry in portfolio["history"])
