"""Users log in with their email address and hold exactly one role."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.models import Session
from django.db import models
from django.utils import timezone

from accounts.choices import COMPLIANCE_ROLES, NotificationKind, Role
from config.text import SHORT_TEXT_MAX_LENGTH, visible_text

# Every key starts with this, so secret scanners and people recognise one in a log or a commit.
API_KEY_PREFIX = "bacc_"


class UserManager(BaseUserManager["User"]):
    """Creates users keyed by a normalised email address."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True, role=Role.OPERATOR, email_confirmed_at=timezone.now())
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: an SME representative, an investor or a member of staff."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    role = models.CharField(max_length=16, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)
    email_confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the owner followed the confirmation link; log-in waits for it."
    )
    language = models.CharField(
        max_length=8,
        blank=True,
        default="",
        choices=settings.LANGUAGES,
        help_text="The language the user chose with the switcher: pages after log-in and emails use it. "
        "Blank: the browser's.",
    )

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    @property
    def is_sme(self) -> bool:
        return self.role == Role.SME

    @property
    def is_investor(self) -> bool:
        return self.role == Role.INVESTOR

    @property
    def is_compliance(self) -> bool:
        return self.role in COMPLIANCE_ROLES

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR


class ApiKey(models.Model):
    """A per-user key an API client sends instead of a session; only its SHA-256 digest is stored.

    The key reads `<lookup_id>.<secret>`: `lookup_id` finds the row, the digest of the whole key
    proves it. It acts as its user, with exactly the user's role, and never opens a page.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH, validators=[visible_text], help_text="What the key is for."
    )
    lookup_id = models.CharField(max_length=32, unique=True, help_text="The key's public first part.")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the whole key, hex.")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="None: until revoked.")
    last_used_at = models.DateTimeField(null=True, blank=True, help_text="Updated at most once a minute.")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=models.F("created_at")),
                name="api_key_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True)
                | models.Q(revoked_at__gte=models.F("created_at")),
                name="api_key_revoked_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix}…)"

    @property
    def display_prefix(self) -> str:
        """The part of the key that may be shown again, to tell keys apart."""
        return f"{API_KEY_PREFIX}{self.lookup_id}"

    def is_active_at(self, moment: Any) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > moment)


class UserSession(models.Model):
    """A signed-in browser or API client of a user, for the account's list of sessions.

    Django's database sessions are not indexed by user; this row is, keyed by the session it
    describes and deleted with it (log-out, expiry clean-up, "log out" from the list). Written by
    accounts.middleware.SessionRecordMiddleware on a session's first signed-in answer and at most
    once a minute after that.
    """

    # The session key is the cookie's secret: pages name a session by this row's id instead.
    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    user_agent = models.CharField(max_length=300, blank=True, help_text="As the client sent it, cut short.")
    ip_prefix = models.CharField(
        max_length=50, blank=True, help_text="The client's network, never its whole address (a /24 or /48)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="user_session_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.ip_prefix} · {self.last_seen_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """One message to one user about a change they care about: shown under the bell, also emailed.

    Title and body are written in the recipient's language when the change happens (they read as
    they were sent); `emailed_at` marks the email as handed to the mail backend.
    """

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="A path on this site to see more.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_recipient_read")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"
