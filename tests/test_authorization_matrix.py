"""Who may do what: every URL pattern and method, as every role, on one's own and someone else's objects.

MATRIX is the one table. Each row names a URL pattern exactly as the resolver spells it, a method, the
object its id points at, and the answer each role gets. A URL pattern without a row fails the test (add
the row), and so does a row whose pattern no longer exists. Every request runs in a transaction that is
rolled back, so one cell never changes what the next one sees.

Objects: "own ..." belongs to the tenant whose SME and investor are the `sme` and `investor` columns;
"other ..." to another tenant, whose ids must answer 404 (never 403, which would confirm they exist).
Answers: an HTTP status, or LOGIN for a redirect to the log-in page. Pages are posted empty forms and
API writes `{}` unless the row gives a body: a 400 means the role passed the door and the input was
refused. The `sme` column's company is verified, so its profile is locked (400 for any person or
document id); a separate test shows an SME with an editable profile gets 404 for another company's.

Adding a URL: add one `r(...)` line per method (and per own/other object when it names one).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

import pytest
from django.contrib.admin import site as admin_site
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from eth_utils import to_checksum_address

from accounts.choices import Role
from accounts.models import Notification, UserSession
from accounts.services import api_key_create, staff_user_create
from accounts.tests.factories import UserFactory
from compliance.attestations.services import attestation_issue
from compliance.cases.choices import CaseKind
from compliance.cases.models import Case
from financing.agreements import accepted_versions
from financing.models import Application, OfferingPayment, TradeDocument
from issuers.models import Document, Person
from issuers.sharing.models import DataConsent
from issuers.sharing.services import consent_grant
from tests import flows
from tokens.choices import TokenOperationKind
from tokens.models import PaymentTokenListing, TokenOperation

LOGIN = "login"
ROLES = ("anonymous", "sme", "investor", "officer", "approver", "operator")


class Row(NamedTuple):
    pattern: str
    method: str
    target: str | None
    answers: tuple[int | str, ...]
    body: dict[str, Any] | None


def r(pattern: str, method: str, target: str | None, *answers: int | str, body: dict | None = None) -> Row:
    assert len(answers) == len(ROLES), f"{pattern} {method}: one answer per role"
    return Row(pattern, method, target, answers, body)


# Valid input, so that the answer shows who may act rather than what the input lacks.
ISSUE = date.today() + timedelta(days=30)
APPLICATION = {
    "instrument": "bond",
    "title": "Harbour 5% Notes",
    "currency": "HKD",
    "target_amount": "100000.00",
    "minimum_amount": "20000.00",
    "use_of_proceeds": "Working capital",
    "unit_price": "1000.00",
    "annual_rate": "0.05",
    "frequency": "semiannual",
    "start_date": ISSUE.isoformat(),
    "maturity_date": ISSUE.replace(year=ISSUE.year + 2).isoformat(),
}
UNITS = {"units": 1, **accepted_versions()}
# The own offering is an open bond: a dividend passes the door and is refused (shares only).
DIVIDEND = {"amount": "1000.00", "record_date": ISSUE.isoformat(), "payment_date": ISSUE.isoformat()}
APPROVE = {"approve": True}
REJECT = {"decision": "reject", "reason": "Too risky"}
CANCEL = {"reason": "The issuer withdrew the programme"}
PERSON = {
    "full_name": "Ada Lam",
    "nationality": "HK",
    "residency": "HK",
    "birth_date": "1980-01-02",
    "is_director": True,
    "ownership_percent": "0",
}

# fmt: off
MATRIX = [
    # pattern, method, object, then the answer as: anonymous, sme, investor, officer, approver, operator
    # Pages: accounts
    r("", "GET", None, 200, 302, 302, 302, 302, 302),
    r("accounts/signup/", "GET", None, 200, 302, 302, 302, 302, 302),
    r("accounts/signup/", "POST", None, 400, 302, 302, 302, 302, 302),
    r("accounts/login/", "GET", None, 200, 302, 302, 302, 302, 302),
    r("accounts/login/", "POST", None, 400, 302, 302, 302, 302, 302),
    # Confirming an address and asking for a new link work the same signed in or not.
    r("accounts/check-email/", "GET", None, 200, 200, 200, 200, 200, 200),
    r("accounts/confirm/<str:token>/", "GET", "stale token", 400, 400, 400, 400, 400, 400),
    r("accounts/confirm/<str:token>/", "POST", "stale token", 400, 400, 400, 400, 400, 400),
    r("accounts/confirm/resend/", "GET", None, 200, 200, 200, 200, 200, 200),
    r("accounts/confirm/resend/", "POST", None, 400, 400, 400, 400, 400, 400),
    r("accounts/logout/", "GET", None, 405, 405, 405, 405, 405, 405),
    # The language switcher works signed in or not; an empty form names no language.
    r("accounts/language/", "GET", None, 405, 405, 405, 405, 405, 405),
    r("accounts/language/", "POST", None, 400, 400, 400, 400, 400, 400),
    r("accounts/logout/", "POST", None, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    r("accounts/profile/", "GET", None, LOGIN, 200, 200, 200, 200, 200),
    r("accounts/profile/api-keys/", "GET", None, LOGIN, 405, 405, 405, 405, 405),
    r("accounts/profile/api-keys/", "POST", None, LOGIN, 400, 400, 400, 400, 400),
    r("accounts/profile/api-keys/<int:pk>/revoke/", "POST", "other key", LOGIN, 404, 404, 404, 404, 404),
    # The account's security pages (a signed-in test session has passed its second factor).
    r("accounts/login/code/", "GET", None, LOGIN, 302, 302, 302, 302, 302),
    r("accounts/login/code/", "POST", None, LOGIN, 302, 302, 302, 302, 302),
    r("accounts/profile/edit/", "GET", None, LOGIN, 200, 200, 200, 200, 200),
    r("accounts/profile/edit/", "POST", None, LOGIN, 400, 400, 400, 400, 400),
    r("accounts/profile/email/", "GET", None, LOGIN, 200, 200, 200, 200, 200),
    r("accounts/profile/email/", "POST", None, LOGIN, 400, 400, 400, 400, 400),
    r("accounts/email/confirm/<str:token>/", "GET", "stale token", 400, 400, 400, 400, 400, 400),
    r("accounts/email/confirm/<str:token>/", "POST", "stale token", 400, 400, 400, 400, 400, 400),
    r("accounts/password/", "GET", None, LOGIN, 200, 200, 200, 200, 200),
    r("accounts/password/", "POST", None, LOGIN, 400, 400, 400, 400, 400),
    # Asking for a reset link works the same signed in or not.
    r("accounts/password-reset/", "GET", None, 200, 200, 200, 200, 200, 200),
    r("accounts/password-reset/", "POST", None, 400, 400, 400, 400, 400, 400),
    r("accounts/password-reset/sent/", "GET", None, 200, 200, 200, 200, 200, 200),
    r("accounts/password-reset/<uidb64>/<token>/", "GET", "reset uid, stale token",
      400, 400, 400, 400, 400, 400),
    r("accounts/password-reset/<uidb64>/<token>/", "POST", "reset uid, stale token",
      400, 400, 400, 400, 400, 400),
    r("accounts/password-reset/complete/", "GET", None, 200, 200, 200, 200, 200, 200),
    r("accounts/two-factor/", "GET", None, LOGIN, 200, 200, 200, 200, 200),
    r("accounts/two-factor/setup/", "GET", None, LOGIN, 200, 200, 200, 200, 200),
    r("accounts/two-factor/setup/", "POST", None, LOGIN, 400, 400, 400, 400, 400),
    # New backup codes: refused (back to the page) without an authenticator; staff always have one.
    r("accounts/two-factor/backup-codes/", "GET", None, LOGIN, 405, 405, 405, 405, 405),
    r("accounts/two-factor/backup-codes/", "POST", None, LOGIN, 302, 302, 200, 200, 200),
    r("accounts/two-factor/disable/", "POST", None, LOGIN, 400, 400, 400, 400, 400),
    r("accounts/sessions/", "GET", None, LOGIN, 200, 200, 200, 200, 200),
    r("accounts/sessions/<int:pk>/end/", "POST", "other session", LOGIN, 404, 404, 404, 404, 404),
    r("accounts/sessions/end-others/", "GET", None, LOGIN, 405, 405, 405, 405, 405),
    r("accounts/sessions/end-others/", "POST", None, LOGIN, 302, 302, 302, 302, 302),
    # Notifications: each user's own (another's answers 404); the bell is empty for a visitor.
    r("accounts/notifications/", "GET", None, LOGIN, 200, 200, 200, 200, 200),
    r("accounts/notifications/bell/", "GET", None, 204, 200, 200, 200, 200, 200),
    r("accounts/notifications/read-all/", "GET", None, LOGIN, 405, 405, 405, 405, 405),
    r("accounts/notifications/read-all/", "POST", None, LOGIN, 302, 302, 302, 302, 302),
    r("accounts/notifications/<int:pk>/read/", "POST", "other notification", LOGIN, 404, 404, 404, 404, 404),
    # Public verification of trade documents: no log-in, the same answer for everyone (an empty form is
    # refused as input; an unknown fingerprint answers "not registered").
    r("verify/", "GET", None, 200, 200, 200, 200, 200, 200),
    r("verify/", "POST", None, 400, 400, 400, 400, 400, 400),
    r("verify/example/<str:kind>.json", "GET", "invoice kind", 200, 200, 200, 200, 200, 200),
    r("api/v1/verify/", "POST", None, 400, 400, 400, 400, 400, 400),
    r("api/v1/verify/<str:fingerprint>/", "GET", "unknown fingerprint", 200, 200, 200, 200, 200, 200),
    # Pages: the SME's company and KYB
    r("company/", "GET", None, LOGIN, 200, 403, 403, 403, 403),
    r("company/details/", "GET", None, LOGIN, 200, 403, 403, 403, 403),
    r("company/details/", "POST", None, LOGIN, 400, 403, 403, 403, 403),
    r("company/kyb/", "GET", None, LOGIN, 200, 403, 403, 403, 403),
    r("company/kyb/profile/", "GET", None, LOGIN, 405, 403, 403, 403, 403),
    r("company/kyb/profile/", "POST", None, LOGIN, 400, 403, 403, 403, 403),
    r("company/kyb/people/", "POST", None, LOGIN, 400, 403, 403, 403, 403),
    r("company/kyb/people/<int:pk>/remove/", "GET", "own person", LOGIN, 405, 403, 403, 403, 403),
    r("company/kyb/people/<int:pk>/remove/", "POST", "own person", LOGIN, 400, 403, 403, 403, 403),
    r("company/kyb/people/<int:pk>/remove/", "POST", "other person", LOGIN, 400, 403, 403, 403, 403),
    r("company/kyb/documents/", "POST", None, LOGIN, 400, 403, 403, 403, 403),
    r("company/kyb/documents/<int:pk>/remove/", "POST", "own document", LOGIN, 400, 403, 403, 403, 403),
    r("company/kyb/documents/<int:pk>/remove/", "POST", "other document", LOGIN, 400, 403, 403, 403, 403),
    # The cross-border record: the SME records consents (none to withdraw for a Hong Kong resident: 400).
    r("company/cross-border/", "GET", None, LOGIN, 200, 403, 403, 403, 403),
    r("company/cross-border/", "POST", None, LOGIN, 400, 403, 403, 403, 403),
    r("company/cross-border/<int:pk>/withdraw/", "GET", "own person", LOGIN, 405, 403, 403, 403, 403),
    r("company/cross-border/<int:pk>/withdraw/", "POST", "own person", LOGIN, 400, 403, 403, 403, 403),
    r("company/cross-border/<int:pk>/withdraw/", "POST", "other person", LOGIN, 404, 403, 403, 403, 403),
    r("company/documents/<int:pk>/", "GET", "own document", LOGIN, 200, 403, 200, 200, 403),
    r("company/documents/<int:pk>/", "GET", "other document", LOGIN, 404, 403, 200, 200, 403),
    r("company/submit/", "GET", None, LOGIN, 405, 403, 403, 403, 403),
    r("company/submit/", "POST", None, LOGIN, 400, 403, 403, 403, 403),
    # Pages: applications, the investor's pages, offerings
    r("financing/applications/new/", "GET", None, LOGIN, 200, 403, 403, 403, 403),
    r("financing/applications/new/", "POST", None, LOGIN, 400, 403, 403, 403, 403),
    r("financing/applications/preview/", "POST", None, LOGIN, 200, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/", "GET", "own draft", LOGIN, 200, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/", "GET", "own approved", LOGIN, 200, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/", "GET", "other draft", LOGIN, 404, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/", "GET", "other approved", LOGIN, 404, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/edit/", "GET", "own draft", LOGIN, 200, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/edit/", "POST", "own draft", LOGIN, 400, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/edit/", "GET", "other draft", LOGIN, 404, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/submit/", "POST", "own draft", LOGIN, 302, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/submit/", "POST", "other draft", LOGIN, 404, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/withdraw/", "POST", "own draft", LOGIN, 302, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/withdraw/", "POST", "other draft", LOGIN, 404, 403, 403, 403, 403),
    # The documents a trade-finance draft finances (a bond draft has none: 404).
    r("financing/applications/<int:pk>/trade-documents/", "GET", "own trade draft",
      LOGIN, 200, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/trade-documents/", "GET", "own draft", LOGIN, 404, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/trade-documents/", "GET", "other trade draft",
      LOGIN, 404, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/trade-documents/add/<slug:kind>/", "GET", "own trade draft, invoice",
      LOGIN, 405, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/trade-documents/add/<slug:kind>/", "POST", "own trade draft, invoice",
      LOGIN, 400, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/trade-documents/add/<slug:kind>/", "POST",
      "other trade draft, invoice", LOGIN, 404, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/trade-documents/<int:document_pk>/remove/", "POST",
      "own trade draft, own trade document", LOGIN, 302, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/trade-documents/<int:document_pk>/remove/", "POST",
      "other trade draft, other trade document", LOGIN, 404, 403, 403, 403, 403),
    r("financing/applications/<int:pk>/trade-documents/<int:document_pk>/remove/", "POST",
      "own trade draft, other trade document", LOGIN, 404, 403, 403, 403, 403),
    r("financing/investor/", "GET", None, LOGIN, 403, 200, 403, 403, 403),
    r("financing/investor/transactions/", "GET", None, LOGIN, 403, 200, 403, 403, 403),
    r("financing/investor/kyc/", "GET", None, LOGIN, 403, 200, 403, 403, 403),
    r("financing/investor/kyc/", "POST", None, LOGIN, 403, 400, 403, 403, 403),
    # The investor's own profile is approved and complete: submitting again starts a renewal.
    r("financing/investor/kyc/submit/", "POST", None, LOGIN, 403, 302, 403, 403, 403),
    r("financing/investor/kyc/people/", "POST", None, LOGIN, 403, 400, 403, 403, 403),
    r("financing/investor/kyc/people/<int:pk>/remove/", "POST", "other investor person",
      LOGIN, 403, 404, 403, 403, 403),
    r("financing/investor/kyc/documents/", "POST", None, LOGIN, 403, 400, 403, 403, 403),
    # A submitted document stays on record (409); another investor's is not found.
    r("financing/investor/kyc/documents/<int:pk>/remove/", "POST", "own investor document",
      LOGIN, 403, 409, 403, 403, 403),
    r("financing/investor/kyc/documents/<int:pk>/remove/", "POST", "other investor document",
      LOGIN, 403, 404, 403, 403, 403),
    r("financing/investor/kyc/documents/<int:pk>/", "GET", "own investor document",
      LOGIN, 403, 200, 403, 403, 403),
    r("financing/investor/kyc/documents/<int:pk>/", "GET", "other investor document",
      LOGIN, 403, 404, 403, 403, 403),
    r("financing/investor/faucet/", "POST", None, LOGIN, 403, 400, 403, 403, 403),
    r("financing/offerings/", "GET", None, LOGIN, 403, 200, 403, 403, 403),
    r("financing/offerings/manage/", "GET", None, LOGIN, 403, 403, 200, 200, 200),
    r("financing/offerings/<int:pk>/", "GET", "own offering", LOGIN, 200, 200, 200, 200, 200),
    r("financing/offerings/<int:pk>/", "GET", "other offering", LOGIN, 404, 200, 200, 200, 200),
    r("financing/offerings/<int:pk>/review/", "GET", "own offering", LOGIN, 403, 400, 403, 403, 403),
    r("financing/offerings/<int:pk>/review/", "GET", "other offering", LOGIN, 403, 400, 403, 403, 403),
    r("financing/offerings/<int:pk>/documents/", "POST", "own offering", LOGIN, 400, 403, 400, 400, 400),
    r("financing/offerings/<int:pk>/documents/", "POST", "other offering", LOGIN, 404, 403, 400, 400, 400),
    r("financing/offering-documents/<int:pk>/", "GET", "own offering document",
      LOGIN, 200, 200, 200, 200, 200),
    r("financing/offering-documents/<int:pk>/", "GET", "other offering document",
      LOGIN, 404, 200, 200, 200, 200),
    r("financing/offerings/<int:pk>/subscribe/", "POST", "own offering", LOGIN, 403, 400, 403, 403, 403),
    r("financing/offerings/<int:pk>/subscribe/", "POST", "other offering", LOGIN, 403, 400, 403, 403, 403),
    r("financing/offerings/<int:pk>/open/", "POST", "own offering", LOGIN, 403, 403, 400, 400, 400),
    r("financing/offerings/<int:pk>/cancel/", "GET", "own offering", LOGIN, 403, 403, 200, 200, 200),
    r("financing/offerings/<int:pk>/cancel/", "POST", "own offering", LOGIN, 403, 403, 400, 400, 400),
    r("financing/offerings/<int:pk>/close/", "POST", "own offering", LOGIN, 403, 403, 302, 302, 302),
    r("financing/offerings/<int:pk>/progress/", "GET", "own offering", LOGIN, 200, 200, 200, 200, 200),
    r("financing/offerings/<int:pk>/dashboard/", "GET", "own offering", LOGIN, 200, 403, 200, 200, 200),
    r("financing/offerings/<int:pk>/dashboard/", "GET", "other offering", LOGIN, 404, 403, 200, 200, 200),
    r("financing/offerings/<int:pk>/register.csv", "GET", "own offering", LOGIN, 200, 403, 200, 200, 200),
    r("financing/offerings/<int:pk>/register.csv", "GET", "other offering", LOGIN, 404, 403, 200, 200, 200),
    r("financing/offerings/<int:pk>/calendar.csv", "GET", "own offering", LOGIN, 200, 403, 200, 200, 200),
    r("financing/offerings/<int:pk>/calendar.csv", "GET", "other offering", LOGIN, 404, 403, 200, 200, 200),
    # Documents out: schedules (the SME's own, staff), allotment documents (its investor, staff), statements
    # (the investor's own; without a period the form refuses: 400).
    r("financing/offerings/<int:pk>/schedule.<slug:fmt>", "GET", "own offering, pdf",
      LOGIN, 200, 403, 200, 200, 200),
    r("financing/offerings/<int:pk>/schedule.<slug:fmt>", "GET", "other offering, csv",
      LOGIN, 404, 403, 200, 200, 200),
    r("financing/applications/<int:pk>/schedule.<slug:fmt>", "GET", "own approved, csv",
      LOGIN, 200, 403, 200, 200, 200),
    r("financing/applications/<int:pk>/schedule.<slug:fmt>", "GET", "other approved, pdf",
      LOGIN, 404, 403, 200, 200, 200),
    r("financing/applications/<int:pk>/schedule.<slug:fmt>", "GET", "own draft, pdf",
      LOGIN, 200, 403, 404, 404, 404),
    r("financing/allotments/<int:pk>/confirmation.pdf", "GET", "other allotment",
      LOGIN, 403, 404, 200, 200, 200),
    r("financing/allotments/<int:pk>/contract-note.pdf", "GET", "other allotment",
      LOGIN, 403, 404, 200, 200, 200),
    r("financing/investor/statements/<slug:kind>.<slug:fmt>", "GET", "holdings, pdf",
      LOGIN, 403, 400, 403, 403, 403),
    r("financing/investor/statements/<slug:kind>.<slug:fmt>", "GET", "transactions, csv",
      LOGIN, 403, 400, 403, 403, 403),
    r("financing/offerings/<int:pk>/progress/", "GET", "other offering", LOGIN, 404, 200, 200, 200, 200),
    r("financing/subscriptions/<int:pk>/withdraw/", "POST", "own subscription",
      LOGIN, 403, 302, 403, 403, 403),
    r("financing/subscriptions/<int:pk>/withdraw/", "POST", "other subscription",
      LOGIN, 403, 404, 403, 403, 403),
    # Transfers: a holding is the investor's own as the chain index has it (none in the other tenant's).
    r("financing/investor/holdings/<int:pk>/transfer/", "GET", "other offering",
      LOGIN, 403, 404, 403, 403, 403),
    r("financing/investor/holdings/<int:pk>/transfer/", "POST", "other offering",
      LOGIN, 403, 404, 403, 403, 403),
    r("wallets/", "GET", None, LOGIN, 403, 200, 403, 403, 403),
    r("wallets/challenge/", "POST", None, LOGIN, 403, 400, 403, 403, 403),
    r("wallets/link/", "POST", None, LOGIN, 403, 400, 403, 403, 403),
    # The own investor's units are in escrow, not yet in their wallet: nothing to move.
    r("wallets/move/", "POST", None, LOGIN, 403, 409, 403, 403, 403),
    r("wallets/<int:pk>/unlink/", "POST", "own linked wallet", LOGIN, 403, 302, 403, 403, 403),
    r("wallets/<int:pk>/unlink/", "POST", "other linked wallet", LOGIN, 403, 404, 403, 403, 403),
    r("financing/transfers/", "GET", None, LOGIN, 403, 200, 403, 403, 403),
    r("financing/transfers/<int:pk>/accept/", "POST", "own transfer", LOGIN, 403, 403, 403, 403, 403),
    r("financing/transfers/<int:pk>/accept/", "POST", "other transfer", LOGIN, 403, 404, 403, 403, 403),
    r("financing/transfers/<int:pk>/cancel/", "POST", "own transfer", LOGIN, 403, 302, 403, 403, 403),
    r("financing/transfers/<int:pk>/cancel/", "POST", "other transfer", LOGIN, 403, 404, 403, 403, 403),
    r("financing/allotments/<int:pk>/retry/", "POST", "other allotment", LOGIN, 403, 403, 400, 400, 400),
    # An empty form: staff are refused for the missing reason.
    r("financing/allotments/<int:pk>/write-off/", "POST", "other allotment", LOGIN, 403, 403, 400, 400, 400),
    # Servicing: the issuer declares dividends and funds its payments (the other tenant's is hidden).
    r("financing/offerings/<int:pk>/dividends/", "POST", "own offering", LOGIN, 400, 403, 403, 403, 403),
    r("financing/offerings/<int:pk>/dividends/", "POST", "other offering", LOGIN, 404, 403, 403, 403, 403),
    r("financing/payments/<int:pk>/fund/", "POST", "other payment", LOGIN, 404, 403, 403, 403, 403),
    # Pages: data sharing by consent (the SME's consents and reads; the recipient's shared data through the
    # gate: another recipient's consent is refused like no consent at all; compliance sees every read).
    r("sharing/", "GET", None, LOGIN, 200, 403, 403, 403, 403),
    r("sharing/", "POST", None, LOGIN, 400, 403, 403, 403, 403),
    r("sharing/<int:pk>/", "GET", "own consent", LOGIN, 200, 403, 200, 200, 403),
    r("sharing/<int:pk>/", "GET", "other consent", LOGIN, 404, 403, 200, 200, 403),
    r("sharing/<int:pk>/revoke/", "POST", "own consent", LOGIN, 302, 403, 403, 403, 403),
    r("sharing/<int:pk>/revoke/", "POST", "other consent", LOGIN, 404, 403, 403, 403, 403),
    r("sharing/reads/", "GET", None, LOGIN, 403, 403, 200, 200, 403),
    r("sharing/shared/", "GET", None, LOGIN, 403, 200, 403, 403, 403),
    r("sharing/shared/<int:pk>/<slug:dataset>/", "GET", "own consent, profile",
      LOGIN, 403, 200, 403, 403, 403),
    r("sharing/shared/<int:pk>/<slug:dataset>/", "GET", "other consent, profile",
      LOGIN, 403, 403, 403, 403, 403),
    r("sharing/shared/<int:pk>/documents/<int:document_id>/", "GET", "own consent, own document",
      LOGIN, 403, 200, 403, 403, 403),
    r("sharing/shared/<int:pk>/documents/<int:document_id>/", "GET", "other consent, other document",
      LOGIN, 403, 403, 403, 403, 403),
    # Pages: compliance and the chain
    r("compliance/", "GET", None, LOGIN, 403, 403, 200, 200, 403),
    # A case page takes the decision; notes and assignment are their own forms. Documents open inline.
    r("compliance/cases/<int:pk>/", "GET", "open case", LOGIN, 403, 403, 200, 200, 403),
    r("compliance/cases/<int:pk>/", "POST", "open case", LOGIN, 403, 403, 400, 400, 403),
    r("compliance/cases/<int:pk>/notes/", "POST", "open case", LOGIN, 403, 403, 400, 400, 403),
    r("compliance/cases/<int:pk>/assign/", "POST", "open case", LOGIN, 403, 403, 400, 400, 403),
    r("compliance/documents/company/<int:pk>/", "GET", "own document", LOGIN, 403, 403, 200, 200, 403),
    r("compliance/documents/answers/<int:pk>/", "GET", "own answer document",
      LOGIN, 403, 403, 200, 200, 403),
    # A subject's page sends reviewers to its open case (read-only without one); cases take the decisions.
    r("compliance/companies/<int:pk>/", "GET", "pending company", LOGIN, 403, 403, 302, 302, 403),
    r("compliance/companies/<int:pk>/", "POST", "pending company", LOGIN, 403, 403, 405, 405, 403),
    # Compliance records the impact assessment and the standard contract filing; nobody else does.
    r("compliance/companies/<int:pk>/cross-border/", "GET", "own company", LOGIN, 403, 403, 200, 200, 403),
    r("compliance/companies/<int:pk>/cross-border/", "POST", "own company", LOGIN, 403, 403, 405, 405, 403),
    r("compliance/companies/<int:pk>/cross-border/assessment/", "POST", "own company",
      LOGIN, 403, 403, 400, 400, 403),
    r("compliance/companies/<int:pk>/cross-border/assessment/", "GET", "own company",
      LOGIN, 403, 403, 405, 405, 403),
    r("compliance/companies/<int:pk>/cross-border/assessment/report/", "GET", "own company",
      LOGIN, 403, 403, 404, 404, 403),
    r("compliance/companies/<int:pk>/cross-border/filing/", "POST", "own company",
      LOGIN, 403, 403, 400, 400, 403),
    r("compliance/companies/<int:pk>/cross-border/filing/", "GET", "own company",
      LOGIN, 403, 403, 405, 405, 403),
    r("compliance/investors/<int:pk>/", "GET", "pending profile", LOGIN, 403, 403, 302, 302, 403),
    r("compliance/investors/<int:pk>/", "POST", "pending profile", LOGIN, 403, 403, 405, 405, 403),
    r("compliance/investors/<int:pk>/chain-retry/", "POST", "own profile", LOGIN, 403, 403, 302, 302, 403),
    r("compliance/investors/<int:pk>/revoke/", "POST", "own profile", LOGIN, 403, 403, 302, 302, 403),
    r("compliance/investor-documents/<int:pk>/", "GET", "own investor document",
      LOGIN, 403, 403, 200, 200, 403),
    r("compliance/applications/<int:pk>/", "GET", "own approved", LOGIN, 403, 403, 200, 200, 403),
    r("compliance/applications/<int:pk>/", "GET", "own draft", LOGIN, 403, 403, 404, 404, 403),
    r("compliance/applications/<int:pk>/", "POST", "own approved", LOGIN, 403, 403, 405, 405, 403),
    r("compliance/applications/<int:pk>/review/", "POST", "own approved", LOGIN, 403, 403, 302, 302, 403),
    r("compliance/audit/", "GET", None, LOGIN, 403, 403, 200, 200, 403),
    r("compliance/audit/verify/", "POST", None, LOGIN, 403, 403, 302, 302, 403),
    r("compliance/audit/export.csv", "GET", None, LOGIN, 403, 403, 200, 200, 403),
    # Pages: the licence register (officers and approvers keep it, operators read it)
    r("compliance/licences/", "GET", None, LOGIN, 403, 403, 200, 200, 200),
    r("compliance/licences/intermediaries/new/", "GET", None, LOGIN, 403, 403, 200, 200, 403),
    r("compliance/licences/intermediaries/new/", "POST", None, LOGIN, 403, 403, 400, 400, 403),
    r("compliance/licences/intermediaries/<int:pk>/", "GET", "arranger", LOGIN, 403, 403, 200, 200, 403),
    r("compliance/licences/intermediaries/<int:pk>/", "POST", "arranger", LOGIN, 403, 403, 400, 400, 403),
    r("compliance/licences/new/", "GET", None, LOGIN, 403, 403, 200, 200, 403),
    r("compliance/licences/new/", "POST", None, LOGIN, 403, 403, 400, 400, 403),
    r("compliance/licences/<int:pk>/", "GET", "licence", LOGIN, 403, 403, 200, 200, 403),
    r("compliance/licences/<int:pk>/", "POST", "licence", LOGIN, 403, 403, 400, 400, 403),
    r("compliance/licences/<int:pk>/suspend/", "GET", "licence", LOGIN, 403, 403, 200, 200, 403),
    r("compliance/licences/<int:pk>/suspend/", "POST", "licence", LOGIN, 403, 403, 400, 400, 403),
    r("compliance/licences/offerings/<int:pk>/arranger/", "GET", "own offering",
      LOGIN, 403, 403, 200, 200, 403),
    r("compliance/licences/offerings/<int:pk>/arranger/", "POST", "own offering",
      LOGIN, 403, 403, 400, 400, 403),
    r("chain/", "GET", None, LOGIN, 403, 403, 403, 403, 200),
    r("chain/payment-tokens/", "GET", None, LOGIN, 403, 403, 200, 200, 200),
    r("chain/payment-tokens/propose/", "POST", None, LOGIN, 403, 403, 400, 400, 400),
    r("chain/payment-tokens/<int:pk>/decide/", "POST", "hkd listing", LOGIN, 403, 403, 400, 400, 400),
    r("chain/travel-rule/", "GET", None, LOGIN, 403, 403, 200, 200, 403),
    r("chain/operations/", "GET", None, LOGIN, 403, 403, 200, 200, 200),
    r("chain/operations/", "POST", None, LOGIN, 403, 403, 400, 400, 400),
    # A resume requested by another operator while the token is not paused: the officer may not
    # approve it (403); an approver or another operator may, and the chain check refuses it (409).
    r("chain/operations/<int:pk>/approve/", "POST", "token operation", LOGIN, 403, 403, 403, 409, 409),
    r("chain/operations/<int:pk>/reject/", "POST", "token operation", LOGIN, 403, 403, 400, 400, 400),
    # Pages: the applicant answers compliance's requests for information
    r("requests/<int:pk>/", "GET", "own request", LOGIN, 200, 404, 403, 403, 403),
    r("requests/<int:pk>/", "GET", "other request", LOGIN, 404, 404, 403, 403, 403),
    r("requests/<int:pk>/", "POST", "own request", LOGIN, 400, 404, 403, 403, 403),
    r("requests/<int:pk>/", "POST", "other request", LOGIN, 404, 404, 403, 403, 403),
    r("requests/<int:pk>/documents/", "POST", "own request", LOGIN, 400, 404, 403, 403, 403),
    r("requests/<int:pk>/documents/", "POST", "other request", LOGIN, 404, 404, 403, 403, 403),
    r("requests/<int:pk>/documents/<int:document_id>/remove/", "POST", "own request, own answer document",
      LOGIN, 302, 404, 403, 403, 403),
    # Django's admin: to its own log-in for every non-staff account (the admin tests below).
    r("admin/", "GET", None, 302, 302, 302, 302, 302, 302),
    # API: accounts
    r("api/v1/auth/csrf/", "GET", None, 200, 200, 200, 200, 200, 200),
    r("api/v1/auth/signup/", "POST", None, 400, 400, 400, 400, 400, 400),
    r("api/v1/auth/confirm/", "POST", None, 400, 400, 400, 400, 400, 400),
    r("api/v1/auth/confirm/resend/", "POST", None, 400, 400, 400, 400, 400, 400),
    r("api/v1/auth/login/", "POST", None, 400, 400, 400, 400, 400, 400),
    r("api/v1/auth/logout/", "POST", None, 403, 204, 204, 204, 204, 204),
    r("api/v1/auth/me/", "GET", None, 403, 200, 200, 200, 200, 200),
    r("api/v1/auth/keys/", "GET", None, 403, 200, 200, 200, 200, 200),
    r("api/v1/auth/keys/", "POST", None, 403, 400, 400, 400, 400, 400),
    r("api/v1/auth/keys/", "POST", None, 403, 201, 201, 201, 201, 201, body={"name": "matrix"}),
    r("api/v1/auth/keys/<int:key_id>/revoke/", "POST", "other key", 403, 404, 404, 404, 404, 404),
    r("api/v1/notifications/", "GET", None, 403, 200, 200, 200, 200, 200),
    r("api/v1/notifications/read-all/", "POST", None, 403, 200, 200, 200, 200, 200),
    r("api/v1/notifications/<int:notification_id>/read/", "POST", "other notification",
      403, 404, 404, 404, 404, 404),
    # API: the SME's company
    r("api/v1/company/", "GET", None, 403, 200, 403, 403, 403, 403),
    r("api/v1/company/", "PUT", None, 403, 400, 403, 403, 403, 403),
    r("api/v1/company/profile/", "PUT", None, 403, 400, 403, 403, 403, 403),
    r("api/v1/company/people/", "POST", None, 403, 400, 403, 403, 403, 403),
    r("api/v1/company/people/<int:person_id>/", "PUT", "own person",
      403, 400, 403, 403, 403, 403, body=PERSON),
    r("api/v1/company/people/<int:person_id>/", "PUT", "other person",
      403, 400, 403, 403, 403, 403, body=PERSON),
    r("api/v1/company/people/<int:person_id>/", "DELETE", "own person", 403, 400, 403, 403, 403, 403),
    r("api/v1/company/people/<int:person_id>/", "DELETE", "other person", 403, 400, 403, 403, 403, 403),
    r("api/v1/company/documents/", "POST", None, 403, 415, 403, 403, 403, 403),
    r("api/v1/company/documents/<int:document_id>/", "DELETE", "own document", 403, 400, 403, 403, 403, 403),
    r("api/v1/company/documents/<int:document_id>/", "DELETE", "other document",
      403, 400, 403, 403, 403, 403),
    r("api/v1/company/submit/", "POST", None, 403, 409, 403, 403, 403, 403),
    r("api/v1/company/cross-border/", "GET", None, 403, 200, 403, 403, 403, 403),
    r("api/v1/company/cross-border/consents/", "POST", None, 403, 400, 403, 403, 403, 403),
    r("api/v1/company/cross-border/consents/<int:person_id>/", "DELETE", "own person",
      403, 409, 403, 403, 403, 403),
    r("api/v1/company/cross-border/consents/<int:person_id>/", "DELETE", "other person",
      403, 404, 403, 403, 403, 403),
    r("api/v1/compliance/companies/<int:company_id>/cross-border/", "GET", "own company",
      403, 403, 403, 200, 200, 403),
    r("api/v1/compliance/companies/<int:company_id>/cross-border/assessment/", "POST", "own company",
      403, 403, 403, 400, 400, 403),
    r("api/v1/compliance/companies/<int:company_id>/cross-border/filing/", "POST", "own company",
      403, 403, 403, 400, 400, 403),
    # API: applications, offerings, subscriptions
    r("api/v1/applications/", "GET", None, 403, 200, 200, 200, 200, 200),
    r("api/v1/applications/", "POST", None, 403, 201, 403, 403, 403, 403, body=APPLICATION),
    r("api/v1/applications/<int:application_id>/", "GET", "own draft", 403, 200, 404, 404, 404, 404),
    r("api/v1/applications/<int:application_id>/", "GET", "own approved", 403, 200, 404, 200, 200, 200),
    r("api/v1/applications/<int:application_id>/", "GET", "other draft", 403, 404, 404, 404, 404, 404),
    r("api/v1/applications/<int:application_id>/", "GET", "other approved", 403, 404, 404, 200, 200, 200),
    r("api/v1/applications/<int:application_id>/", "PUT", "own draft", 403, 400, 404, 404, 404, 404),
    r("api/v1/applications/<int:application_id>/", "PUT", "other draft", 403, 404, 404, 404, 404, 404),
    r("api/v1/applications/<int:application_id>/trade-documents/", "GET", "own draft",
      403, 200, 404, 404, 404, 404),
    r("api/v1/applications/<int:application_id>/trade-documents/", "GET", "own approved",
      403, 200, 404, 200, 200, 200),
    r("api/v1/applications/<int:application_id>/trade-documents/", "GET", "other draft",
      403, 404, 404, 404, 404, 404),
    r("api/v1/applications/<int:application_id>/trade-documents/", "POST", "own draft",
      403, 400, 403, 403, 403, 403),
    r("api/v1/applications/<int:application_id>/trade-documents/", "POST", "other draft",
      403, 404, 403, 403, 403, 403),
    r("api/v1/trade-documents/<int:document_id>/", "GET", "own trade document", 403, 200, 404, 404, 404, 404),
    r("api/v1/trade-documents/<int:document_id>/", "GET", "other trade document",
      403, 404, 404, 404, 404, 404),
    r("api/v1/trade-documents/<int:document_id>/", "PUT", "own trade document", 403, 400, 403, 403, 403, 403),
    r("api/v1/trade-documents/<int:document_id>/", "PUT", "other trade document",
      403, 404, 403, 403, 403, 403),
    r("api/v1/trade-documents/<int:document_id>/", "DELETE", "own trade document",
      403, 204, 403, 403, 403, 403),
    r("api/v1/trade-documents/<int:document_id>/", "DELETE", "other trade document",
      403, 404, 403, 403, 403, 403),
    r("api/v1/applications/<int:application_id>/submit/", "POST", "own draft", 403, 200, 403, 403, 403, 403),
    r("api/v1/applications/<int:application_id>/submit/", "POST", "other draft",
      403, 404, 403, 403, 403, 403),
    r("api/v1/applications/<int:application_id>/withdraw/", "POST", "own draft",
      403, 200, 403, 403, 403, 403),
    r("api/v1/applications/<int:application_id>/withdraw/", "POST", "other draft",
      403, 404, 403, 403, 403, 403),
    r("api/v1/applications/<int:application_id>/review/", "POST", "own approved",
      403, 403, 403, 409, 409, 403),
    r("api/v1/applications/<int:application_id>/decision/", "POST", "own approved",
      403, 403, 403, 409, 409, 403, body=REJECT),
    r("api/v1/offerings/", "GET", None, 403, 200, 200, 200, 200, 200),
    r("api/v1/offerings/<int:offering_id>/", "GET", "own offering", 403, 200, 200, 200, 200, 200),
    r("api/v1/offerings/<int:offering_id>/", "GET", "other offering", 403, 404, 200, 200, 200, 200),
    r("api/v1/offerings/<int:offering_id>/open/", "POST", "own offering", 403, 403, 403, 409, 409, 409),
    r("api/v1/offerings/<int:offering_id>/allotments/", "GET", "own offering", 403, 200, 403, 200, 200, 200),
    r("api/v1/offerings/<int:offering_id>/allotments/", "GET", "other offering",
      403, 404, 403, 200, 200, 200),
    r("api/v1/offerings/<int:offering_id>/payments/", "GET", "own offering", 403, 200, 403, 200, 200, 200),
    r("api/v1/offerings/<int:offering_id>/payments/", "GET", "other offering",
      403, 404, 403, 200, 200, 200),
    r("api/v1/offerings/<int:offering_id>/dividends/", "POST", "own offering",
      403, 409, 403, 403, 403, 403, body=DIVIDEND),
    r("api/v1/offerings/<int:offering_id>/dividends/", "POST", "other offering",
      403, 404, 403, 403, 403, 403, body=DIVIDEND),
    r("api/v1/offering-payments/<int:payment_id>/fund/", "POST", "other payment",
      403, 404, 403, 403, 403, 403, body={"amount": "1.00"}),
    # The other tenant's allotment is settled: staff may neither retry it nor write it off.
    r("api/v1/allotments/<int:allotment_id>/retry/", "POST", "other allotment", 403, 403, 403, 409, 409, 409),
    r("api/v1/allotments/<int:allotment_id>/write-off/", "POST", "other allotment",
      403, 403, 403, 409, 409, 409, body={"reason": "The investor stopped funding"}),
    r("api/v1/offerings/<int:offering_id>/close/", "POST", "own offering", 403, 403, 403, 202, 202, 202),
    r("api/v1/offerings/<int:offering_id>/cancel/", "POST", "own offering",
      403, 403, 403, 200, 200, 200, body=CANCEL),
    r("api/v1/offerings/<int:offering_id>/subscriptions/", "POST", "own offering",
      403, 403, 409, 403, 403, 403, body=UNITS),
    r("api/v1/offerings/<int:offering_id>/subscriptions/", "POST", "other offering",
      403, 403, 409, 403, 403, 403, body=UNITS),
    r("api/v1/offerings/<int:offering_id>/arranger/", "POST", "own offering", 403, 403, 403, 400, 400, 403),
    r("api/v1/portfolio/", "GET", None, 403, 403, 200, 403, 403, 403),
    r("api/v1/portfolio/history/", "GET", None, 403, 403, 200, 403, 403, 403),
    r("api/v1/portfolio/transactions/", "GET", None, 403, 403, 200, 403, 403, 403),
    r("api/v1/schedules/preview/", "POST", None, 403, 400, 400, 400, 400, 400),
    r("api/v1/subscriptions/", "GET", None, 403, 200, 200, 200, 200, 200),
    r("api/v1/offering-documents/<int:document_id>/", "GET", "own offering document",
      403, 200, 200, 200, 200, 200),
    r("api/v1/offering-documents/<int:document_id>/", "GET", "other offering document",
      403, 404, 200, 200, 200, 200),
    # Self-custody wallets linked by Sign-In with Ethereum: the investor's own only.
    r("api/v1/wallets/", "GET", None, 403, 403, 200, 403, 403, 403),
    r("api/v1/wallets/siwe/nonce/", "POST", None, 403, 403, 400, 403, 403, 403),
    r("api/v1/wallets/link/", "POST", None, 403, 403, 400, 403, 403, 403),
    r("api/v1/wallets/<int:wallet_id>/unlink/", "POST", "own linked wallet", 403, 403, 200, 403, 403, 403),
    r("api/v1/wallets/<int:wallet_id>/unlink/", "POST", "other linked wallet", 403, 403, 404, 403, 403, 403),
    r("api/v1/wallets/<int:wallet_id>/receive/", "POST", "own linked wallet", 403, 403, 400, 403, 403, 403),
    r("api/v1/wallets/<int:wallet_id>/receive/", "POST", "other linked wallet", 403, 403, 404, 403, 403, 403,
      body={"offering_id": 1, "units": 1}),
    r("api/v1/transfers/", "GET", None, 403, 200, 200, 200, 200, 200),
    r("api/v1/transfers/", "POST", None, 403, 403, 400, 403, 403, 403),
    # The investor column is the own transfer's seller: only its buyer accepts.
    r("api/v1/transfers/<int:transfer_id>/accept/", "POST", "own transfer", 403, 403, 403, 403, 403, 403),
    r("api/v1/transfers/<int:transfer_id>/accept/", "POST", "other transfer", 403, 403, 404, 403, 403, 403),
    r("api/v1/transfers/<int:transfer_id>/cancel/", "POST", "own transfer", 403, 403, 200, 403, 403, 403),
    r("api/v1/transfers/<int:transfer_id>/cancel/", "POST", "other transfer", 403, 403, 404, 403, 403, 403),
    r("api/v1/subscriptions/<int:subscription_id>/withdraw/", "POST", "own subscription",
      403, 403, 200, 403, 403, 403),
    r("api/v1/subscriptions/<int:subscription_id>/withdraw/", "POST", "other subscription",
      403, 403, 404, 403, 403, 403),
    # API: data sharing by consent
    r("api/v1/consents/", "GET", None, 403, 200, 200, 403, 403, 403),
    r("api/v1/consents/", "POST", None, 403, 400, 403, 403, 403, 403),
    r("api/v1/consents/<int:consent_id>/revoke/", "POST", "own consent", 403, 200, 403, 403, 403, 403),
    r("api/v1/consents/<int:consent_id>/revoke/", "POST", "other consent", 403, 404, 403, 403, 403, 403),
    r("api/v1/consents/<int:consent_id>/reads/", "GET", "own consent", 403, 200, 403, 200, 200, 403),
    r("api/v1/consents/<int:consent_id>/reads/", "GET", "other consent", 403, 404, 403, 200, 200, 403),
    r("api/v1/shared/<int:consent_id>/<slug:dataset>/", "GET", "own consent, profile",
      403, 403, 200, 403, 403, 403),
    r("api/v1/shared/<int:consent_id>/<slug:dataset>/", "GET", "other consent, profile",
      403, 403, 403, 403, 403, 403),
    r("api/v1/shared/<int:consent_id>/documents/<int:document_id>/", "GET", "own consent, own document",
      403, 403, 200, 403, 403, 403),
    r("api/v1/shared/<int:consent_id>/documents/<int:document_id>/", "GET", "other consent, other document",
      403, 403, 403, 403, 403, 403),
    # API: compliance, chain, the schema and its docs
    r("api/v1/kyc/", "GET", None, 403, 403, 200, 403, 403, 403),
    r("api/v1/kyc/", "POST", None, 403, 403, 400, 403, 403, 403),
    r("api/v1/kyc/<int:profile_id>/decision/", "POST", "pending profile",
      403, 403, 403, 200, 200, 403, body=APPROVE),
    r("api/v1/kyc/<int:profile_id>/chain-retry/", "POST", "own profile", 403, 403, 403, 409, 409, 403),
    r("api/v1/kyc/<int:profile_id>/revoke/", "POST", "own profile", 403, 403, 403, 400, 400, 403),
    r("api/v1/kyc/submit/", "POST", None, 403, 403, 200, 403, 403, 403),
    r("api/v1/kyc/documents/", "POST", None, 403, 403, 415, 403, 403, 403),
    r("api/v1/kyc/documents/<int:document_id>/", "DELETE", "own investor document",
      403, 403, 409, 403, 403, 403),
    r("api/v1/kyc/documents/<int:document_id>/", "DELETE", "other investor document",
      403, 403, 404, 403, 403, 403),
    r("api/v1/kyc/people/", "POST", None, 403, 403, 400, 403, 403, 403),
    r("api/v1/kyc/people/<int:person_id>/", "PUT", "other investor person", 403, 403, 400, 403, 403, 403),
    r("api/v1/kyc/people/<int:person_id>/", "DELETE", "other investor person",
      403, 403, 404, 403, 403, 403),
    r("api/v1/kyb/<int:company_id>/decision/", "POST", "pending company",
      403, 403, 403, 200, 200, 403, body=APPROVE),
    r("api/v1/faucet/", "POST", None, 403, 403, 202, 403, 403, 403, body={"amount": "10.00"}),
    r("api/v1/compliance/screenings/", "POST", None, 403, 403, 403, 400, 400, 403),
    r("api/v1/compliance/queue/", "GET", None, 403, 403, 403, 200, 200, 403),
    r("api/v1/compliance/intermediaries/", "GET", None, 403, 403, 403, 200, 200, 200),
    r("api/v1/compliance/intermediaries/", "POST", None, 403, 403, 403, 400, 400, 403),
    r("api/v1/compliance/intermediaries/<int:intermediary_id>/", "GET", "arranger",
      403, 403, 403, 200, 200, 200),
    r("api/v1/compliance/intermediaries/<int:intermediary_id>/", "PATCH", "arranger",
      403, 403, 403, 200, 200, 403),
    r("api/v1/compliance/licences/", "GET", None, 403, 403, 403, 200, 200, 200),
    r("api/v1/compliance/licences/", "POST", None, 403, 403, 403, 400, 400, 403),
    r("api/v1/compliance/licences/<int:licence_id>/", "GET", "licence", 403, 403, 403, 200, 200, 200),
    r("api/v1/compliance/licences/<int:licence_id>/", "PATCH", "licence", 403, 403, 403, 200, 200, 403),
    r("api/v1/compliance/licences/<int:licence_id>/suspend/", "POST", "licence",
      403, 403, 403, 400, 400, 403),
    # API: review cases; an applicant's requests for information and the files attached to answers
    r("api/v1/compliance/cases/", "GET", None, 403, 403, 403, 200, 200, 403),
    r("api/v1/compliance/cases/<int:case_id>/", "GET", "open case", 403, 403, 403, 200, 200, 403),
    r("api/v1/compliance/cases/<int:case_id>/decision/", "POST", "open case",
      403, 403, 403, 400, 400, 403),
    r("api/v1/compliance/cases/<int:case_id>/decision/", "POST", "open case",
      403, 403, 403, 200, 200, 403, body={"decision": "approve"}),
    r("api/v1/compliance/cases/<int:case_id>/assign/", "POST", "open case", 403, 403, 403, 400, 400, 403),
    r("api/v1/compliance/cases/<int:case_id>/notes/", "POST", "open case", 403, 403, 403, 400, 400, 403),
    r("api/v1/compliance/alerts/", "GET", None, 403, 403, 403, 200, 200, 403),
    r("api/v1/compliance/conflicts/", "POST", None, 403, 403, 403, 400, 400, 403),
    r("api/v1/information-requests/", "GET", None, 403, 200, 200, 403, 403, 403),
    r("api/v1/information-requests/<int:request_id>/answer/", "POST", "own request",
      403, 415, 404, 403, 403, 403),
    r("api/v1/information-requests/<int:request_id>/answer/", "POST", "other request",
      403, 404, 404, 403, 403, 403),
    r("api/v1/information-requests/<int:request_id>/documents/", "POST", "own request",
      403, 415, 404, 403, 403, 403),
    r("api/v1/information-requests/<int:request_id>/documents/", "POST", "other request",
      403, 404, 404, 403, 403, 403),
    r("api/v1/information-requests/documents/<int:answer_document_id>/", "GET", "own answer document",
      403, 200, 404, 200, 200, 403),
    r("api/v1/information-requests/documents/<int:answer_document_id>/", "GET", "other answer document",
      403, 404, 404, 200, 200, 403),
    r("api/v1/information-requests/documents/<int:answer_document_id>/", "DELETE", "own answer document",
      403, 204, 404, 404, 404, 403),
    r("api/v1/information-requests/documents/<int:answer_document_id>/", "DELETE", "other answer document",
      403, 404, 404, 404, 404, 403),
    r("api/v1/audit/", "GET", None, 403, 403, 403, 200, 200, 200),
    r("api/v1/audit/verify/", "GET", None, 403, 403, 403, 200, 200, 200),
    r("api/v1/chain/status/", "GET", None, 403, 403, 403, 403, 403, 200),
    r("api/v1/payment-tokens/", "GET", None, 403, 403, 403, 200, 200, 200),
    r("api/v1/payment-tokens/", "POST", None, 403, 403, 403, 400, 400, 400),
    r("api/v1/payment-tokens/<int:listing_id>/decision/", "POST", "hkd listing",
      403, 403, 403, 400, 400, 400),
    r("api/v1/compliance/payment-legs/", "GET", None, 403, 403, 403, 200, 200, 403),
    r("api/v1/token-operations/", "GET", None, 403, 403, 403, 200, 200, 200),
    r("api/v1/token-operations/", "POST", None, 403, 403, 403, 400, 400, 400),
    r("api/v1/token-operations/<int:operation_id>/approve/", "POST", "token operation",
      403, 403, 403, 403, 409, 409),
    r("api/v1/token-operations/<int:operation_id>/reject/", "POST", "token operation",
      403, 403, 403, 400, 400, 400),
    # Attestations: holders ask and download (staff read all), compliance revokes, anyone verifies
    r("attestations/", "GET", None, LOGIN, 200, 200, 200, 200, 200),
    r("attestations/issue/", "POST", None, LOGIN, 400, 400, 403, 403, 403),
    r("attestations/verify/", "GET", None, 200, 200, 200, 200, 200, 200),
    r("attestations/verify/", "POST", None, 400, 400, 400, 400, 400, 400),
    r("attestations/<int:pk>/download/", "GET", "own attestation", LOGIN, 200, 404, 200, 200, 200),
    r("attestations/<int:pk>/download/", "GET", "other attestation", LOGIN, 404, 404, 200, 200, 200),
    r("attestations/<int:pk>/revoke/", "GET", "own attestation", LOGIN, 403, 403, 200, 200, 403),
    r("attestations/<int:pk>/revoke/", "POST", "own attestation", LOGIN, 403, 403, 400, 400, 403),
    r("api/v1/attestations/", "GET", None, 403, 200, 200, 200, 200, 200),
    r("api/v1/attestations/", "POST", None, 403, 400, 400, 400, 400, 400),
    r("api/v1/attestations/", "POST", None, 403, 201, 403, 403, 403, 403, body={"kind": "company_verified"}),
    r("api/v1/attestations/verify/", "POST", None, 400, 400, 400, 400, 400, 400),
    r("api/v1/attestations/issuer/", "GET", None, 200, 200, 200, 200, 200, 200),
    r("api/v1/attestations/<int:attestation_id>/download/", "GET", "own attestation",
      403, 200, 404, 200, 200, 200),
    r("api/v1/attestations/<int:attestation_id>/download/", "GET", "other attestation",
      403, 404, 404, 200, 200, 200),
    r("api/v1/attestations/<int:attestation_id>/revoke/", "POST", "own attestation",
      403, 403, 403, 400, 400, 403),
    r("api/schema/", "GET", None, 200, 200, 200, 200, 200, 200),
    r("api/docs/", "GET", None, 200, 200, 200, 200, 200, 200),
    r("api/redoc/", "GET", None, 200, 200, 200, 200, 200, 200),
]
# fmt: on


def _patterns(entries: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every URL pattern with its callback; Django's admin counts as one pattern (its own test below)."""
    for entry in entries:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver) and entry.app_name == admin_site.name:
            yield route, None
        elif isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


