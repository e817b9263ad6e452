"""Factories for issuers."""

import factory

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from issuers.choices import Jurisdiction
from issuers.models import Company


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    representative = factory.SubFactory(UserFactory, role=Role.SME)
    legal_name_en = factory.Sequence(lambda n: f"Harbour Widgets {n} Limited")
    legal_name_zh = "海港小部件有限公司"
    jurisdiction = Jurisdiction.HONG_KONG
    registration_number = factory.Sequence(lambda n: f"{30000000 + n}")
    industry = "electronics"
