"""What a person does on the site, in one place for every browser test: log in, sign up, fill a field by
its label, answer a confirmation, look for words in the page's language.

Elements are found by role and label, never by layout, so the pages can change around them. Words are
looked up through Django's translation catalogs (`Words`), so the same steps run in every language.
"""

from __future__ import annotations

import re
import time
from datetime import date
from urllib.parse import urlsplit

from django.utils import translation
from playwright.sync_api import Dialog, Locator, Page, expect

from accounts.choices import Role
from accounts.models import User
from accounts.services import staff_user_create
from accounts.testing import totp_code, totp_device
from accounts.tests.mailbox import emails_to
from accounts.two_factor import requires_two_factor
from financing.demo import sample_pdf

PASSWORD = "a-long-pass-phrase-42"
CONFIRM_LINK = re.compile(r"https?://\S+?(/accounts/confirm/(?!resend/)[^/\s]+/)")


class Words:
    """The page's words in one language: `words("Log in")` is that text as the catalogs translate it."""

    def __init__(self, language: str = "en") -> None:
        self.language = language

    def __call__(self, text: str) -> str:
        with translation.override(self.language):
            return translation.gettext(text)

    def pattern(self, text: str) -> re.Pattern[str]:
        """The whole of a label or button text, with or without the required-field star."""
        return re.compile(rf"^\s*{re.escape(self(text))}\s*\*?\s*$")


ENGLISH = Words("en")


def field(page: Page | Locator, label: str, words: Words = ENGLISH) -> Locator:
    """The form control labelled `label` (its <label>, required star or not)."""
    return page.get_by_label(words.pattern(label))


def choice(page: Page | Locator, label: str, words: Words = ENGLISH) -> Locator:
    """The drop-down list labelled `label`."""
    return page.get_by_role("combobox", name=words.pattern(label))


def file_field(page: Page | Locator, label: str, words: Words = ENGLISH) -> Locator:
    """The file chooser labelled `label`."""
    return field(page, label, words).and_(page.locator("input[type=file]"))


def button(page: Page | Locator, name: str, words: Words = ENGLISH) -> Locator:
    """The button called `name`."""
    return page.get_by_role("button", name=words.pattern(name))


def fill_date(control: Locator, day: date) -> None:
    """A date field: the browser's date picker takes ISO; a text field the Hong Kong day/month/year."""
    if control.get_attribute("type") == "date":
        control.fill(day.isoformat())
    else:
        control.fill(day.strftime("%d/%m/%Y"))


def upload_pdf(control: Locator, title: str) -> None:
    """Choose a small, valid PDF called after `title` in a file field."""
    name = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") + ".pdf"
    control.set_input_files({"name": name, "mimeType": "application/pdf", "buffer": sample_pdf(title).read()})


def log_in(page: Page, email: str, password: str = PASSWORD, words: Words = ENGLISH) -> None:
    """Log in through the log-in page and land on the user's start page.

    The one place every browser test logs in. Staff (and anyone with an authenticator) are asked for the
    code their authenticator shows now, as a phone would show it (`accounts.testing.totp_code`).
    """
    user = User.objects.filter(email=email).first()
    if user is not None and requires_two_factor(user):
        totp_device(user)  # staff have set up their authenticator app before
    accept_confirmation(page)
    page.goto("/accounts/login/")
    field(page, "Email", words).fill(email)
    field(page, "Password", words).fill(password)
    button(page, "Log in", words).click()
    page.wait_for_load_state()
    if urlsplit(page.url).path == "/accounts/login/code/":
        field(page, "Code", words).fill(totp_code(User.objects.get(email=email)))
        button(page, "Continue", words).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.wait_for_load_state()


def staff(role: Role, email: str) -> User:
    """A staff account as an operator creates it (staff do not sign up)."""
    return staff_user_create(email=email, password=PASSWORD, full_name=_name_of(email), role=role)


def _name_of(email: str) -> str:
    return email.split("@")[0].replace(".", " ").title()


def sign_up(page: Page, *, role: str, full_name: str, email: str, words: Words = ENGLISH) -> None:
    """Create an account on the sign-up page, then open the link the confirmation email brings and
    confirm: the new user is logged in on their start page."""
    accept_confirmation(page)
    page.goto("/accounts/signup/")
    page.get_by_role("radio", name=words.pattern(role)).check()
    field(page, "Full name", words).fill(full_name)
    field(page, "Email", words).fill(email)
    field(page, "Password", words).fill(PASSWORD)
    field(page, "Confirm password", words).fill(PASSWORD)
    button(page, "Create account", words).click()
    expect(page).to_have_url(re.compile(r"/accounts/check-email/"))
    page.goto(confirmation_path(email))
    button(page, "Confirm my email address", words).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/confirm/"))


def confirmation_path(email: str) -> str:
    """The path of the newest confirmation link emailed to `email` (the locmem mailbox of the tests)."""
    for message in reversed(emails_to(email)):
        found = CONFIRM_LINK.search(message.body)
        if found:
            return urlsplit(found.group(1)).path
    raise AssertionError(f"no confirmation link was emailed to {email}")


def accept_confirmation(page: Page) -> list[str]:
    """Accept every confirmation dialog the page asks from now on; returns the list of their questions
    (it grows), to check what they said. Calling it again for the same page returns the same list.

    Journeys call it when they open a page, so that a confirmation added to a form later does not stop
    them; a test that is about a confirmation checks the question.
    """
    asked: list[str] | None = getattr(page, "_questions_asked", None)
    if asked is not None:
        return asked
    questions: list[str] = []

    def answer(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page._questions_asked = questions  # type: ignore[attr-defined]
    return questions


CONFIRMS = "b => !!b.form && Object.keys(b.form.dataset).some(k => k.startsWith('confirm'))"


def submit(page: Page, control: Locator, *, timeout: float = 10) -> str | None:
    """Press a form's submit button; when the form asks first (`data-confirm`), confirm and return the
    question as the page put it (None when it asks nothing).

    Works with the product's own dialog in the page (`<dialog>`: its last button confirms) and with the
    browser's `confirm()`.
    """
    native = accept_confirmation(page)
    before = len(native)
    asks = control.evaluate(CONFIRMS)
    control.click()
    if not asks:
        return None
    modal = page.locator("dialog[open]")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(native) > before:
            return native[-1]
        if modal.count() and modal.first.is_visible():
            question = modal.first.inner_text()
            modal.first.get_by_role("button").last.click()
            return question
        page.wait_for_timeout(50)
    raise AssertionError("the form asks for a confirmation, but no dialog came")


def language_of(page: Page) -> str:
    """The language the page says it is in (`<html lang>`)."""
    return page.locator("html").get_attribute("lang") or ""