def _api_methods(callback: Any) -> set[str]:
    view = getattr(callback, "view_class", None)
    if view is None or not hasattr(view, "permission_classes"):
        return set()
    return {method.upper() for method in ("get", "post", "put", "patch", "delete") if hasattr(view, method)}


def test_every_url_pattern_and_api_operation_has_a_row():
    patterns = dict(_patterns(get_resolver().url_patterns))
    rows = {(row.pattern, row.method) for row in MATRIX}
    problems = [
        f"URL pattern {pattern!r} has no row in MATRIX: add r({pattern!r}, METHOD, OBJECT, *six answers)"
        for pattern in patterns
        if not any(row_pattern == pattern for row_pattern, _ in rows)
    ]
    problems += [
        f"API operation {method} {pattern!r} has no row in MATRIX"
        for pattern, callback in patterns.items()
        for method in sorted(_api_methods(callback))
        if (pattern, method) not in rows
    ]
    problems += [
        f"MATRIX row for {pattern!r} names no URL pattern" for pattern, _ in rows if pattern not in patterns
    ]
    assert not problems, "\n".join(problems)


def _targets(world: flows.World) -> dict[str, int | str]:
    own, other = world.own, world.other
    own_trade, other_trade = _trade_document(own.company), _trade_document(other.company)
    corporate = flows.corporate_investor_draft()
    officer = world.users["officer"]
    assert officer is not None
    own_request = flows.information_request(company=own.company, by=officer)
    other_request = flows.information_request(company=other.company, by=officer)
    answer, other_answer = flows.answer_document(own_request), flows.answer_document(other_request)
    return {
        "own investor document": own.investor.investor.documents.first().pk,
        "other investor document": other.investor.investor.documents.first().pk,
        "other investor person": corporate.people.first().pk,
        "own person": own.company.people.first().pk,
        "other person": other.company.people.first().pk,
        "own document": own.company.documents.first().pk,
        "other document": other.company.documents.first().pk,
        "own draft": own.draft.pk,
        "other draft": other.draft.pk,
        "own trade document": own_trade.pk,
        "other trade document": other_trade.pk,
        "own trade draft": own_trade.application_id,
        "other trade draft": other_trade.application_id,
        "invoice": "invoice",
        "own approved": own.offering.application_id,
        "other approved": other.offering.application_id,
        "own offering": own.offering.pk,
        "other offering": other.offering.pk,
        "own offering document": flows.offering_document(own.offering).pk,
        "other offering document": flows.offering_document(other.offering).pk,
        "own subscription": own.subscription.pk,
        "other subscription": other.subscription.pk,
        "own transfer": flows.waiting_sale(own.offering, seller=own.investor, buyer=other.investor).pk,
        "other transfer": flows.waiting_sale(
            other.offering, seller=other.investor, buyer=world.pending_profile.user
        ).pk,
        "own linked wallet": _linked_wallet(own.investor, to_checksum_address("0x" + "a1" * 20)),
        "other linked wallet": _linked_wallet(other.investor, to_checksum_address("0x" + "b2" * 20)),
        "own company": own.company.pk,
        "pending company": world.pending_company.pk,
        "open case": Case.objects.get(company=world.pending_company, kind=CaseKind.KYB).pk,
        "own request": own_request.pk,
        "other request": other_request.pk,
        "own answer document": answer.pk,
        "own profile": own.investor.investor.pk,
        "pending profile": world.pending_profile.pk,
        "other allotment": world.allotment.pk,
        "other payment": OfferingPayment.objects.filter(offering=other.offering)
        .order_by("sequence")
        .first()
        .pk,
        "own consent": _consent(own).pk,
        "other consent": _consent(other).pk,
        "profile": "profile",
        "stale token": "bm90LWEtcmVhbC10b2tlbg:1abc:not-signed",
        "invoice kind": "invoice",
        "unknown fingerprint": "0x" + "ab" * 32,
        "reset uid": "MQ",
        "other session": _session_of(other.sme).pk,
        "other key": api_key_create(user=other.sme, name="their script").api_key.pk,
        "other notification": Notification.objects.filter(recipient=other.sme).first().pk,
        "holdings": "holdings",
        "transactions": "transactions",
        "pdf": "pdf",
        "csv": "csv",
        "arranger": flows.arranger().pk,
        "licence": flows.arranger().licences.get().pk,
        "other answer document": other_answer.pk,
        "hkd listing": PaymentTokenListing.objects.get(currency="HKD").pk,
        "own attestation": attestation_issue(user=own.sme, kind="company_verified").pk,
        "other attestation": attestation_issue(user=other.sme, kind="company_verified").pk,
        "token operation": TokenOperation.objects.create(
            kind=TokenOperationKind.RESUME,
            token=own.offering.token,
            reason="Resume after the incident.",
            requested_by=UserFactory(role=Role.OPERATOR),
        ).pk,
    }


