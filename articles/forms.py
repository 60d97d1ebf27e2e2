import copy
import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.urls import reverse, reverse_lazy
from django.utils.html import format_html
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget
from taggit.forms import TagWidget
from taggit.models import Tag

from newsroom.validators import no_control_characters

from .body import embed_urls_in
from .embeds import PROVIDER_NAMES
from .embeds import resolve as resolve_embed
from .models import Article, ArticleRevision, ArticleSlugRedirect, Source, normalize_domain
from .revisions import compare
from .sanitize import sanitize_html
from .workflow import publication_gaps

TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length
TAG_SLUG_MAX_LENGTH = Tag._meta.get_field("slug").max_length
# Publish times a news archive can hold; far outside, converting to UTC in some time zones
# overflows Python's datetime.
PUBLISH_YEARS = (1900, 2999)


# What the body editor offers. Its output is the shape articles/sanitize.py makes canonical;
# the sanitizer, not the editor's own allowlist, is the gate.
BODY_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Heading": {"levels": [2, 3]},  # the headline is the page's only <h1>
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,  # Shift+Enter
    "HorizontalRule": True,
    "History": True,
    # Newsroom's own, in static/newsroom/admin/body-editor.js:
    "NewsPaste": True,  # no blank gaps from a paste
    "NewsEmbed": {"providers": PROVIDER_NAMES},  # a post or video, by address
    "NewsImage": {  # a library image, chosen (or uploaded) in the library's popup
        "libraryUrl": reverse_lazy("admin:images_image_changelist"),
        "summaryUrl": reverse_lazy("admin:images_image_summary", args=[0]),
    },
}


class BodyField(ProseEditorFormField):
    """The article body in the ProseMirror editor (django-prose-editor, assets shipped in the
    package). Without JavaScript it is a plain textarea of HTML, sanitized the same way.

    A body counts as changed only when its canonical HTML changed, so the editor
    re-serializing the same content is not an edit.
    """

    def __init__(self, **kwargs):
        super().__init__(
            config={"extensions": BODY_EDITOR_EXTENSIONS},
            sanitize=sanitize_html,
            widget=AdminProseEditorWidget(attrs={"aria-label": "Body"}),
            **kwargs,
        )

    def has_changed(self, initial, data) -> bool:
        return sanitize_html(initial or "") != sanitize_html(data or "")


class TagSuggestWidget(TagWidget):
    """Comma-separated tags, with suggestions of existing tags as the editor types."""

    suggestions_url = reverse_lazy("admin:articles_article_tag_suggestions")

    def get_context(self, name, value, attrs):
        attrs = {**(attrs or {}), "data-tag-suggestions": str(self.suggestions_url)}
        attrs.setdefault("autocomplete", "off")
        return super().get_context(name, value, attrs)

    class Media:
        js = ["newsroom/admin/tag-suggestions.js"]


class SourceURLWidget(forms.URLInput):
    """The original article's URL; the admin script chooses the source whose domain it is at."""

    lookup_url = reverse_lazy("admin:articles_source_for_url")

    def get_context(self, name, value, attrs):
        attrs = {**(attrs or {}), "data-source-for-url": str(self.lookup_url)}
        attrs["data-source-select"] = attrs.get("id", "").removesuffix("_url")  # id_source
        return super().get_context(name, value, attrs)

    class Media:
        js = ["newsroom/admin/source-from-url.js"]


