"""Every irreversible action asks first and names its object (static/js/app.js shows the question).

IRREVERSIBLE lists each POST form that does something a user cannot take back, by the URL name of its
action (or, for a form posting to its own page, by its template), with what its question must name: the
template variables that identify the object (a reference code, a name). A listed form without a
`data-confirm` question, or whose question (`data-confirm`, `data-confirm-title` or a per-decision
`data-confirm-<choice>`) does not name the object, fails. So does an unlisted form whose action sounds
irreversible (cancel, withdraw, submit, revoke, remove ...) and asks nothing: add it to the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

IRREVERSIBLE: dict[str, tuple[str, ...]] = {
    # Offerings: staff open, close and cancel (cancelling is a page of its own that asks for the reason).
    "financing:offering_open": ("offering.reference", "offering.application.title"),
    "financing:offering_close": ("offering.reference", "offering.application.title"),
    "financing/offering_cancel.html": ("offering.reference", "offering.application.title"),
    "compliance/licences/offering_arranger.html": ("offering.reference",),
    # Investors: withdraw a subscription, transfers, KYC.
    "financing:subscription_withdraw": ("offering.reference", "offering.application.title"),
    "financing/holding_transfer.html": ("offering.reference",),
    "financing:transfer_accept": ("transfer.offering.reference", "transfer.units"),
    "financing:transfer_cancel": ("transfer.offering.reference", "transfer.units"),
    "financing:investor_kyc_submit": ("profile.legal_name",),
    "financing:investor_person_remove": ("person.full_name",),
    "financing:investor_document_remove": ("document.original_name",),
    # SMEs: KYB and applications, servicing.
    "issuers:company_submit": ("company.legal_name_en",),
    "issuers:person_remove": ("person.full_name",),
    "issuers:document_remove": ("document.original_name",),
    "financing:application_submit": ("application.reference", "application.title"),
    "financing:application_withdraw": ("application.reference", "application.title"),
    "financing:payment_fund": ("payment.offering.reference", "payment.sequence"),
    "financing:dividend_declare": ("offering.reference",),
    "requests:detail": ("info.case", "info.asked_at"),
    "requests:document_remove": ("document.original_name",),
    # Staff: settlement, compliance decisions, the register, the chain.
    "financing:allotment_retry": ("offering.reference", "allotment.pk"),
    "financing:allotment_write_off": ("offering.reference", "allotment.pk"),
    "compliance:case": ("case.pk", "subject_name"),
    "compliance:kyc_revoke": ("profile.legal_name",),
    "compliance:kyc_chain_retry": ("profile.legal_name",),
    "compliance/licences/licence_suspend.html": ("licence.intermediary.name",),
    "tokens:operation_approve": ("op.pk", "op.token.offering.reference"),
    "tokens:operation_reject": ("op.pk", "op.token.offering.reference"),
    "tokens:operations": (),  # the object is chosen in the form itself
    "tokens:payment_token_decide": ("listing.symbol", "listing.currency"),
    "accounts:api_key_revoke": ("key.name",),
}

# Words in an action's URL name that mean it cannot be taken back: an unlisted form with one must ask.
SOUNDS_IRREVERSIBLE = re.compile(
    r"cancel|withdraw|submit|revoke|remove|delete|close|write_off|decide|approve|reject|suspend|transfer"
)
CONFIRM = re.compile(r"data-confirm(?:-[a-z-]+)?=")
# The value of each question attribute, template tags and variables (which may hold quotes) included.
QUESTION = re.compile(r'data-confirm(?:-[a-z-]+)?="((?:\{%.*?%\}|\{\{.*?\}\}|[^"])*)"')


def _open_tags(text: str, name: str) -> Iterator[str]:
    """Each `<name ...>` opening tag of a template, whole: template tags and variables inside it (which
    may hold quotes and `>`) are skipped over, not parsed as HTML."""
    start = 0
    while (begin := text.find(f"<{name}", start)) != -1:
        at = begin + len(name) + 1
        while at < len(text) and text[at] != ">":
            if text.startswith(("{%", "{{"), at):
                closing = "%}" if text[at + 1] == "%" else "}}"
                at = text.index(closing, at) + 2
            else:
                at += 1
        yield text[begin : at + 1]
        start = at + 1


def post_forms() -> Iterator[tuple[str, str, str]]:
    """(template, key, opening tag) of every POST form: the key is the action's URL name, or the template
    for a form posting to its own page."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        template = str(path.relative_to(TEMPLATES))
        for tag in _open_tags(path.read_text(), "form"):
            if 'method="post"' not in tag.lower():
                continue
            action = re.search(r"""action="\{% url ['"]([^'"]+)['"]""", tag)
            yield template, action.group(1) if action else template, tag


FORMS = list(post_forms())


def test_the_scan_finds_the_forms_it_guards():
    keys = {key for _, key, _ in FORMS}
    assert len(FORMS) > 40
    assert set(IRREVERSIBLE) <= keys, f"listed but no longer found: {sorted(set(IRREVERSIBLE) - keys)}"


@pytest.mark.parametrize(("template", "key", "tag"), FORMS, ids=[f"{t}:{k}" for t, k, _ in FORMS])
def test_every_irreversible_action_asks_first_and_names_its_object(template, key, tag):
    asks = CONFIRM.search(tag) is not None
    if key in IRREVERSIBLE:
        assert asks, f"{template}: the form posting to {key} has no data-confirm question"
        questions = " ".join(QUESTION.findall(tag))
        for name in IRREVERSIBLE[key]:
            assert name in questions, f"{template}: the question of {key} does not name {name}"
    elif SOUNDS_IRREVERSIBLE.search(key.split(":")[-1]):
        assert asks, (
            f"{template}: {key} sounds irreversible but asks nothing: add data-confirm naming the object "
            "and list it in IRREVERSIBLE (or, if it can be taken back, say so by renaming the URL)"
        )


def test_the_dialog_is_a_labelled_modal_in_every_page_not_the_browsers_confirm():
    base = (TEMPLATES / "base.html").read_text()
    dialog = next(_open_tags(base, "dialog"))
    assert 'id="confirm-dialog"' in dialog
    assert 'aria-labelledby="confirm-dialog-title"' in dialog
    assert 'aria-describedby="confirm-dialog-text"' in dialog
    assert 'id="confirm-dialog-title"' in base
    assert 'id="confirm-dialog-text"' in base
    script = (TEMPLATES.parent / "static" / "js" / "app.js").read_text()
    assert "showModal()" in script
    assert "htmx:confirm" in script
    # window.confirm only where the browser has no <dialog> at all.
    assert script.count("window.confirm") == 1
    assert 'typeof dialog.showModal !== "function"' in script
