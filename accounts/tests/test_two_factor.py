"""Two-factor authentication: required for staff, offered to everyone; codes after the password, on the
page and in the API; backup codes; turning it off; the gate that keeps an unverified session out."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import Role
from accounts.testing import code_now, totp_code, totp_device
from accounts.tests.factories import PASSWORD, UserFactory
from compliance.models import AuditEvent

pytestmark = pytest.mark.real_two_factor


def _page_login(client, user, **extra):
    return client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD, **extra})


def _api_login(client, user, **extra):
    return client.post(
        "/api/v1/auth/login/",
        json.dumps({"email": user.email, "password": PASSWORD, **extra}),
        content_type="application/json",
    )


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _setup_code(client) -> str:
    """Open the set-up page and read the secret it shows, as a person types it into an app."""
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200
    assert b'<svg class="qr"' in page.content
    secret = re.search(rb'id="totp-secret">([A-Z2-7 ]+)<', page.content).group(1).decode()
    device = TOTPDevice.objects.get(confirmed=False)
    from base64 import b32encode

    assert secret.replace(" ", "") == b32encode(device.bin_key).decode().rstrip("=")
    return code_now(device)


# --- staff must use it -----------------------------------------------------------------------------------


def test_a_staff_member_without_an_authenticator_is_sent_to_set_up_and_reaches_nothing_else(client, db):
    officer = UserFactory(role=Role.OFFICER)

    assert _page_login(client, officer).url == reverse("home")
    assert "_auth_user_id" in client.session

    for url in [reverse("compliance:queue"), reverse("accounts:profile"), reverse("home"), "/admin/"]:
        answer = client.get(url)
        assert answer.status_code == 302, url
        assert answer.url == reverse("accounts:two_factor_setup"), url
    api = client.get("/api/v1/auth/me/")
    assert api.status_code == 403
    assert api.json()["code"] == "TwoFactorRequired"
    assert client.get(reverse("accounts:login_code")).url == reverse("accounts:two_factor_setup")


def test_a_staff_member_sets_up_an_app_gets_backup_codes_and_then_works(client, db):
    officer = UserFactory(role=Role.OFFICER)
    _page_login(client, officer)
    code = _setup_code(client)

    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": _wrong(code)})
    assert wrong.status_code == 400
    assert "does not match" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()

    TOTPDevice.objects.filter(user=officer).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    done = client.post(reverse("accounts:two_factor_setup"), {"code": code})

    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)) == set(codes)
    assert client.get(reverse("compliance:queue")).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor_enabled").count() == 1


def test_log_in_asks_for_the_code_refuses_a_wrong_one_and_lets_the_right_one_in(client, db):
    approver = UserFactory(role=Role.APPROVER)
    device = totp_device(approver)
    queue = reverse("compliance:queue")

    _page_login(client, approver, next=queue)
    first = client.get(queue)
    assert first.status_code == 302
    assert first.url.startswith(reverse("accounts:login_code"))
    assert client.get(first.url).status_code == 200

    wrong = client.post(reverse("accounts:login_code"), {"code": _wrong(code_now(device)), "next": queue})
    assert wrong.status_code == 400
    assert "This code is not right" in wrong.content.decode()
    assert client.get(queue).status_code == 302

    throttled = client.post(reverse("accounts:login_code"), {"code": code_now(device), "next": queue})
    assert throttled.status_code == 429  # a wrong code makes the next one wait a second
    assert "Too many wrong codes" in throttled.content.decode()
    assert throttled["Retry-After"]

    right = client.post(reverse("accounts:login_code"), {"code": totp_code(approver), "next": queue})
    assert right.status_code == 302
    assert right.url == queue
    assert client.get(queue).status_code == 200


def test_a_code_is_accepted_once(client, db):
    operator = UserFactory(role=Role.OPERATOR)
    code = totp_code(operator)
    _page_login(client, operator)
    assert client.post(reverse("accounts:login_code"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    TOTPDevice.objects.filter(user=operator).update(throttling_failure_count=0)

    _page_login(client, operator)
    again = client.post(reverse("accounts:login_code"), {"code": code})

    assert again.status_code == 400
    assert client.get(reverse("tokens:chain_status")).status_code == 302


def test_a_backup_code_signs_in_once(client, db):
    officer = UserFactory(role=Role.OFFICER)
    totp_device(officer)
    static = StaticDevice.objects.create(user=officer, name="Backup codes")
    static.token_set.create(token="abcd2345")

    _page_login(client, officer)
    assert client.post(reverse("accounts:login_code"), {"code": "ABCD 2345"}).status_code == 302
    assert client.get(reverse("compliance:queue")).status_code == 200
    assert not StaticToken.objects.filter(device=static).exists()


def test_only_someone_running_low_on_their_backup_codes_is_told_so_at_log_in(client, db):
    never_made = UserFactory(role=Role.OFFICER)
    totp_device(never_made)
    _page_login(client, never_made)
    client.post(reverse("accounts:login_code"), {"code": totp_code(never_made)})
    assert "backup code" not in client.get(reverse("compliance:queue")).content.decode()

    client.logout()
    low = UserFactory(role=Role.OFFICER)
    totp_device(low)
    StaticDevice.objects.create(user=low, name="Backup codes").token_set.create(token="abcd2345")
    _page_login(client, low)
    client.post(reverse("accounts:login_code"), {"code": totp_code(low)})
    assert "You have 1 backup code left" in client.get(reverse("compliance:queue")).content.decode()


def test_a_half_logged_in_session_can_log_out(client, db):
    officer = UserFactory(role=Role.OFFICER)
    totp_device(officer)
    _page_login(client, officer)
    assert client.post(reverse("accounts:logout")).url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


# --- offered to everyone -------------------------------------------------------------------------------


def test_an_investor_without_two_factor_logs_in_with_the_password_alone(client, db):
    investor = UserFactory(role=Role.INVESTOR)
    _page_login(client, investor)
    assert client.get(reverse("financing:investor_dashboard")).status_code == 200
    assert "Set up" in client.get(reverse("accounts:profile")).content.decode()


def test_an_investor_turns_it_on_then_log_in_asks_for_the_code(client, db):
    investor = UserFactory(role=Role.INVESTOR)
    _page_login(client, investor)
    client.post(reverse("accounts:two_factor_setup"), {"code": _setup_code(client)})
    assert TOTPDevice.objects.filter(user=investor, confirmed=True).count() == 1
    client.post(reverse("accounts:logout"))

    _page_login(client, investor)

    assert client.get(reverse("financing:investor_dashboard")).url.startswith(reverse("accounts:login_code"))
    client.post(reverse("accounts:login_code"), {"code": totp_code(investor)})
    assert client.get(reverse("financing:investor_dashboard")).status_code == 200


def test_turning_it_off_takes_the_password_and_a_code_and_a_refusal_changes_nothing(client, db):
    investor = UserFactory(role=Role.INVESTOR)
    totp_device(investor)
    _page_login(client, investor)
    client.post(reverse("accounts:login_code"), {"code": totp_code(investor)})
    url = reverse("accounts:two_factor_disable")

    wrong_password = client.post(url, {"password": "not-my-password", "code": totp_code(investor)})
    assert wrong_password.status_code == 400
    assert "not your current password" in wrong_password.content.decode()
    missing_code = client.post(url, {"password": PASSWORD, "code": ""})
    assert missing_code.status_code == 400
    assert TOTPDevice.objects.filter(user=investor).exists()

    done = client.post(url, {"password": PASSWORD, "code": totp_code(investor)})

    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=investor).exists()
    assert client.get(reverse("financing:investor_dashboard")).status_code == 200


def test_staff_cannot_turn_it_off(client, db):
    officer = UserFactory(role=Role.OFFICER)
    _page_login(client, officer)
    client.post(reverse("accounts:login_code"), {"code": totp_code(officer)})

    answer = client.post(
        reverse("accounts:two_factor_disable"), {"password": PASSWORD, "code": totp_code(officer)}
    )

    assert answer.status_code == 403
    assert "Staff accounts must keep two-factor authentication" in answer.content.decode()
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


def test_new_backup_codes_replace_the_old_ones(client, db):
    investor = UserFactory(role=Role.INVESTOR)
    _page_login(client, investor)
    client.post(reverse("accounts:two_factor_setup"), {"code": _setup_code(client)})
    old = set(StaticToken.objects.filter(device__user=investor).values_list("token", flat=True))

    page = client.post(reverse("accounts:two_factor_backup_codes"))

    new = set(re.findall(r"<li>([a-z2-7]{8})</li>", page.content.decode()))
    assert len(new) == 10
    assert set(StaticToken.objects.filter(device__user=investor).values_list("token", flat=True)) == new
    assert not old & new


# --- the API -------------------------------------------------------------------------------------------


def test_api_log_in_of_staff_needs_the_code_in_the_same_request(client, db):
    officer = UserFactory(role=Role.OFFICER)
    totp_device(officer)

    without = _api_login(client, officer)
    assert without.status_code == 400
    assert without.json()["code"] == "OtpRequired"
    assert "_auth_user_id" not in client.session
    wrong = _api_login(client, officer, otp_code=_wrong(totp_code(officer)))
    assert wrong.status_code == 400
    assert "_auth_user_id" not in client.session

    TOTPDevice.objects.filter(user=officer).update(throttling_failure_count=0)
    right = _api_login(client, officer, otp_code=totp_code(officer))
    assert right.status_code == 200
    assert client.get("/api/v1/auth/me/").json()["email"] == officer.email


def test_api_log_in_of_staff_without_an_authenticator_is_refused_with_the_way_forward(client, db):
    operator = UserFactory(role=Role.OPERATOR)
    answer = _api_login(client, operator)
    assert answer.status_code == 403
    assert answer.json()["code"] == "TwoFactorSetupRequired"
    assert "_auth_user_id" not in client.session


def test_api_log_in_of_an_investor_without_two_factor_needs_no_code(client, db):
    assert _api_login(client, UserFactory(role=Role.INVESTOR)).status_code == 200


def test_an_api_key_of_a_staff_member_works_without_a_code(client, db):
    from accounts.services import api_key_create

    officer = UserFactory(role=Role.OFFICER)
    key = api_key_create(user=officer, name="reports").key
    answer = client.get("/api/v1/auth/me/", headers={"authorization": f"Bearer {key}"})
    assert answer.status_code == 200


# --- the demo's codes ----------------------------------------------------------------------------------


def test_totp_code_prints_the_current_code_in_development_only(db, settings, capsys):
    officer = UserFactory(role=Role.OFFICER, email="officer@example.hk")
    device = totp_device(officer)
    call_command("totp_code", "officer@example.hk")
    assert code_now(device) in capsys.readouterr().out

    settings.CHAIN_IS_DEVELOPMENT = False
    with pytest.raises(CommandError, match="demo and development settings only"):
        call_command("totp_code", "officer@example.hk")


def test_an_operator_removes_a_lost_authenticator_in_the_admin_and_its_owner_sets_up_a_new_one(client, db):
    from django.test import Client

    from accounts.testing import verified_login

    officer = UserFactory(role=Role.OFFICER)
    lost = totp_device(officer)
    operator = UserFactory(role=Role.OPERATOR, is_staff=True, is_superuser=True)
    admin = Client()
    verified_login(admin, operator)
    change = admin.get(f"/admin/otp_totp/totpdevice/{lost.pk}/change/")
    assert change.status_code == 200
    assert lost.key not in change.content.decode()  # the secret is never shown

    admin.post(f"/admin/otp_totp/totpdevice/{lost.pk}/delete/", {"post": "yes"})

    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    _page_login(client, officer)
    assert client.get(reverse("compliance:queue")).url == reverse("accounts:two_factor_setup")
