from collections import Counter
from collections.abc import Callable
from typing import NamedTuple

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.timezone import localtime

from accounts import roles
from articles.models import Article
from newsroom.admin_guards import is_id

from . import personal_data
from .forms import PersonalDataForm
from .models import BlockedCommenter, Comment, CommentReport, ModerationLogEntry
from .moderation import actions

# The queue shows this much of a comment (the stylesheet clamps it to a few lines).
QUEUE_TEXT_CHARS = 600

# Columns of the joined article and parent the queue never shows.
QUEUE_DEFERRED = [
    "article__body",
    "article__dek",
    "article__search_vector",
    "article__source_url",
    "parent__original_body",
    "parent__user_agent",
    "parent__hold_reasons",
]

# Counts stop here: "1000+" costs the same with a thousand comments or a million.
COUNT_CAP = 1000


def capped_count(queryset) -> str:
    count = queryset[: COUNT_CAP + 1].count()
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


class CappedPaginator(Paginator):
    """Never counts more than a bounded number of rows (no full COUNT(*) of a huge table)."""

    limit = 10_000

    @cached_property
    def count(self) -> int:
        # The ids alone, not the list's annotations (the queue's history counts per row).
        return self.object_list.values("pk")[: self.limit].count()


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        # The ids alone: counted with the queue's annotations, each of the thousand rows
        # also ran the commenter's three history counts.
        base = model_admin.get_queryset(request).values("pk")
        return [
            (value, f"{label} ({capped_count(base.filter(status=value))})")
            for value, label in Comment.Status.choices
        ] + [("all", "All")]

    def choices(self, changelist):
        # No "All" entry of our own making beyond the lookups: the queue is the default view.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value in Comment.Status.values:
            return queryset.filter(status=value)
        return queryset


# Articles offered by the queue's article filter: those with the most held comments among
# the oldest ARTICLE_FILTER_SCAN held ones.
ARTICLE_FILTER_CHOICES = 20
ARTICLE_FILTER_SCAN = 1000


class ArticleFilter(admin.SimpleListFilter):
    """Comments on one article. Lists only the articles with the most held comments at the
    front of the queue (titles alone): Django's own related filter listed every article with
    its body, 6 s and megabytes of HTML at 100k articles. Any article can still be chosen by
    its id in the address (the parameter is the one Django's filter used), and is then listed
    too."""

    title = "article"
    parameter_name = "article__id__exact"  # what Django's related filter used

    def lookups(self, request, model_admin):
        pending = Comment.objects.filter(status=Comment.Status.PENDING).order_by()
        # The articles of the queue's front (its oldest held comments, what moderators work
        # on), grouped by article id alone: a bounded cost however long the queue. Only the
        # chosen articles are then read, and their held comments counted through the
        # (article, status) index.
        front = pending.order_by("submitted_at", "id").values("pk")[:ARTICLE_FILTER_SCAN]
        busiest = (
            Comment.objects.filter(pk__in=front)
            .values("article_id")
            .annotate(held=Count("pk"))
            .order_by("-held", "article_id")
            .values("article_id")[:ARTICLE_FILTER_CHOICES]
        )
        held = (
            Article.objects.filter(pk__in=busiest)
            .annotate(
                held=Subquery(
                    pending.filter(article=OuterRef("pk"))
                    .values("article_id")
                    .annotate(total=Count("pk"))
                    .values("total")
                )
            )
            .only("id", "title")
            .order_by("-held", "title", "id")
        )
        choices = [(str(article.pk), f"{article.title} ({article.held} held)") for article in held]
        chosen = self.value()
        if chosen and chosen not in {value for value, _ in choices}:
            article = Article.objects.only("id", "title").filter(pk=chosen).first()
            if article is not None:
                choices.append((chosen, article.title))
        return choices

    def value(self):
        value = super().value()
        if value is not None and not is_id(value):
            raise IncorrectLookupParameters(f"Not an article id: {value!r}")
        return value

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(article_id=self.value())
        return queryset


def history_subquery(status: str) -> Subquery:
    return Subquery(
        Comment.objects.filter(email=OuterRef("email"), status=status)
        # Erased comments share an empty address; they are nobody's record.
        .exclude(email="")
        .order_by()
        .values("email")
        .annotate(total=Count("pk"))
        .values("total")[:1]
    )


class ModerationButton(NamedTuple):
    """A button on one comment's page, doing what the queue's action of the same name does."""

    value: str
    label: str
    action: Callable
    leads_to: str  # the status it moves the comment to: not offered when already there
    done: str  # for the message: "1 comment approved."


