"""The reader's Post Comment form. Each security check is its own clean step."""

import hashlib
import secrets
import time
from datetime import datetime

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError

from articles.models import Article
from newsroom.validators import no_control_characters

from .models import (
    COMMENT_EMAIL_MAX_LENGTH,
    Comment,
    CommentReport,
    normalise_email,
    validate_normalised_email,
)
from .moderation.rules import FormToken, Submission

# Not the salt of the former bare-timestamp tokens: those are refused, not misread.
TIMESTAMP_SALT = "comments.form-token"


def refuse_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("This field cannot be only spaces.", code="blank")


def signed_form_token(article: Article, *, issued_at: float | None = None) -> str:
    """The hidden "timestamp" of a served form: article, issue time and a nonce, signed."""
    payload = {
        "a": article.pk,
        "t": int(time.time() if issued_at is None else issued_at),
        "n": secrets.token_urlsafe(9),
    }
    return signing.dumps(payload, salt=TIMESTAMP_SALT)


def read_form_token(value: str) -> FormToken | None:
    """The token's content, or None if it is not one this site signed in this format."""
    try:
        payload = signing.loads(value, salt=TIMESTAMP_SALT)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    article_id, issued_at, nonce = payload.get("a"), payload.get("t"), payload.get("n")
    if type(article_id) is not int or type(issued_at) is not int or not isinstance(nonce, str):
        return None
    return FormToken(article_id=article_id, issued_at=issued_at, nonce=nonce)


