"""POST /api/v1/schedules/preview/ answers rows and totals, or 400 with field messages."""

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory

URL = "/api/v1/schedules/preview/"


@pytest.fixture
def client(db):
    client = Client()
    client.force_login(UserFactory())
    return client


def _post(client, payload):
    return client.post(URL, data=payload, content_type="application/json")


def test_an_annuity_loan_preview_sums_principal_exactly(client):
    response = _post(
        client,
        {
            "instrument": "loan",
            "currency": "HKD",
            "principal": "1000000.00",
            "annual_rate": "0.065",
            "start_date": "2027-01-15",
            "term_months": 36,
            "frequency": "monthly",
            "amortization": "annuity",
            "calendar": "HK",
            "business_day_convention": "modified_following",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["rows"]) == 36
    assert set(body["rows"][0]) == {"period", "date", "principal", "interest", "payment", "outstanding"}
    assert body["totals"]["principal"] == "1000000.00"
    assert body["rows"][-1]["outstanding"] == "0.00"


def test_a_bond_preview_pays_coupons_and_the_face_at_maturity(client):
    response = _post(
        client,
        {
            "instrument": "bond",
            "currency": "HKD",
            "principal": "5000000.00",
            "annual_rate": "0.05",
            "start_date": "2027-03-01",
            "maturity_date": "2030-03-01",
            "frequency": "semiannual",
            "day_count": "act_365f",
            "calendar": "HK",
        },
    )
    assert response.status_code == 200, response.content
    rows = response.json()["rows"]
    assert len(rows) == 6
    assert rows[-1]["principal"] == "5000000.00"
    assert all(row["principal"] == "0.00" for row in rows[:-1])


def test_bad_terms_get_every_field_message_at_once(client):
    response = _post(
        client,
        {
            "instrument": "loan",
            "currency": "EUR",
            "principal": "-5",
            "annual_rate": "2",
            "start_date": "2027-02-30",
            "frequency": "weekly",
        },
    )
    assert response.status_code == 400
    body = response.json()
    for field in ("currency", "principal", "annual_rate", "start_date", "frequency"):
        assert field in body, body


@pytest.mark.parametrize("payload", ["[]", "null", "not json", '"text"', '{"principal": 1.5}'])
def test_malformed_bodies_are_400_not_500(client, payload):
    response = client.post(URL, data=payload, content_type="application/json")
    assert response.status_code == 400


def test_the_preview_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert URL in schema.json()["paths"]


BOND = {
    "instrument": "bond",
    "currency": "HKD",
    "principal": "1000000.00",
    "annual_rate": "0.06",
    "start_date": "2027-01-31",
    "maturity_date": "2028-01-31",
    "frequency": "semiannual",
    "calendar": "none",
    "business_day_convention": "unadjusted",
}


@pytest.mark.parametrize(
    ("given", "code", "name"),
    [
        ("ACT/365F", "act_365f", "ACT/365F"),
        ("act/365 fixed", "act_365f", "ACT/365F"),
        ("ACT/365 FIXED", "act_365f", "ACT/365F"),
        ("  Act / 360 ", "act_360", "ACT/360"),
        ("30/360", "thirty_360", "30/360"),
        ("30e/360", "thirty_e_360", "30E/360"),
        ("30E / 360", "thirty_e_360", "30E/360"),
        ("thirty_360", "thirty_360", "30/360"),
        ("act_365f", "act_365f", "ACT/365F"),
    ],
)
def test_a_day_count_by_market_name_or_code_is_used_and_named_in_the_answer(client, given, code, name):
    by_name = _post(client, {**BOND, "day_count": given})
    by_code = _post(client, {**BOND, "day_count": code})
    assert by_name.status_code == 200, by_name.content
    assert (by_name.json()["day_count"], by_name.json()["day_count_name"]) == (code, name)
    assert by_name.json()["rows"] == by_code.json()["rows"]


def test_without_a_day_count_the_answer_says_act_365f_was_used(client):
    answer = _post(client, BOND).json()
    assert (answer["day_count"], answer["day_count_name"]) == ("act_365f", "ACT/365F")


def test_the_day_counts_accrue_differently_where_their_rules_differ(client):
    # 31 Jan to 31 Jul: 181 actual days; 30/360 and 30E/360 both count 180. From 30 Jan to 31 Jul the
    # Bond Basis counts the 31st as the 30th only because the start is the 30th; 30E/360 always does.
    coupon = {
        day_count: _post(client, {**BOND, "day_count": day_count}).json()["rows"][0]["interest"]
        for day_count in ("ACT/365F", "ACT/360", "30/360", "30E/360")
    }
    assert coupon == {
        "ACT/365F": "29753.42",  # 1,000,000 x 6% x 181/365
        "ACT/360": "30166.67",  # x 181/360
        "30/360": "30000.00",  # x 180/360
        "30E/360": "30000.00",
    }
    start_on_the_29th = {**BOND, "start_date": "2027-01-29", "maturity_date": "2028-01-31"}
    bond_basis = _post(client, {**start_on_the_29th, "day_count": "30/360"}).json()["rows"]
    eurobond = _post(client, {**start_on_the_29th, "day_count": "30E/360"}).json()["rows"]
    # The first period ends on 31 Jul: Bond Basis keeps the 31st (start day 29), Eurobond counts the 30th.
    assert bond_basis[0]["interest"] != eurobond[0]["interest"]


@pytest.mark.parametrize("unknown", ["ACT/ACT", "act_366", "30/365", "", "BUS/252"])
def test_an_unknown_day_count_is_a_400_naming_the_accepted_names(client, unknown):
    answer = _post(client, {**BOND, "day_count": unknown})
    if unknown == "":
        # Blank means "not given", as for every schedule field: the default applies.
        assert answer.status_code == 200
        return
    assert answer.status_code == 400
    message = " ".join(answer.json()["day_count"])
    for name in ("ACT/365F", "ACT/360", "30/360", "30E/360"):
        assert name in message