MODERATION_BUTTONS = [
    ModerationButton("approve", "Approve", actions.approve, Comment.Status.APPROVED, "approved"),
    ModerationButton(
        "spam", "Mark as spam", actions.mark_spam, Comment.Status.SPAM, "marked as spam"
    ),
    ModerationButton("remove", "Remove", actions.remove, Comment.Status.REMOVED, "removed"),
    ModerationButton(
        "restore",
        "Back to pending",
        actions.restore,
        Comment.Status.PENDING,
        "restored to pending",
    ),
]
BUTTONS_BY_VALUE = {button.value: button for button in MODERATION_BUTTONS}
# "block" has no status of its own: it blocklists the commenter and marks their pending
# comments as spam, like the queue's block action.
BLOCK = "block"


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    # What a moderator decides on comes first: the comment, why it was held, what readers
    # reported, who wrote it (with their record); the context after. Seven columns, each cell
    # a few lines at most (static/newsroom/admin/comment-queue.css), so the queue fits a
    # 1280 px laptop screen beside both sidebars.
    list_display = [
        "excerpt_display",
        "reasons",
        "reader_reports",
        "commenter",
        "article_link",
        "age",
        "status",
    ]
    list_filter = [StatusFilter, ("submitted_at", admin.DateFieldListFilter), ArticleFilter]
    search_fields = ["name", "email", "body", "ip_address"]
    list_select_related = ["article", "parent"]
    show_full_result_count = False
    paginator = CappedPaginator
    list_per_page = 50
    actions = ["approve", "mark_spam", "remove", "restore", "block_commenter"]
    fields = [
        "article_link",
        "parent_excerpt",
        "name",
        "email",
        "website",
        "body",
        "original_body",
        "status",
        "reasons",
        "reader_reports_detail",
        "submitted_at",
        "ip_address",
        "user_agent",
        "moderation_history",
    ]
    # Only the text is editable (the original is kept); the rest is the record.
    readonly_fields = [name for name in fields if name != "body"]

    def has_add_permission(self, request):
        return False  # comments come from readers

    def has_moderate_permission(self, request) -> bool:
        """Approve, spam, remove, restore and block: the Moderators' and Editors' right."""
        return roles.is_moderator(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # "remove" keeps the record and the log

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_moderate" in request.POST:
            # Refuse a forged button before the form is saved.
            if request.POST["_moderate"] not in {*BUTTONS_BY_VALUE, BLOCK}:
                raise PermissionDenied("Unknown moderation action.")
            if not self.has_moderate_permission(request):
                raise PermissionDenied("You may not moderate comments.")
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        may_moderate = obj is not None and self.has_moderate_permission(request)
        context["may_moderate"] = may_moderate
        context["moderation_buttons"] = [
            button
            for button in MODERATION_BUTTONS
            if may_moderate and obj.status != button.leads_to
        ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        """After a moderation button: act on this comment, then back to the queue."""
        choice = request.POST.get("_moderate")
        if not choice:
            return super().response_change(request, obj)
        this_comment = Comment.objects.filter(pk=obj.pk)
        if choice == BLOCK:
            self.block_commenter(request, this_comment)
        else:
            button = BUTTONS_BY_VALUE[choice]
            self._act(request, this_comment, button.action, button.done)
        changelist = reverse("admin:comments_comment_changelist")
        return redirect(
            add_preserved_filters(
                {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts},
                changelist,
            )
        )

    def changelist_view(self, request, extra_context=None):
        # The changelist opens on the pending queue.
        if "status" not in request.GET and "_changelist_filters" not in request.GET:
            query = request.GET.copy()
            query["status"] = Comment.Status.PENDING
            return redirect(f"{request.path}?{query.urlencode()}")
        extra_context = {
            **(extra_context or {}),
            "may_manage_personal_data": self.has_moderate_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "personal-data/",
                self.admin_site.admin_view(self.personal_data_view),
                name="comments_comment_personal_data",
            ),
            *super().get_urls(),
        ]

    def personal_data_view(self, request: HttpRequest) -> HttpResponse:
        """Export or erase everything stored about a commenter's email address.

        Everything is a POST, so the address never lands in a URL (and the access logs).
        "Erase" first shows what will go; only the confirmation erases.
        """
        if not self.has_moderate_permission(request):
            raise PermissionDenied("You may not manage commenters' personal data.")
        form = PersonalDataForm(request.POST if request.method == "POST" else None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Commenter's personal data",
            "form": form,
        }
        if not form.is_valid():
            return TemplateResponse(request, "admin/comments/comment/personal_data.html", context)
        email = form.cleaned_data["email"]
        if "_export" in request.POST:
            return self._export_response(email)
        if "_erase_confirmed" in request.POST:
            erasure = personal_data.erase_commenter_data(
                email=email, remove_text=form.remove_text, actor=request.user
            )
            message = f"Personal data of {erasure.comments} comment(s) erased"
            if form.remove_text:
                message += f"; text removed from {erasure.texts_removed}"
            if erasure.blocklist_entries_kept:
                message += (
                    f". {erasure.blocklist_entries_kept} blocklist entr"
                    f"{'ies' if erasure.blocklist_entries_kept != 1 else 'y'} naming them kept"
                )
            self.message_user(request, message + ".", messages.SUCCESS)
            return redirect("admin:comments_comment_personal_data")
        # "_erase": the confirmation step, with what would be erased.
        comments = personal_data.comments_of(email)
        context["confirm_erase"] = True
        context["comment_count"] = comments.count()
        context["published_count"] = comments.filter(status=Comment.Status.APPROVED).count()
        return TemplateResponse(request, "admin/comments/comment/personal_data.html", context)

    @staticmethod
    def _export_response(email: str) -> JsonResponse:
        data = personal_data.export_commenter_data(email=email)
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        # A file named for the date, not the address: the address need not sit in Downloads.
        filename = f"commenter-data-{timezone.now():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # The queue joins each comment's article and parent (list_select_related): the
            # article's title and slug are all it shows, never its body or search vector.
            .defer(*QUEUE_DEFERRED)
            .annotate(
                approved_count=history_subquery(Comment.Status.APPROVED),
                spam_count=history_subquery(Comment.Status.SPAM),
                removed_count=history_subquery(Comment.Status.REMOVED),
            )
            # One query for a whole page of comments. Few per comment: a comment stops taking
            # reports once NEWSROOM_COMMENT_REPORTS_TO_HOLD of them send it to the queue.
            .prefetch_related(
                Prefetch("reports", CommentReport.objects.active(), to_attr="active_reports")
            )
        )

    def get_ordering(self, request):
        if request.GET.get("status") == Comment.Status.PENDING:
            return ["submitted_at", "id"]  # oldest first: the queue is worked in order
        return ["-submitted_at", "-id"]

    def save_model(self, request, obj, form, change):
        if change and "body" in form.changed_data:
            new_body = obj.body
            obj.body = form.initial["body"]
            actions.edit_body(obj, body=new_body, actor=request.user)
        # Nothing else is editable here.

    @admin.display(description="Comment")
    def excerpt_display(self, obj):
        # The stylesheet clamps the text to a few lines; the full text is on the comment's page.
        # Cut here too, so a page of 65 KB comments is not sent to be hidden.
        text = " ".join(obj.body[:QUEUE_TEXT_CHARS].split())
        if len(obj.body) > QUEUE_TEXT_CHARS:
            text += "…"
        if not obj.parent_id:
            return format_html('<span class="queue-text" dir="auto">{}</span>', text)
        return format_html(
            '<span class="queue-reply">↳ reply to “{}”</span>'
            '<span class="queue-text" dir="auto">{}</span>',
            obj.parent.excerpt,
            text,
        )

    @admin.display(description="Article", ordering="article__title")
    def article_link(self, obj):
        return format_html(
            '<a class="queue-article" href="{}">{}</a>', obj.get_absolute_url(), obj.article.title
        )

    @admin.display(description="Age", ordering="submitted_at")
    def age(self, obj):
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            obj.submitted_at.isoformat(),
            date_format(localtime(obj.submitted_at), "DATETIME_FORMAT"),
            timesince(obj.submitted_at, depth=1),
        )

    @admin.display(description="In reply to")
    def parent_excerpt(self, obj):
        return obj.parent.excerpt if obj.parent_id else "—"

    @admin.display(description="Commenter", ordering="name")
    def commenter(self, obj):
        # Name and email are clamped to two lines each; the title shows them whole on hover.
        counts = (obj.approved_count or 0, obj.spam_count or 0, obj.removed_count or 0)
        record = (
            "{} approved · {} spam · {} removed".format(*counts)
            if any(counts)
            else "no other comments"
        )
        return format_html(
            '<span class="queue-name" dir="auto" title="{}">{}</span>'
            '<span class="queue-email" title="{}">{}</span>'
            '<span class="queue-meta">{}</span>'
            '<span class="queue-meta queue-record">{}</span>',
            obj.name,
            obj.name,
            obj.email,
            obj.email,
            obj.ip_address or "no IP",
            record,
        )

    @admin.display(description="Why held")
    def reasons(self, obj):
        if not obj.hold_reasons:
            return "—"
        return format_html(
            '<ul class="queue-reasons">{}</ul>',
            format_html_join("", "<li>{}</li>", ((reason,) for reason in obj.hold_reasons)),
        )

    @admin.display(description="Reports")
    def reader_reports(self, obj):
        """How many readers reported it, and why: "3 reports: spam 2, abuse 1"."""
        reports = obj.active_reports
        if not reports:
            return "—"
        reasons = Counter(report.get_reason_display() for report in reports)
        return format_html(
            '<span class="queue-reports">{} report{}</span><ul class="queue-reasons">{}</ul>',
            len(reports),
            "s" if len(reports) != 1 else "",
            format_html_join(
                "", "<li>{} {}</li>", ((reason, count) for reason, count in reasons.most_common())
            ),
        )

    @admin.display(description="Readers' reports")
    def reader_reports_detail(self, obj):
        """Every report with the reader's note; those answered by an approval marked so."""
        reports = obj.reports.order_by("created_at", "id")
        if not reports:
            return "None."
        return format_html(
            '<ul class="reader-reports">{}</ul>',
            format_html_join(
                "",
                "<li>{} · <strong>{}</strong>{}{}</li>",
                (
                    (
                        date_format(localtime(report.created_at), "DATETIME_FORMAT"),
                        report.get_reason_display(),
                        format_html(': <span dir="auto">{}</span>', report.note)
                        if report.note
                        else "",
                        " (archived: the comment was approved since)" if report.archived_at else "",
                    )
                    for report in reports
                ),
            ),
        )

    @admin.display(description="Moderation log")
    def moderation_history(self, obj):
        entries = obj.log_entries.select_related("actor").order_by("created_at")
        return format_html_join(
            "",
            "<p>{} · {} · {} {}→{} {}</p>",
            (
                (
                    f"{entry.created_at:%Y-%m-%d %H:%M}",
                    entry.actor or "rules",
                    entry.action,
                    entry.from_status or "",
                    entry.to_status,
                    f"({entry.reason})" if entry.reason else "",
                )
                for entry in entries
            ),
        )

    def _act(self, request, queryset, action, done: str):
        # Lock only the comment rows: PostgreSQL refuses FOR UPDATE on the nullable parent join.
        count = action(queryset.select_for_update(of=("self",)), actor=request.user)
        self.message_user(request, f"{count} comment{'s' if count != 1 else ''} {done}.")

    @admin.action(description="Approve selected comments", permissions=["moderate"])
    def approve(self, request, queryset):
        self._act(request, queryset, actions.approve, "approved")

    @admin.action(description="Mark selected comments as spam", permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._act(request, queryset, actions.mark_spam, "marked as spam")

    @admin.action(description="Remove selected comments", permissions=["moderate"])
    def remove(self, request, queryset):
        self._act(request, queryset, actions.remove, "removed")

    @admin.action(description="Restore selected comments to pending", permissions=["moderate"])
    def restore(self, request, queryset):
        self._act(request, queryset, actions.restore, "restored to pending")

    @admin.action(
        description="Block the commenters (email and IP) of selected comments",
        permissions=["moderate"],
    )
    def block_commenter(self, request, queryset):
        added, marked = actions.block_commenters(queryset, actor=request.user)
        self.message_user(
            request,
            f"{added} blocklist entr{'ies' if added != 1 else 'y'} added; "
            f"{marked} pending comment{'s' if marked != 1 else ''} marked as spam.",
            messages.SUCCESS,
        )


@admin.register(BlockedCommenter)
class BlockedCommenterAdmin(admin.ModelAdmin):
    list_display = ["value", "kind", "reason", "created_at", "created_by"]
    list_filter = ["kind"]
    search_fields = ["value", "reason"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ModerationLogEntry)
class ModerationLogAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "actor",
        "action",
        "from_status",
        "to_status",
        "comment_link",
        "reason",
    ]
    list_filter = ["action", "to_status", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["reason", "comment__email", "actor__username"]
    list_select_related = ["actor", "comment"]
    show_full_result_count = False
    paginator = CappedPaginator

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Comment")
    def comment_link(self, obj):
        url = reverse("admin:comments_comment_change", args=[obj.comment_id])
        return format_html('<a href="{}">#{}</a>', url, obj.comment_id)
