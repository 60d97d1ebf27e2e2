from django import forms
from django.urls import reverse_lazy
from taggit.forms import TagWidget

from .models import Article


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
    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "dek",
            "body",
            "image",
            "image_alt",
            "image_caption",
            "image_credit",
            "section",
            "tags",
            "source",
            "source_url",
            "status",
            "published_at",
            "comments_enabled",
        ]
        widgets = {
            "body": RichTextWidget,
            "tags": TagSuggestWidget(attrs={"size": 60}),
            "dek": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source_url") and not cleaned.get("source"):
            self.add_error("source", "Choose the source of the original article, or clear its URL.")
        if cleaned.get("image") and not cleaned.get("image_alt"):
            self.add_error("image_alt", "Describe the image for readers who cannot see it.")
        return cleaned
