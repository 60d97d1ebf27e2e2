import ipaddress
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, validate_email
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Left
from django.utils.ipv6 import clean_ipv6_address

from articles.models import Article

COMMENT_EMAIL_MAX_LENGTH = 100


def normalise_ip(value: str) -> str | None:
    """``value`` written as the database gives it back, if it is an address it can store.

    IPv6 is written as Django's GenericIPAddressField writes it (``::ffff:203.0.113.7``
    stays so, where ``ipaddress`` would write ``::ffff:cb00:7107``), so an address from a
    request, from the blocklist and from a stored comment compare equal. An address with a
    zone ("fe80::1%eth0") means nothing off the server, and PostgreSQL's inet refuses it.
    """
    value = value.strip()
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if getattr(address, "scope_id", None):
        return None
    return clean_ipv6_address(value) if address.version == 6 else str(address)


def normalise_email(value: str) -> str:
    """Lower-case so history, flood and blocklist checks are indexed exact matches.

    Lower-casing can change an address beyond case: "İ" becomes "i" plus a combining dot, so
    the result can be longer than what was typed and no longer valid. Validate this, not the
    typed value (``validate_normalised_email``).
    """
    return value.strip().lower()


def validate_normalised_email(email: str, *, label: str, max_length: int) -> None:
    """Refuse a normalised address that is invalid or longer than its column."""
    validate_email(email)
    if len(email) > max_length:
        raise ValidationError(
            "%(label)s is too long once in lower case: %(length)s characters, at most %(limit)s.",
            code="max_length",
            params={"label": label, "length": len(email), "limit": max_length},
        )


# A comment still holding the address or browser it was posted from (until the retention purge).
HAS_NETWORK_DATA = Q(ip_address__isnull=False) | ~Q(user_agent="")
# How much of a comment's text the duplicate rule's index holds (see Comment.Meta).
BODY_START_LENGTH = 100


class CommentQuerySet(models.QuerySet):
    def visible(self) -> "CommentQuerySet":
        """What readers see: approved comments on articles readers can see."""
        return self.filter(status=Comment.Status.APPROVED, article__in=Article.objects.published())

    def past_network_retention(self, *, now: datetime) -> "CommentQuerySet":
        """Comments older than NEWSROOM_COMMENT_IP_RETENTION_DAYS still holding an IP address
        or user agent."""
        cutoff = now - timedelta(days=settings.NEWSROOM_COMMENT_IP_RETENTION_DAYS)
        return self.filter(HAS_NETWORK_DATA, submitted_at__lt=cutoff)

    def visible_or_own(self, own_ids: list[int]) -> "CommentQuerySet":
        """Visible comments plus the reader's own held ones (same browser)."""
        own = Q(pk__in=own_ids, status=Comment.Status.PENDING) if own_ids else Q(pk__in=[])
        return self.filter(
            Q(status=Comment.Status.APPROVED) | own, article__in=Article.objects.published()
        )


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    # The top-level comment of the thread (itself for a top-level comment): one query fetches
    # whole threads for a page of top-level comments.
    thread = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="+", editable=False
    )
    depth = models.PositiveSmallIntegerField(default=1, editable=False)
    name = models.CharField(max_length=245)
    email = models.EmailField(
        max_length=COMMENT_EMAIL_MAX_LENGTH, help_text="Never shown publicly."
    )
    website = models.URLField(max_length=200, blank=True)
    body = models.TextField(max_length=65525)
    original_body = models.TextField(
        blank=True, editable=False, help_text="The text as the reader typed it, if edited since."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    hold_reasons = models.JSONField(
        default=list, blank=True, help_text="Why the comment was held or marked spam."
    )
    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["article", "status", "submitted_at"]),
            models.Index(fields=["email", "submitted_at"]),
            # The queue's commenter record counts one email's comments of each status.
            models.Index(fields=["email", "status"], name="comment_email_status"),
            models.Index(fields=["ip_address", "submitted_at"]),
            # The duplicate rule compares a post with the article's comments of the same text
            # (moderation/actions.py, gather): the text's start finds them in the index, not
            # by reading every comment of an article with thousands.
            models.Index(
                F("article"), Left("body", BODY_START_LENGTH), name="comment_article_body_start"
            ),
            # The daily retention purge finds the few comments still holding an address
            # without walking every old comment (comments/tasks.py).
            models.Index(
                fields=["submitted_at"],
                condition=HAS_NETWORK_DATA,
                name="comment_network_data_idx",
            ),
        ]
        permissions = [("moderate_comment", "Can moderate comments")]

    def __str__(self) -> str:
        return f"{self.name}: {self.excerpt}"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding:
            self.prepare_insert()
        else:
            self.email = normalise_email(self.email)
        super().save(*args, **kwargs)
        if self.thread_id is None:
            # A top-level comment starts its own thread, which needs its id first.
            Comment.objects.filter(pk=self.pk).update(thread=self)
            self.thread_id = self.pk

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    def prepare_insert(self) -> None:
        """What a new comment's row needs before its INSERT, whichever way it is written
        (``save()``, or posting's pipelined insert): a lower-case email, so history, flood
        and blocklist checks are exact matches, and its place in a thread."""
        self.email = normalise_email(self.email)
        if self.parent is not None:
            # A reply joins its parent's thread one level down.
            self.depth = self.parent.depth + 1
            self.thread_id = self.parent.thread_id or self.parent.pk
        elif self.thread_id is None and self.pk is not None:
            # Its id taken ahead (posting reads it with the commenter's history): a new
            # top-level comment starts its own thread in the INSERT itself.
            self.thread_id = self.pk

    @property
    def excerpt(self) -> str:
        text = " ".join(self.body.split())
        return text if len(text) <= 80 else text[:79] + "…"


