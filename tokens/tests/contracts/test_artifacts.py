"""The committed artifacts in tokens/artifacts are exactly what a fresh compile of the sources gives."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CONTRACTS = (
    "IdentityRegistry",
    "SecurityToken",
    "PaymentToken",
    "Settlement",
    "DocumentRegistry",
    "BaselineERC20",
    "PlatformTimelock",
    "AttestationRegistry",
)


def test_artifacts_match_a_fresh_compile():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    result = subprocess.run(
        [node, "tokens/contracts/compile.mjs", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", CONTRACTS)
def test_artifact_has_abi_bytecode_and_compiler(name):
    data = json.loads((ROOT / "tokens" / "artifacts" / f"{name}.json").read_text())
    assert list(data) == ["contractName", "abi", "bytecode", "deployedBytecode", "compiler"]
    assert data["contractName"] == name
    assert data["bytecode"].startswith("0x6")
    assert data["deployedBytecode"].startswith("0x")
    assert data["compiler"]["version"].startswith("0.8.37")
    assert data["compiler"]["settings"]["optimizer"]["enabled"] is True
    assert len(data["deployedBytecode"]) // 2 - 1 <= 24_576  # EIP-170 size limit