def _trade_document(company) -> TradeDocument:
    """An invoice on a draft trade-finance application of `company` (written directly: no chain read)."""
    application = flows.draft_loan(company=company, title="Receivables")
    Application.objects.filter(pk=application.pk).update(instrument="trade")
    return TradeDocument.objects.create(
        application=application,
        kind="invoice",
        raw_fields={"invoice_number": "INV-1"},
        canonical_fields={"invoice_number": "INV1"},
        fingerprint="0x" + secrets.token_hex(32),
        face_value=Decimal("1000.00"),
        currency="HKD",
    )


def _consent(tenant: flows.Tenant) -> DataConsent:
    """The tenant's company shares every dataset (all documents) with the tenant's investor, from today."""
    today = date.today()
    return consent_grant(
        user=tenant.sme,
        recipient_email=tenant.investor.email,
        datasets=["profile", "financials", "documents", "schedules"],
        purpose="credit_assessment",
        valid_from=today,
        valid_until=today + timedelta(days=90),
        all_documents=True,
    ).consent


def _linked_wallet(user, address: str) -> int:
    """A self-custody wallet the investor linked, registered (as if its registration were confirmed)."""
    from compliance.wallets.choices import LinkedWalletStatus
    from compliance.wallets.models import LinkedWallet

    return LinkedWallet.objects.create(
        investor=user.investor,
        address=address,
        status=LinkedWalletStatus.REGISTERED,
        message="signed",
        signature="0x",
    ).pk


