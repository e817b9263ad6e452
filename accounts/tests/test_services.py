"""Sign-up creates only SME and investor accounts, with clear refusals that create nothing."""

import pytest
from django.core.cache import cache
from rest_framework.throttling import ScopedRateThrottle

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_signup
from config.errors import ValidationFailed


def test_signup_normalises_the_email_and_keeps_the_role(db):
    user = user_signup(email=" Ann@Example.HK ", password="a-long-pass-phrase-1", full_name="Ann", role="sme")
    assert user.email == "ann@example.hk"
    assert user.role == Role.SME
    assert user.check_password("a-long-pass-phrase-1")


@pytest.mark.parametrize("role", [Role.OFFICER, Role.APPROVER, Role.OPERATOR, "root"])
def test_staff_roles_cannot_be_taken_by_signing_up(db, role):
    with pytest.raises(ValidationFailed) as refused:
        user_signup(email="x@example.hk", password="a-long-pass-phrase-1", full_name="X", role=role)
    assert "role" in refused.value.fields
    assert not User.objects.exists()


def test_every_problem_is_reported_at_once(db):
    with pytest.raises(ValidationFailed) as refused:
        user_signup(email="", password="123", full_name=" ", role="investor")
    assert set(refused.value.fields) == {"email", "password", "full_name"}
    assert not User.objects.exists()


def test_api_logins_are_rate_limited(db, client, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/minute"})
    cache.clear()
    codes = [
        client.post("/api/v1/auth/login/", {"email": "x@example.hk", "password": "wrong"}).status_code
        for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]
