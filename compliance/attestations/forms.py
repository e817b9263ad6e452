"""Forms of the attestation pages: ask for one, revoke one, verify a file (pasted or uploaded)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compliance.choices import AttestationKind
from config import form_fields
from config.text import REASON_MAX_LENGTH

from .verify import DOCUMENT_MAX_BYTES


class AttestationIssueForm(forms.Form):
    kind = forms.ChoiceField(choices=AttestationKind.choices, widget=forms.HiddenInput)
    wallet = forms.ChoiceField(
        label=_("Wallet"),
        required=False,
        help_text=_("Your account wallet, or a wallet you linked by signature."),
    )

    def __init__(self, *args: Any, wallets: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wallet"].choices = [(address, address) for address in wallets]


class AttestationRevokeForm(forms.Form):
    reason = form_fields.CharField(
        label=_("Why is it revoked?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with the revocation; the holder sees it."),
    )


class AttestationVerifyForm(forms.Form):
    document = form_fields.CharField(
        label=_("Attestation (JSON)"),
        max_length=DOCUMENT_MAX_BYTES,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "mono"}),
        help_text=_("Paste the content of the attestation file, or upload the file below."),
    )
    file = forms.FileField(label=_("Or upload the .json file"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("file")
        text = cleaned.get("document") or ""
        if upload is not None:
            if (upload.size or 0) > DOCUMENT_MAX_BYTES:
                self.add_error("file", gettext("An attestation file is small; this one is too large."))
                return cleaned
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error(
                    "file", gettext("This is not a text file: upload the attestation's .json file.")
                )
                return cleaned
        if not text.strip():
            raise forms.ValidationError(gettext("Paste an attestation or upload its file."))
        try:
            cleaned["parsed"] = json.loads(text)
        except ValueError as exc:
            field = "file" if upload is not None else "document"
            self.add_error(field, gettext("This is not valid JSON (%(error)s).") % {"error": exc})
        return cleaned
