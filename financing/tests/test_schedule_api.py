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
