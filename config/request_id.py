"""One id per request: on the response header, in every log line of the request, and on the 500 answer.

Support asks the user for the id shown on an error page and finds the matching log lines with it.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# A caller's id (e.g. from the load balancer) is kept only if it cannot forge or break a log line.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being handled in this thread or task (None outside a request)."""
    return _current.get()


class RequestIdMiddleware:
    """Give each request an id (a safe `X-Request-ID` header, else uuid4 hex) and answer with it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(HEADER, "")
        request_id = offered if _SAFE_ID.fullmatch(offered) else uuid.uuid4().hex
        # Kept until the response is closed, so Django's own "Not Found: ..." line carries it too.
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished)
def _forget_request_id(**_: object) -> None:
    _current.set(None)


class RequestIdFilter(logging.Filter):
    """Stamp every record with the current request id (`-` outside a request) for the log format."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get() or "-"
        return True