class ArticleAdminForm(forms.ModelForm):
    """The article in the admin. A save that leaves the article in readers' reach must keep it
    complete by the rules publishing uses (``stays_live``, set per request by ArticleAdmin)."""

    body = BodyField(required=False)
    workflow_note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when returning an article to its writer; kept in the history.",
    )
    # The version this form was loaded at: a save from a stale form is refused. Bounded so a
    # forged value cannot overflow the database's integer.
    loaded_version = forms.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    stays_live = False  # set per request by ArticleAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        # Also when bound: has_changed() then compares it with the version sent back.
        self.initial["loaded_version"] = self.instance.version

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "dek",
            "body",
            "image",
            "section",
            "tags",
            "source",
            "source_url",
            "canonical_is_source",
            "published_at",
            "is_featured",
            "comments_enabled",
        ]
        widgets = {
            # Textareas that grow with the text: a 120-character headline is read whole.
            "title": forms.Textarea(attrs={"rows": 1, "class": "grows headline"}),
            "dek": forms.Textarea(attrs={"rows": 2, "class": "grows"}),
            "tags": TagSuggestWidget(attrs={"size": 60}),
            # A plain wide address box, not the admin's "Currently: … Change:" widget;
            # typing a known source's address chooses that source.
            "source_url": SourceURLWidget(attrs={"class": "vURLField wide"}),
        }

    class Media:
        css = {"all": ["newsroom/admin/editor.css"]}
        js = ["newsroom/admin/article-form.js"]

    def clean_title(self) -> str:
        # A headline is one line: a pasted line break becomes a space.
        return re.sub(r"\s*[\r\n]+\s*", " ", self.cleaned_data["title"]).strip()

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        refused = [url for url in embed_urls_in(body) if resolve_embed(url) is None]
        if refused:
            raise ValidationError(
                "This address cannot be embedded: %(urls)s. Embeds come from %(providers)s; "
                "remove it from the body, or link to it in the text instead.",
                code="embed_provider",
                params={"urls": ", ".join(refused), "providers": ", ".join(PROVIDER_NAMES)},
            )
        stored = self.instance.body if self.instance.pk else ""
        # Unchanged content keeps its stored bytes: opening and saving changes nothing.
        return stored if sanitize_html(stored) == body else body

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        taken = ArticleSlugRedirect.objects.filter(old_slug=slug).exclude(
            article_id=self.instance.pk
        )
        if taken.exists():
            raise forms.ValidationError(
                "This address used to belong to another article and still leads readers "
                "there. Choose another slug.",
                code="slug_redirects",
            )
        return slug

    def clean_tags(self) -> list[str]:
        tags = self.cleaned_data["tags"]
        for name in tags:
            try:
                no_control_characters(name)
            except ValidationError as error:
                raise ValidationError(f"Tag “{name}”: {error.messages[0]}") from None
            if len(name) > TAG_MAX_LENGTH:
                raise ValidationError(
                    f"Tag “{name[:40]}…” is {len(name)} characters long; "
                    f"a tag has at most {TAG_MAX_LENGTH}."
                )
            slug = Tag().slugify(name)
            if not slug:
                raise ValidationError(
                    f"Tag “{name}” needs at least one letter or digit to have a page."
                )
            # Its address can be longer than the name (ligatures spelled out); room is left
            # for the "_2" django-taggit adds when the address is taken.
            if len(slug) > TAG_SLUG_MAX_LENGTH - 4:
                raise ValidationError(f"Tag “{name[:40]}” makes too long an address; shorten it.")
        return tags

    def clean_published_at(self):
        published_at = self.cleaned_data["published_at"]
        if published_at and not (PUBLISH_YEARS[0] <= published_at.year <= PUBLISH_YEARS[1]):
            raise ValidationError(
                f"Give a publish time between the years {PUBLISH_YEARS[0]} and {PUBLISH_YEARS[1]}."
            )
        return published_at

    def clean(self):
        cleaned = super().clean()
        if self.stays_live:
            self.check_stays_complete(cleaned)
        if "loaded_version" in self.errors:
            return cleaned  # a forged version: nothing to compare with
        self.check_concurrent_edit(cleaned.get("loaded_version"))
        if cleaned.get("source_url") and "source" not in self.errors:
            self.match_source_to_url(cleaned)
        if cleaned.get("canonical_is_source") and not cleaned.get("source_url"):
            self.add_error(
                "canonical_is_source", "Give the original article URL to make it canonical."
            )
        return cleaned

    def check_stays_complete(self, cleaned: dict) -> None:
        """Refuse a save that would take from a live article what publishing requires. What
        an older article already lacks is left alone: the editor is not blocked from fixing a
        typo. The bylines are the byline formset's to check."""
        lacking = {field for field, _what in publication_gaps(self.instance, check_bylines=False)}
        # The article as this save will leave it, as the form's saving builds it, on a copy:
        # the instance itself is the form's to fill after clean() (a model instance's copy
        # has its own relation cache).
        edited = construct_instance(
            self, copy.copy(self.instance), self._meta.fields, self._meta.exclude
        )
        for field, what in publication_gaps(edited, check_bylines=False):
            # A field the form already refused keeps its own message.
            if field in self.fields and field not in self.errors and field not in lacking:
                self.add_error(field, f"A published article needs {what}.")

    def match_source_to_url(self, cleaned: dict) -> None:
        """A known source owns the URL's domain: it is the source when none is chosen, and
        another chosen source is a mistake. A URL at an unknown domain needs a chosen source."""
        owner = Source.objects.for_url(cleaned["source_url"])
        chosen = cleaned.get("source")
        if chosen is None and owner is not None:
            cleaned["source"] = owner
        elif chosen is None:
            self.add_error("source", "Choose the source of the original article, or clear its URL.")
        elif owner is not None and owner != chosen:
            self.add_error(
                "source_url",
                ValidationError(
                    "This address is at %(domain)s, which belongs to the source %(owner)s, not "
                    "%(chosen)s. Choose %(owner)s as the source, or correct the URL.",
                    code="source_mismatch",
                    params={
                        "domain": readable(owner.normalized_domain),
                        "owner": owner,
                        "chosen": chosen,
                    },
                ),
            )

    def check_concurrent_edit(self, loaded_version: int | None) -> None:
        """Refuse to overwrite a save made after this form was loaded, showing what changed.

        The typed text stays in the form; the form now carries the newer version, so saving
        again is a deliberate choice to replace the other person's changes.
        """
        if self.instance.pk is None:
            return
        if loaded_version is None:
            loaded_version = -1  # a form that does not say what it was loaded from is stale
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current is None or current == loaded_version:
            return
        revisions = {
            revision.number: revision
            for revision in ArticleRevision.objects.filter(
                article_id=self.instance.pk, number__in=[loaded_version, current]
            ).select_related("created_by")
        }
        latest = revisions.get(current)
        before = revisions[loaded_version].content if loaded_version in revisions else {}
        self.conflict = {
            "by": latest.created_by if latest else None,
            "at": latest.created_at if latest else None,
            "changes": compare(before, latest.content) if latest else [],
        }
        self.data = self.data.copy()
        self.data[self.add_prefix("loaded_version")] = current
        who = str(latest.created_by) if latest and latest.created_by else "Someone"
        raise forms.ValidationError(
            "%(who)s saved this article after you opened it. Nothing of yours was saved and "
            "your text is still below. Their changes are listed above the form; save again to "
            "replace them with your version.",
            code="concurrent_edit",
            params={"who": who},
        )


class SourceAdminForm(forms.ModelForm):
    """One source per domain: a homepage at another source's domain is refused, naming it."""

    class Meta:
        model = Source
        fields = ["name", "slug", "homepage", "description"]

    def clean_homepage(self) -> str:
        homepage = self.cleaned_data["homepage"]
        domain = normalize_domain(homepage)
        if not domain:
            raise ValidationError(
                "Give the address of the outlet's site, e.g. https://www.kyivpost.com/.",
                code="no_domain",
            )
        existing = self.source_with_domain(domain)
        if existing is not None:
            raise ValidationError(
                format_html(
                    '{} already uses {}: <a href="{}">open {}</a>',
                    existing.name,
                    readable(domain),
                    reverse("admin:articles_source_change", args=[existing.pk]),
                    existing.name,
                ),
                code="duplicate_domain",
            )
        return homepage

    def source_with_domain(self, domain: str) -> Source | None:
        return Source.objects.filter(normalized_domain=domain).exclude(pk=self.instance.pk).first()


def readable(domain: str) -> str:
    """A normalised domain as people write it: “пример.укр”, not its punycode."""
    try:
        return domain.encode("ascii").decode("idna")
    except UnicodeError:  # a stored “xn--” label that is not valid punycode
        return domain
