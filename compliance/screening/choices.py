"""Choices of sanctions screening: entry types, query kinds, decisions and the re-screening run's states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ENTITY = "entity", _("Entity")
    VESSEL = "vessel", _("Vessel")
    AIRCRAFT = "aircraft", _("Aircraft")


class PartyType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANIZATION = "organization", _("Organization")


class Decision(models.TextChoices):
    CLEAR = "clear", _("Clear")
    POTENTIAL_MATCH = "potential_match", _("Potential match")


class Subject(models.TextChoices):
    PARTY = "party", _("Name")
    WALLET = "wallet", _("Wallet address")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    SUPERSEDED = "superseded", _("Superseded by a newer list version")


RUN_TRANSITIONS = {
    RunStatus.QUEUED: {RunStatus.RUNNING, RunStatus.SUPERSEDED},
    RunStatus.RUNNING: {RunStatus.DONE, RunStatus.FAILED, RunStatus.RUNNING, RunStatus.SUPERSEDED},
    RunStatus.FAILED: {RunStatus.RUNNING, RunStatus.SUPERSEDED},
    RunStatus.DONE: set(),
    RunStatus.SUPERSEDED: set(),
}
