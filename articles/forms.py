from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from taggit.forms import TagWidget
from taggit.models import Tag

from newsroom.validators import no_control_characters

from .models import Article, ArticleRevision, ArticleSlugRedirect
from .workflow import compare, publication_gaps

TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length
TAG_SLUG_MAX_LENGTH = Tag._meta.get_field("slug").max_length
# Publish times a news archive can hold; far outside, converting to UTC in some time zones
# overflows Python's datetime.
PUBLISH_YEARS = (1900, 2999)


class RichTextWidget(forms.Widget):
    """The Trix WYSIWYG editor (served from static/vendor) bound to a hidden input.

    Without JavaScript the hidden input stays empty-looking, so the template also renders a
    <noscript> textarea-free notice; the server sanitizes whatever arrives either way.
    """

    template_name = "articles/widgets/rich_text.html"

    class Media:
        css = {"all": ["vendor/trix/trix.css", "newsroom/admin/editor.css"]}
        js = ["newsroom/admin/editor-config.js", "vendor/trix/trix.umd.min.js"]


class TagSuggestWidget(TagWidget):
    """Comma-separated tags, with suggestions of existing tags as the editor types."""

    suggestions_url = reverse_lazy("admin:articles_article_tag_suggestions")

    def get_context(self, name, value, attrs):
        attrs = {**(attrs or {}), "data-tag-suggestions": str(self.suggestions_url)}
        attrs.setdefault("autocomplete", "off")
        return super().get_context(name, value, attrs)

    class Media:
        js = ["newsroom/admin/tag-suggestions.js"]


class ArticleAdminForm(forms.ModelForm):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if not self.is_bound:
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
            "body": RichTextWidget,
            "tags": TagSuggestWidget(attrs={"size": 60}),
            "dek": forms.Textarea(attrs={"rows": 3}),
        }

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
        if "loaded_version" in self.errors:
            return cleaned  # a forged version: nothing to compare with
        self.check_concurrent_edit(cleaned.get("loaded_version"))
        if cleaned.get("source_url") and not cleaned.get("source"):
            self.add_error("source", "Choose the source of the original article, or clear its URL.")
        if cleaned.get("canonical_is_source") and not cleaned.get("source_url"):
            self.add_error(
                "canonical_is_source", "Give the original article URL to make it canonical."
            )
        return cleaned

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


class LiveArticleForm(ArticleAdminForm):
    """Refuses a save that would take from a live article what publishing requires. What an
    older article already lacks is left alone: the editor is not blocked from fixing a typo."""

    stays_live = False  # set per request by ArticleAdmin.get_form

    def _post_clean(self):
        if not self.stays_live:
            return super()._post_clean()
        lacking = {field for field, _what in self._gaps()}
        super()._post_clean()  # the instance now holds the submitted values
        for field, what in self._gaps():
            # A field the form already refused keeps its own message.
            if field in self.fields and field not in self.errors and field not in lacking:
                self.add_error(field, f"A published article needs {what}.")

    def _gaps(self) -> list[tuple[str, str]]:
        # The bylines are the byline formset's to check.
        return publication_gaps(self.instance, check_bylines=False)