def form_token_digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class CommentForm(forms.Form):
    name = forms.CharField(label="Name", max_length=245, strip=False)
    email = forms.EmailField(
        label="Email",
        max_length=COMMENT_EMAIL_MAX_LENGTH,
        help_text="Your email address will not be published.",
    )
    website = forms.URLField(label="Website", max_length=200, required=False, assume_scheme="https")
    body = forms.CharField(
        label="Comment", max_length=65525, strip=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    remember = forms.BooleanField(
        label="Save my name, email, and website in this browser for the next time I comment.",
        required=False,
    )
    # Unticked in every served form (never from the reader's cookie): the article page stays
    # the same for every reader, and an address is mailed only when its owner asks.
    notify_approval = forms.BooleanField(
        label="Email me when my comment is published, if it waits for a moderator.",
        required=False,
    )
    notify_replies = forms.BooleanField(
        label="Email me when someone replies to my comment.", required=False
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    timestamp = forms.CharField(required=False, widget=forms.HiddenInput)
    # A honeypot: hidden from people, filled in by naive bots.
    homepage_url = forms.CharField(
        label="Leave this field empty", required=False, widget=forms.TextInput
    )

    error_messages = {
        "too_long": "%(field)s is too long: %(length)s characters, at most %(limit)s.",
    }

    def __init__(self, *args, article, issue_token: bool = True, **kwargs):
        """``issue_token=False`` for the form on the article page as every reader gets it
        (and caches keep it): the browser asks for its own token (``form_tokens``)."""
        self.article = article
        # What the timestamp field carries: the rules judge the token, submit_comment records
        # its digest as used (only for a token this site signed).
        self.form_token: FormToken | None = None
        self.form_token_digest: str | None = None
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField) and field.max_length:
                field.error_messages["max_length"] = (
                    f"{field.label} is too long: at most {field.max_length:,} characters "
                    "(you typed %(show_value)s)."
                )
            if name in {"name", "email", "body"}:
                field.error_messages["required"] = f"Please enter your {field.label.lower()}."
        self.fields["body"].error_messages["required"] = "Please write a comment."
        self.fields["website"].error_messages["invalid"] = (
            "Enter a web address starting with http:// or https://."
        )
        self.fields["homepage_url"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if not self.is_bound and issue_token:
            self.initial.setdefault("timestamp", signed_form_token(article))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        no_control_characters(name)
        refuse_blank(name)
        if "\n" in name or "\r" in name or "\t" in name:
            raise ValidationError("Your name must fit on one line.", code="multiline")
        return name.strip()

    def clean_email(self) -> str:
        # Stored lower-case so history, flood and blocklist checks are indexed exact matches;
        # what is stored is what must be valid and fit the column.
        email = normalise_email(self.cleaned_data["email"])
        validate_normalised_email(email, label="Email", max_length=COMMENT_EMAIL_MAX_LENGTH)
        return email

    def clean_website(self) -> str:
        website = self.cleaned_data["website"]
        if website and not website.lower().startswith(("http://", "https://")):
            raise ValidationError(
                "Enter a web address starting with http:// or https://.", code="scheme"
            )
        return website

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        no_control_characters(body)
        refuse_blank(body)
        return body.replace("\r\n", "\n").strip("\n")

    def clean_parent(self) -> Comment | None:
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        parent = Comment.objects.filter(pk=parent_id).select_related("article").first()
        if parent is None or parent.article_id != self.article.pk:
            raise ValidationError(
                "The comment you are replying to is not on this article.", code="parent_article"
            )
        if parent.status != Comment.Status.APPROVED:
            raise ValidationError(
                "You can only reply to a published comment.", code="parent_not_approved"
            )
        if parent.depth >= settings.NEWSROOM_COMMENT_MAX_DEPTH:
            raise ValidationError(
                "This conversation is nested as deeply as it can go; reply further up instead.",
                code="too_deep",
            )
        return parent

    def clean_timestamp(self) -> str:
        # Never a field error: a bad token is a spam signal, judged silently by the rules.
        value = self.cleaned_data["timestamp"]
        self.form_token = read_form_token(value)
        if self.form_token is not None:
            self.form_token_digest = form_token_digest(value)
        return value

    def submission(self, *, ip_address: str | None, received_at: datetime) -> Submission:
        """The valid form as the comment rules see it."""
        data = self.cleaned_data
        return Submission(
            article_id=self.article.pk,
            name=data["name"],
            email=data["email"],
            website=data["website"],
            body=data["body"],
            ip_address=ip_address,
            honeypot=data["homepage_url"],
            form_token=self.form_token,
            received_at=received_at,
        )


class PersonalDataForm(forms.Form):
    """The admin's "Personal data" page: whose data, and what erasing does with the text."""

    KEEP_TEXT = "keep"
    REMOVE_TEXT = "remove"

    email = forms.EmailField(
        label="Commenter's email address",
        max_length=254,
        help_text="Any case; an international domain in Unicode or in its xn-- form.",
        validators=[no_control_characters],
    )
    text = forms.ChoiceField(
        label="When erasing, the comments' text",
        choices=[
            (KEEP_TEXT, "Keep it, shown as by “Anonymous”"),
            (REMOVE_TEXT, "Remove it (published comments are taken off the site)"),
        ],
        initial=KEEP_TEXT,
        widget=forms.RadioSelect,
    )

    @property
    def remove_text(self) -> bool:
        return self.cleaned_data["text"] == self.REMOVE_TEXT


class ReportForm(forms.Form):
    """A reader's report of a published comment: why, and (for "something else") what."""

    reason = forms.ChoiceField(
        label="What is wrong with this comment?",
        choices=CommentReport.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please choose a reason.",
            "invalid_choice": "Please choose one of the reasons listed.",
        },
    )
    note = forms.CharField(
        label="Anything moderators should know",
        required=False,
        strip=False,
        max_length=CommentReport.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional, unless you chose “Something else”. Moderators only.",
        validators=[no_control_characters],
        error_messages={
            "max_length": (
                f"Your note is too long: at most {CommentReport.NOTE_MAX_LENGTH} characters "
                "(you typed %(show_value)s)."
            )
        },
    )

    def clean_note(self) -> str:
        return self.cleaned_data["note"].replace("\r\n", "\n").strip()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("reason") == CommentReport.Reason.OTHER and not data.get("note"):
            self.add_error("note", ValidationError("Please say what is wrong.", code="required"))
        return data