class BlockedCommenter(models.Model):
    """An email address, email domain or IP address whose comments go straight to spam."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email address"
        DOMAIN = "domain", "Email domain"
        IP = "ip", "IP address"

    VALUE_MAX_LENGTH = 254

    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(
        max_length=VALUE_MAX_LENGTH,
        help_text="E.g. spammer@example.com, example.com or 203.0.113.7.",
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="unique_blocked_value"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def save(self, *args, **kwargs) -> None:
        self.value = self.normalise_value(self.kind, self.value)
        super().save(*args, **kwargs)

    @classmethod
    def normalise_value(cls, kind: str, value: str) -> str:
        """The form the rules compare with: lower case, and an IP address written canonically."""
        value = value.strip().lower()
        if kind == cls.Kind.IP:
            return normalise_ip(value) or value  # an invalid one is refused by clean()
        return value

    def clean(self) -> None:
        # Normalise here, not only in save(): full_clean() runs clean() before the uniqueness
        # check, so "Spammer@Example.com" meets the stored "spammer@example.com" there.
        self.value = self.normalise_value(self.kind, self.value)
        try:
            self.validate_value()
        except ValidationError as error:
            raise ValidationError({"value": error}) from None

    def validate_value(self) -> None:
        if len(self.value) > self.VALUE_MAX_LENGTH:
            raise ValidationError(
                "This value is too long once in lower case: %(length)s characters, "
                "at most %(limit)s.",
                code="max_length",
                params={"length": len(self.value), "limit": self.VALUE_MAX_LENGTH},
            )
        if self.kind == self.Kind.EMAIL:
            validate_email(self.value)
        elif self.kind == self.Kind.DOMAIN:
            # The rules compare it with the part after "@" of a valid address: the same check.
            if not EmailValidator().validate_domain_part(self.value):
                raise ValidationError(
                    "Enter an email domain such as example.com (without the @).",
                    code="invalid_domain",
                )
        elif self.kind == self.Kind.IP and normalise_ip(self.value) is None:
            raise ValidationError(
                "Enter a valid IPv4 or IPv6 address, such as 203.0.113.7.", code="invalid_ip"
            )


class ModerationLogEntry(models.Model):
    """Who did what to which comment, and why. Written only by comments.moderation.actions."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="log_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text="Empty when the rules acted on submission.",
    )
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "moderation log entry"
        verbose_name_plural = "moderation log"

    def __str__(self) -> str:
        return f"{self.action} comment {self.comment_id}: {self.from_status} → {self.to_status}"


