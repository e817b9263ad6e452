"""The public verification page (no log-in): is this invoice or bill of lading financed here?

A visitor enters the document's fields, uploads its data file, or pastes a fingerprint
(`?fingerprint=0x...` links straight to an answer). Each lookup is counted per client address
before anything is read (config/ratelimit.py); the answer is read from the chain.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from config.errors import ServiceUnavailable, TooManyAttempts, ValidationFailed
from config.forms import apply_errors
from config.ratelimit import check_client, check_distinct, refused_response
from financing.trade.normalise import BILL_OF_LADING, INVOICE
from financing.verification.files import FIELDS_OF_KIND, example_file, fields_from_file
from financing.verification.forms import (
    BillOfLadingVerifyForm,
    DataFileVerifyForm,
    FingerprintVerifyForm,
    InvoiceVerifyForm,
)
from financing.verification.selectors import (
    SCOPE_NOTE,
    Verification,
    document_fingerprint_of,
    fingerprint_parse,
    verification_of,
)

TEMPLATE = "financing/verification/verify.html"
FIELD_FORMS: dict[str, type[forms.Form]] = {
    INVOICE: InvoiceVerifyForm,
    BILL_OF_LADING: BillOfLadingVerifyForm,
}
# Rate-limit scopes (settings.RATE_LIMITS): every lookup, and the distinct documents one address asks about.
LOOKUPS = "verify"
DOCUMENTS = "verify-documents"


def lookup(request: HttpRequest, fingerprint: bytes, **answer: Any) -> Verification:
    """Read one fingerprint's registration after counting it among the address's distinct documents."""
    check_distinct(request, scope=DOCUMENTS, value=fingerprint.hex())
    return verification_of(fingerprint=fingerprint, **answer)


def _kind(value: str | None) -> str:
    return value if value in FIELD_FORMS else INVOICE


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The page: the three ways to ask, and the chain's answer to the one asked."""
    data = request.POST if request.method == "POST" else None
    mode = request.POST.get("mode", "fields") if data is not None else ""
    kind = _kind(request.POST.get("kind") if data is not None else request.GET.get("kind"))
    asked_fingerprint = data is None and "fingerprint" in request.GET
    context: dict[str, Any] = {
        "kind": kind,
        "kinds": [(INVOICE, InvoiceVerifyForm), (BILL_OF_LADING, BillOfLadingVerifyForm)],
        "mode": "fingerprint" if asked_fingerprint else mode,
        "fields_form": FIELD_FORMS[kind](data if mode == "fields" else None),
        "file_form": DataFileVerifyForm(
            data if mode == "file" else None, request.FILES if mode == "file" else None
        ),
        "fingerprint_form": FingerprintVerifyForm(request.GET if asked_fingerprint else None),
        "field_names": FIELDS_OF_KIND[kind],
        "scope_note": SCOPE_NOTE,
    }
    if data is None and not asked_fingerprint:
        return render(request, TEMPLATE, context)
    form = (
        context["fingerprint_form"]
        if asked_fingerprint
        else context["file_form"]
        if mode == "file"
        else context["fields_form"]
    )
    try:
        check_client(request, scope=LOOKUPS)
        if not form.is_valid():
            return render(request, TEMPLATE, context, status=400)
        if asked_fingerprint:
            context["answer"] = lookup(request, fingerprint_parse(form.cleaned_data["fingerprint"]))
        else:
            raw = (
                fields_from_file(kind=kind, upload=form.cleaned_data["file"])
                if mode == "file"
                else form.cleaned_data
            )
            fields, fingerprint = document_fingerprint_of(kind=kind, raw=raw)
            context["answer"] = lookup(request, fingerprint, kind=kind, fields=fields)
    except TooManyAttempts as exc:
        return refused_response(request, exc)
    except ServiceUnavailable as exc:
        return render(
            request, "financing/verification/unavailable.html", {"message": exc.message}, status=503
        )
    except ValidationFailed as exc:
        if mode == "file" and not asked_fingerprint:
            # A file's fields are not on the page: name each one in the file field's messages.
            exc = ValidationFailed(
                exc.message,
                fields={"file": [f"{name}: {text}" for name, texts in exc.fields.items() for text in texts]}
                if exc.fields and "file" not in exc.fields
                else exc.fields,
            )
        apply_errors(form, exc)
        return render(request, TEMPLATE, context, status=400)
    return render(request, TEMPLATE, context)


def example(request: HttpRequest, kind: str) -> HttpResponse:
    """An example data file to download, in the format the page and the API read."""
    if kind not in FIELD_FORMS:
        raise Http404
    response = HttpResponse(
        json.dumps(example_file(kind), indent=2, ensure_ascii=False) + "\n", content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-example.json"'
    return response
