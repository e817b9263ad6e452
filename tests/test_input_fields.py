"""Every page form and API input uses the platform's fields, so a new field gets the input rules too.

Numbers and dates are read from ASCII digits only, free text refuses invisible characters and has a
length limit (`config.form_fields`, `config.api_fields`), and the limits agree with the models.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator

import pytest
from django import forms
from django.contrib.auth import get_user_model
from rest_framework import serializers

from compliance.apis import DecisionInput, MyKycApi
from compliance.forms import CaseDecisionForm
from compliance.licences.apis import IntermediaryInput, LicenceInput
from compliance.licences.forms import IntermediaryForm, LicenceForm
from compliance.models import Intermediary, InvestorProfile, Licence
from config import api_fields, form_fields
from config.text import REASON_MAX_LENGTH
from financing.apis import AllotmentWriteOffApi, ApplicationDecisionApi, ApplicationInput, OfferingCancelApi
from financing.forms import (
    AllotmentWriteOffForm,
    ApplicationForm,
    EquityTermsForm,
    KycForm,
    LeaseTermsForm,
    OfferingCancelForm,
)
from financing.models import Allotment, Application, Terms
from issuers.apis import MyCompanyApi, MyCompanyProfileApi, PersonInput
from issuers.forms import CompanyForm, CompanyProfileForm, PersonForm
from issuers.models import Company, Person

APPS = ("accounts", "issuers", "financing", "compliance", "tokens")
for _app in (*APPS, "compliance.licences"):
    for _module in ("forms", "apis"):
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"{_app}.{_module}")
importlib.import_module("compliance.cases.apis")  # the case API lives beside the cases' services


def _ours(cls: type) -> bool:
    return cls.__module__.split(".")[0] in APPS


def _subclasses(base: type) -> Iterator[type]:
    for sub in base.__subclasses__():
        yield sub
        yield from _subclasses(sub)


FORMS = sorted({cls for cls in _subclasses(forms.BaseForm) if _ours(cls)}, key=lambda c: c.__qualname__)
SERIALIZERS = sorted(
    {cls for cls in _subclasses(serializers.Serializer) if _ours(cls)}, key=lambda c: c.__qualname__
)
INPUTS = [cls for cls in SERIALIZERS if cls.__name__.endswith("Input")]

# (the framework's field, ours), most specific first: Django's DecimalField is an IntegerField.
FORM_RULES = [
    (forms.FloatField, None),
    (forms.DecimalField, form_fields.DecimalField),
    (forms.IntegerField, form_fields.IntegerField),
    (forms.DateTimeField, form_fields.DateTimeField),
    (forms.DateField, form_fields.DateField),
    (forms.EmailField, forms.EmailField),
    (forms.CharField, form_fields.CharField),
]
API_RULES = [
    (serializers.FloatField, None),
    (serializers.IntegerField, api_fields.IntegerField),
    (serializers.DecimalField, api_fields.DecimalField),
    (serializers.DateTimeField, api_fields.DateTimeField),
    (serializers.DateField, api_fields.DateField),
    (serializers.EmailField, serializers.EmailField),
    (api_fields.NumberTextField, api_fields.NumberTextField),
    (serializers.CharField, api_fields.CharField),
]


def _problem(field: object, rules: list[tuple[type, type | None]], module: str) -> str | None:
    """What is wrong with `field` under `rules` (None when it is one of ours, or not a typed input)."""
    for framework_field, ours in rules:
        if isinstance(field, framework_field):
            if ours is None:
                return "a float field (money and rates are decimals)"
            return None if isinstance(field, ours) else f"use config.{module}.{ours.__name__}"
    return None


def _secret(name: str, field: object) -> bool:
    """Passwords are checked by the password validators, not as visible text."""
    return name == "password" or isinstance(getattr(field, "widget", None), forms.PasswordInput)


def test_the_audit_finds_every_form_and_input():
    assert len(FORMS) >= 17
    assert len(INPUTS) >= 14


def test_every_serializer_is_named_as_an_input_or_an_output():
    assert [cls for cls in SERIALIZERS if not cls.__name__.endswith(("Input", "Output"))] == []


@pytest.mark.parametrize("form", FORMS, ids=lambda cls: cls.__qualname__)
def test_every_form_field_follows_the_input_rules(form):
    fields = {name: field for name, field in form.base_fields.items() if not _secret(name, field)}
    problems = {name: _problem(field, FORM_RULES, "form_fields") for name, field in fields.items()}
    assert {name: problem for name, problem in problems.items() if problem} == {}


@pytest.mark.parametrize("serializer", INPUTS, ids=lambda cls: cls.__qualname__)
def test_every_api_input_field_follows_the_input_rules(serializer):
    fields = {name: field for name, field in serializer().fields.items() if not _secret(name, field)}
    problems = {name: _problem(field, API_RULES, "api_fields") for name, field in fields.items()}
    assert {name: problem for name, problem in problems.items() if problem} == {}


def _limit(model: type, name: str) -> int | None:
    return model._meta.get_field(name).max_length


# Every free-text input that is stored, with the model field it is stored in.
STORED_TEXT = [
    (CompanyForm, MyCompanyApi.CompanyIdentityInput, Company, ["legal_name_en", "legal_name_zh"]),
    (CompanyProfileForm, MyCompanyProfileApi.CompanyProfileInput, Company, ["srdi_batch", "srdi_authority"]),
    (PersonForm, PersonInput, Person, ["full_name"]),
    (KycForm, MyKycApi.MyKycInput, InvestorProfile, ["legal_name", "id_document_number"]),
    (ApplicationForm, ApplicationInput, Application, ["title", "use_of_proceeds"]),
    (EquityTermsForm, ApplicationInput, Terms, ["share_class"]),
    (LeaseTermsForm, ApplicationInput, Terms, ["asset_description"]),
    (CaseDecisionForm, DecisionInput, Company, ["decision_reason"]),
    (CaseDecisionForm, DecisionInput, InvestorProfile, ["decision_reason"]),
    (
        CaseDecisionForm,
        ApplicationDecisionApi.ApplicationDecisionInput,
        Application,
        ["decision_reason"],
    ),
    (IntermediaryForm, IntermediaryInput, Intermediary, ["name"]),
    (LicenceForm, LicenceInput, Licence, ["conditions"]),
    (AllotmentWriteOffForm, AllotmentWriteOffApi.AllotmentWriteOffInput, Allotment, ["write_off_reason"]),
]


@pytest.mark.parametrize(
    ("form", "serializer", "model", "names"), STORED_TEXT, ids=lambda value: getattr(value, "__name__", "")
)
def test_forms_serializers_and_models_agree_on_text_lengths(form, serializer, model, names):
    inputs = serializer().fields
    for name in names:
        given = "reason" if name in ("decision_reason", "write_off_reason") else name
        stored = _limit(model, name)
        assert stored is not None, f"{model.__name__}.{name} has no length limit"
        assert form.base_fields[given].max_length == stored, (form.__name__, name)
        assert inputs[given].max_length == stored, (serializer.__name__, name)


def test_the_cancel_reason_and_the_user_name_have_limits_too():
    from accounts.apis import SignupApi
    from accounts.forms import SignupForm

    assert OfferingCancelForm.base_fields["reason"].max_length == REASON_MAX_LENGTH
    assert OfferingCancelApi.OfferingCancelInput().fields["reason"].max_length == REASON_MAX_LENGTH
    full_name = _limit(get_user_model(), "full_name")
    assert SignupForm.base_fields["full_name"].max_length == full_name
    assert SignupApi.SignupInput().fields["full_name"].max_length == full_name