class ModeratorMail(models.Model):
    """One mail to the moderators about the comments held since the last one.

    A held comment finds one waiting (not sent) or schedules one, due at once or
    NEWSROOM_MODERATOR_MAIL_SECONDS after the last was sent: in a rush of comments the
    moderators get one mail a while, not one each. When the task sends it, it takes every
    comment that entered the queue after ``through_entry`` of the mail before it (moderation
    log entries). Only the latest sent row is kept. Written only by comments.moderation
    (posting schedules it, ``moderator_mail.claim_held_comments`` marks it sent).
    """

    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    through_entry = models.BigIntegerField(
        null=True, blank=True, help_text="The last moderation log entry this mail covered."
    )

    class Meta:
        verbose_name = "moderators' mail"
        verbose_name_plural = "moderators' mail"

    def __str__(self) -> str:
        return f"moderators' mail due {self.due_at:%Y-%m-%d %H:%M:%S}"


class UsedFormToken(models.Model):
    """A served comment form whose token has carried a stored comment: it carries no other.

    Only a digest is kept. Rows older than NEWSROOM_COMMENT_MAX_FORM_AGE are pruned, since
    their tokens have expired anyway.
    """

    digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.digest


class NotificationAddress(models.Model):
    """An email address that asked to be emailed about its comments (double opt-in).

    Nothing but the confirmation mail goes to it until ``confirmed_at`` is set; once it is,
    a returning commenter is not asked again. ``confirmation_key`` is the key of the last
    confirmation link sent: a newer link, or an unsubscribe, makes older links invalid.
    """

    email = models.EmailField(max_length=COMMENT_EMAIL_MAX_LENGTH, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmation_key = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "notification address"

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)


class CommentSubscription(models.Model):
    """What the author of one comment asked to be emailed about."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="subscription")
    address = models.ForeignKey(
        NotificationAddress, on_delete=models.CASCADE, related_name="subscriptions"
    )
    # Cleared once the mail is sent, so approving again (after a restore) mails nobody twice.
    on_approval = models.BooleanField(default=False)
    on_reply = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.address} on comment {self.comment_id}"


class CommentReportQuerySet(models.QuerySet):
    def active(self) -> "CommentReportQuerySet":
        """Reports no moderator has answered yet: the ones that count toward holding a comment."""
        return self.filter(archived_at__isnull=True)


class CommentReport(models.Model):
    """A reader's report that a published comment breaks the rules.

    The reader is known only by keyed hashes (HMAC with SECRET_KEY) of their address and
    browser, never the address itself: enough to allow one report per comment per reader and
    to limit how many reports one address sends, and useless to anyone without the key.
    """

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Abusive or hateful"
        OFF_TOPIC = "off-topic", "Off-topic"
        OTHER = "other", "Something else"

    NOTE_MAX_LENGTH = 500

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    note = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True)
    # HMAC of the reader's IP address and user agent: one report per comment per reader.
    reporter_key = models.CharField(max_length=64, editable=False)
    # HMAC of the IP address (an IPv6 /64): the hourly limit per address.
    network_key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a moderator approves the comment: archived reports no longer count, so a
    # comment a moderator has judged does not bounce straight back to the queue.
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentReportQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # Archived reports too: a reader whose report a moderator has answered cannot
            # send the comment back by reporting it again.
            models.UniqueConstraint(
                fields=["comment", "reporter_key"], name="unique_report_per_reader"
            ),
        ]
        indexes = [models.Index(fields=["network_key", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: comment {self.comment_id}"
