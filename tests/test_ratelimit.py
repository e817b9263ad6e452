"""Public endpoints are rate limited per client address in the shared cache (config/ratelimit.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from config.env import Rate, parse_rate
from config.errors import TooManyAttempts
from config.ratelimit import check_client, check_distinct, rate_limited

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.RATE_LIMITS = {"probe": "3/minute", "probe-distinct": "2/hour"}
    return settings


def _request(address="203.0.113.7"):
    return RequestFactory().get("/probe/", REMOTE_ADDR=address)


@pytest.mark.parametrize(
    ("text", "rate"),
    [("30/minute", Rate(30, 60)), ("5/10minutes", Rate(5, 600)), ("1000/day", Rate(1000, 86400))],
)
def test_rates_are_written_as_count_per_period(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "0/minute", "30", "30/fortnight", "-1/hour", "3/0minutes"])
def test_a_malformed_rate_is_a_configuration_error(text):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(text)


def test_the_request_past_the_rate_is_refused_with_when_to_try_again(limits):
    for _ in range(3):
        check_client(_request(), scope="probe")
    with pytest.raises(TooManyAttempts) as refused:
        check_client(_request(), scope="probe")
    assert 1 <= refused.value.retry_after <= 60
    assert "Try again in" in refused.value.message


def test_each_client_address_and_scope_has_its_own_count(limits):
    for _ in range(3):
        check_client(_request("203.0.113.7"), scope="probe")
    check_client(_request("203.0.113.8"), scope="probe")
    check_distinct(_request("203.0.113.7"), scope="probe-distinct", value="a")


def test_distinct_values_are_counted_once_each(limits):
    for _ in range(5):
        check_distinct(_request(), scope="probe-distinct", value="a")
    check_distinct(_request(), scope="probe-distinct", value="b")
    check_distinct(_request(), scope="probe-distinct", value="a")
    with pytest.raises(TooManyAttempts):
        check_distinct(_request(), scope="probe-distinct", value="c")
    # The values already asked about stay answerable; only new guesses are refused.
    check_distinct(_request(), scope="probe-distinct", value="b")


def test_a_limited_page_answers_the_friendly_page_and_does_not_run_the_view(limits):
    runs = []

    @rate_limited("probe")
    def view(request):
        runs.append(1)
        return HttpResponse("ok")

    answers = [view(_request()) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert len(runs) == 3
    assert int(answers[-1]["Retry-After"]) >= 1
    assert "Please wait a moment" in answers[-1].content.decode()


def test_an_unknown_scope_is_a_configuration_error(limits):
    with pytest.raises(ImproperlyConfigured):
        check_client(_request(), scope="nothing")


def test_an_api_view_with_the_throttle_answers_429_with_retry_after(limits):
    from rest_framework.permissions import AllowAny
    from rest_framework.response import Response
    from rest_framework.test import APIRequestFactory
    from rest_framework.views import APIView

    from config.ratelimit import RateLimitThrottle

    class Probe(APIView):
        authentication_classes: list[type] = []
        permission_classes = [AllowAny]
        throttle_classes = [RateLimitThrottle]
        rate_limit_scope = "probe"

        def get(self, request):
            return Response({"ok": True})

    view = Probe.as_view()
    answers = [view(APIRequestFactory().get("/probe/", REMOTE_ADDR="203.0.113.9")) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1].data["code"] == "TooManyAttempts"
    assert int(answers[-1]["Retry-After"]) >= 1
