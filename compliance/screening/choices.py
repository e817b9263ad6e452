"""Choices of sanctions screening: entry types, query kinds, decisions and the re-screening run's states."""

from django.db import models


class EntryType(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    ENTITY = "entity", "Entity"
    VESSEL = "vessel", "Vessel"
    AIRCRAFT = "aircraft", "Aircraft"


class PartyType(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    ORGANIZATION = "organization", "Organization"


class Decision(models.TextChoices):
    CLEAR = "clear", "Clear"
    POTENTIAL_MATCH = "potential_match", "Potential match"


class Subject(models.TextChoices):
    PARTY = "party", "Name"
    WALLET = "wallet", "Wallet address"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    SUPERSEDED = "superseded", "Superseded by a newer list version"


RUN_TRANSITIONS = {
    RunStatus.QUEUED: {RunStatus.RUNNING, RunStatus.SUPERSEDED},
    RunStatus.RUNNING: {RunStatus.DONE, RunStatus.FAILED, RunStatus.RUNNING, RunStatus.SUPERSEDED},
    RunStatus.FAILED: {RunStatus.RUNNING, RunStatus.SUPERSEDED},
    RunStatus.DONE: set(),
    RunStatus.SUPERSEDED: set(),
}