def _session_of(user) -> UserSession:
    """A signed-in session of `user`, as the sessions list records it."""
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store.create()
    return UserSession.objects.create(session_id=store.session_key, user=user)


def _url(row: Row, targets: dict[str, int | str]) -> str:
    path = row.pattern
    for target in row.target.split(", ") if row.target else []:  # one target per placeholder, in order
        path = path.replace(path[path.index("<") : path.index(">") + 1], str(targets[target]), 1)
    return "/" + path


def _answer(
    user, method: str, url: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> int | str:
    """The answer `user` (signed in) or `headers` (a key) get; whatever the request changed is rolled back."""
    client = Client(headers=headers)
    with transaction.atomic():
        if user is not None:
            client.force_login(user)
        if url.startswith("/api/v1/") and method != "GET":
            response = client.generic(method, url, json.dumps(body or {}), "application/json")
        elif method == "POST":
            response = client.post(url, {})
        else:
            response = client.generic(method, url)
        transaction.set_rollback(True)
    if response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_answer_in_the_matrix(platform, role):
    world = flows.world()
    user, targets = world.users[role], _targets(world)
    column = ROLES.index(role)
    wrong = []
    for row in MATRIX:
        url = _url(row, targets)
        got = _answer(user, row.method, url, row.body)
        if got != row.answers[column]:
            wrong.append(
                f"{row.method} {url} ({row.pattern}, {row.target}): expected {row.answers[column]}, got {got}"
            )
    assert not wrong, f"{len(wrong)} cell(s) differ for {role}:\n" + "\n".join(wrong)


def test_an_officer_with_an_api_key_gets_the_officers_answer_on_every_api_row(platform):
    """A key acts as its user: no more, no less than the officer's session, and no CSRF token needed."""
    world = flows.world()
    targets = _targets(world)
    key = api_key_create(user=world.users["officer"], name="matrix").key
    column = ROLES.index("officer")
    wrong = []
    for row in MATRIX:
        if not row.pattern.startswith("api/v1/") or row.pattern.startswith("api/v1/auth/keys/"):
            continue
        url = _url(row, targets)
        got = _answer(None, row.method, url, row.body, headers={"authorization": f"Bearer {key}"})
        if got != row.answers[column]:
            wrong.append(f"{row.method} {url}: expected {row.answers[column]}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_an_sme_editing_its_profile_gets_404_for_another_companys_people_and_documents(platform):
    world = flows.world()
    sme = flows.draft_company(name="Tai Po Optics Limited").representative
    other = _targets(world)
    person, document = other["other person"], other["other document"]
    for method, url, body in [
        ("PUT", f"/api/v1/company/people/{person}/", PERSON),
        ("DELETE", f"/api/v1/company/people/{person}/", None),
        ("DELETE", f"/api/v1/company/documents/{document}/", None),
        ("POST", f"/company/kyb/people/{person}/remove/", None),
        ("POST", f"/company/kyb/documents/{document}/remove/", None),
        ("GET", f"/company/documents/{document}/", None),
    ]:
        assert _answer(sme, method, url, body) == 404, (method, url)
    assert Person.objects.filter(pk=person).exists()
    assert Document.objects.filter(pk=document).exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_refuses_everyone_but_staff_accounts(db, role):
    user = None if role == "anonymous" else UserFactory(role=role)
    for url in ["/admin/", "/admin/accounts/user/", "/admin/tokens/wallet/"]:
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 302, (role, url)
        assert response["Location"].startswith(reverse("admin:login")), (role, url)


def test_the_admin_opens_to_a_staff_account(db):
    operator = staff_user_create(
        email="ops@example.hk", password="x" * 12, full_name="Ops", role=Role.OPERATOR
    )
    client = Client()
    client.force_login(operator)
    assert client.get("/admin/").status_code == 200
