"""Production settings pass Django's deployment checks and refuse to start without their secrets."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent


def _check_deploy(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "WALLET_", "AUDIT_"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks():
    result = _check_deploy(
        DJANGO_SECRET_KEY="k" * 20 + "-production-secret-value-0123456789abcdef",
        WALLET_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        AUDIT_HMAC_KEY=secrets.token_hex(32),
        DJANGO_ALLOWED_HOSTS="capital.example.hk",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_its_secrets():
    result = _check_deploy(DJANGO_SECRET_KEY="", DJANGO_ALLOWED_HOSTS="capital.example.hk")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_a_missing_short_or_committed_audit_key():
    production = {
        "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-value-0123456789abcdef",
        "WALLET_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "capital.example.hk",
    }
    demo_key = "demo-audit-trail-key-public-in-the-repository"
    for audit in (
        {},
        {"AUDIT_HMAC_KEY": "short"},
        {"AUDIT_HMAC_KEY": demo_key},
        {"AUDIT_HMAC_KEY": secrets.token_hex(32), "AUDIT_HMAC_RETIRED_KEYS": demo_key},
    ):
        result = _check_deploy(**production, **audit)
        assert result.returncode != 0, audit
        assert "AUDIT_HMAC_KEY" in result.stderr, audit
