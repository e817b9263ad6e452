"""A guard for tests: no chain call while a database transaction is open, and RPC counts by method.

A chain call inside a transaction holds that transaction's row locks for a network round trip (or a
node's timeout): the settlement path reads the chain first and then writes in a short transaction.
`chain_calls_outside_transactions()` fails the test if the platform's chain client sends an RPC while
this thread's connection is inside `transaction.atomic` (tests using it run with committed rows, as the
`platform` fixture does, so the test itself wraps nothing). The outbox too asks the node first and
then signs in a short transaction (tokens/outbox.py).
"""

from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from web3.providers.rpc import HTTPProvider

from tokens import chain


def _caller() -> str:
    """The innermost frame of the project's own code that led to the RPC."""
    for frame in reversed(traceback.extract_stack()[:-3]):
        if "/site-packages/" not in frame.filename and not frame.filename.endswith("chain_guard.py"):
            return f"{frame.filename}:{frame.lineno} ({frame.name})"
    return "?"


@contextmanager
def chain_calls_outside_transactions(*, only_count: bool = False) -> Iterator[Counter[str]]:
    """Count the platform client's RPCs by method; fail on one sent in a transaction (not `only_count`)."""
    counts: Counter[str] = Counter()
    inside: list[str] = []
    original = HTTPProvider._make_request

    def guarded(self: HTTPProvider, method: Any, request_data: bytes) -> bytes:
        if self is chain.web3().provider:
            counts[str(method)] += 1
            if connection.in_atomic_block and not only_count:
                inside.append(f"{method} from {_caller()}")
        return original(self, method, request_data)

    HTTPProvider._make_request = guarded  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        HTTPProvider._make_request = original  # type: ignore[method-assign]
    assert not inside, "chain calls inside a database transaction:\n" + "\n".join(inside)
