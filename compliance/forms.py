"""Forms of the compliance pages: the case queue, decisions, notes, assignment, answers, the audit trail."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compliance.audit_text import OBJECT_NOUNS
from compliance.cases.choices import CaseKind, Decision, RiskLevel
from compliance.cases.selectors import CaseFilter, reviewers
from compliance.licences.forms import arranger_field, with_arranger_choices
from compliance.selectors import AUDIT_KINDS, AuditFilter
from compliance.services import REQUEST_CHANGES
from config import form_fields
from config.text import REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class KycRevokeForm(forms.Form):
    """Withdraw an investor's approval, with the reason the investor is shown."""

    reason = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Reason for revoking"),
        help_text=_("Recorded in the audit trail and shown to the investor."),
    )


def _in_two_weeks() -> str:
    return timezone.localtime(timezone.now() + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")


class AuditFilterForm(forms.Form):
    """Narrow the audit trail: by who, which object, what kind of action and which days."""

    actor = form_fields.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        required=False,
        label=_("Who"),
        help_text=_("Part of a name or e-mail."),
    )
    object_type = forms.ChoiceField(
        choices=[("", _("Any object")), *((key, capfirst(noun)) for key, noun in OBJECT_NOUNS.items())],
        required=False,
        label=_("Object"),
    )
    object_id = form_fields.IntegerField(
        required=False, min_value=1, label=_("Number"), help_text=_("The object's #.")
    )
    kind = forms.ChoiceField(
        choices=[("", _("Any action")), *AUDIT_KINDS.items()], required=False, label=_("Kind")
    )
    date_from = form_fields.DateField(required=False, label=_("From"), widget=form_fields.DayMonthYearInput())
    date_to = form_fields.DateField(required=False, label=_("To"), widget=form_fields.DayMonthYearInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", gettext("The end date is before the start date."))
        return data

    def audit_filter(self) -> AuditFilter:
        """The filter the valid form describes (no filter while the form is invalid)."""
        if not self.is_valid():
            return AuditFilter()
        return AuditFilter.of(self.cleaned_data)


CASE_PAGE_SIZE = 25

# The queue's status filter: every open case by default, one state, or closed cases (or all of them).
CASE_STATUS_FILTERS = [
    ("", _("Open (any state)")),
    ("open", _("Open, to be worked on")),
    ("info_requested", _("Waiting for the applicant")),
    ("awaiting_approver", _("Awaiting approver")),
    ("closed", _("Closed")),
    ("all", _("All, closed ones too")),
]


class CaseFilterForm(forms.Form):
    """Narrow the review queue: kind, state, risk, age, assignee and a name."""

    kind = forms.ChoiceField(
        choices=[("", _("Any kind")), *CaseKind.choices], required=False, label=_("Kind")
    )
    status = forms.ChoiceField(choices=CASE_STATUS_FILTERS, required=False, label=_("State"))
    risk = forms.ChoiceField(
        choices=[("", _("Any risk")), *RiskLevel.choices], required=False, label=_("Risk")
    )
    older_than_days = form_fields.IntegerField(
        required=False, min_value=1, max_value=3650, label=_("Older than (days)")
    )
    assignee = forms.ChoiceField(required=False, label=_("Assignee"))
    search = form_fields.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        required=False,
        label=_("Search"),
        help_text=_("Part of a name or title."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(str(user.pk), user.full_name) for user in reviewers()]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Unassigned")),
            *people,
        ]

    def case_filter(self) -> CaseFilter:
        """The filter the valid form describes (open cases, unfiltered, while the form is invalid)."""
        if not self.is_valid():
            return CaseFilter()
        return CaseFilter.of(self.cleaned_data)


CASE_DECISION_LABELS: dict[str, StrOrPromise] = {
    Decision.APPROVE: _("Approve"),
    Decision.REJECT: _("Reject"),
    Decision.CLEAR: _("Clear: not a match"),
    Decision.CONFIRM: _("Confirm"),
    Decision.REQUEST_INFO: _("Request information"),
    REQUEST_CHANGES: _("Request changes"),
    Decision.ESCALATE: _("Escalate to an approver"),
}


class CaseDecisionForm(forms.Form):
    """A decision on a case: the choices are the case's (its kind and state); the rules are the services'."""

    decision = forms.ChoiceField(widget=forms.RadioSelect, label=_("Decision"))
    reason = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label=_("Reason, or the question for the applicant"),
        help_text=(
            _(
                "Required for everything but approve. Recorded in the audit trail; a "
                "rejection's reason and a question are shown to the applicant."
            )
        ),
    )
    closes_at = form_fields.DateTimeField(
        required=False,
        label=_("Offering closes at (Hong Kong time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Used on approval. Defaults to 14 days from now."),
    )
    professional_investors_only = forms.BooleanField(
        required=False, initial=True, label=_("Professional investors only (the token enforces it on chain)")
    )
    transfer_lockup_until = form_fields.DateTimeField(
        required=False,
        label=_("Transfers between investors locked up until (Hong Kong time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Used on approval; the token refuses transfers before then. Empty: no lock-up."),
    )
    max_holders = form_fields.IntegerField(
        required=False,
        min_value=1,
        max_value=1_000_000,
        label=_("Most investors who may hold units"),
        help_text=_("Used on approval; the token enforces it. Empty: no limit."),
    )
    arranger_id = arranger_field(required=False)

    def __init__(self, *args: Any, decisions: list[str], application: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(d, CASE_DECISION_LABELS[d]) for d in decisions]
        if application:
            self.fields["closes_at"].initial = _in_two_weeks
            with_arranger_choices(self)
        else:
            del self.fields["closes_at"]
            del self.fields["professional_investors_only"]
            del self.fields["transfer_lockup_until"]
            del self.fields["max_holders"]
            del self.fields["arranger_id"]

    def options(self) -> dict[str, Any]:
        """The application's options, given only on approval of an application case."""
        if "closes_at" not in self.fields or self.cleaned_data["decision"] != Decision.APPROVE:
            return {}
        return {
            "closes_at": self.cleaned_data["closes_at"],
            "professional_investors_only": self.cleaned_data["professional_investors_only"],
            "arranger_id": self.cleaned_data["arranger_id"],
            "transfer_lockup_until": self.cleaned_data["transfer_lockup_until"],
            "max_holders": self.cleaned_data["max_holders"],
        }


class CaseNoteForm(forms.Form):
    """An internal note on a case (staff only)."""

    text = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Internal note"),
        help_text=_("Seen by compliance staff only, never by the applicant."),
    )


class CaseAssignForm(forms.Form):
    """Give the case to a reviewer, or back to the pool."""

    assignee = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(str(user.pk), user.full_name) for user in reviewers()]
        self.fields["assignee"].choices = [("none", "Nobody (back to the queue)"), *people]

    @property
    def assignee_id(self) -> int | None:
        value = self.cleaned_data["assignee"]
        return None if value == "none" else int(value)


class AnswerForm(forms.Form):
    """The applicant's answer to a request for information."""

    answer = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Your answer"),
        help_text=_("Compliance reads it with the documents you attached above."),
    )


class AnswerDocumentForm(forms.Form):
    """One document attached to an answer."""

    documents = forms.FileField(
        label=_("Document"), help_text=_("PDF, PNG or JPEG, up to 10 MB; at most 5 files.")
    )
