from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.models import Article
from articles.views import render_article
from newsroom.fragments import kept_instance

from . import notifications
from .checks import warn_if_proxy_ignored
from .forms import CommentForm, ReportForm, signed_form_token
from .models import Comment, normalise_ip
from .moderation.actions import (
    CommentRefused,
    ReportRefusal,
    ReportRefused,
    reader_keys,
    report_comment,
    submit_comment,
)
from .moderation.rules import Refusal
from .notifications import Confirmation
from .threads import (
    REPLY_PAGE_PARAM,
    THREAD_PARAM,
    forget_commenter,
    remember_commenter,
    remember_own_comment,
)

DUPLICATE_MESSAGE = "Duplicate comment detected; it looks as though you've already said that!"
FLOOD_MESSAGE = "You are posting comments too quickly. Slow down."
CLOSED_MESSAGE = "Comments are closed."
AWAITING_MESSAGE = "Your comment is awaiting moderation."
PUBLISHED_MESSAGE = "Your comment has been published."
NOTIFY_MESSAGE = (
    "If you have not confirmed your email address for notifications yet, we have sent you a "
    "link to confirm it; nothing else is emailed to you before you do."
)
SEND_AGAIN_MESSAGE = (
    "Your comment has not been sent yet: this page needed a fresh security token. "
    "Check your comment below and press Post Comment again."
)

# What a refused reader sees: the HTTP status, the field the message goes next to (None: the
# whole form) and the message.
REFUSAL_RESPONSES: dict[Refusal, tuple[int, str | None, str]] = {
    Refusal.DUPLICATE: (409, "body", DUPLICATE_MESSAGE),
    Refusal.FLOOD: (429, None, FLOOD_MESSAGE),
    Refusal.CLOSED: (403, None, CLOSED_MESSAGE),
}


def client_ip(request: HttpRequest) -> str | None:
    """The reader's address; behind N trusted proxies, the Nth address from the right.

    None when that is not an IP address (a forged header, a Unix socket): the comment is still
    taken, and flood control falls back to the email address.
    """
    warn_if_proxy_ignored(request)
    proxies = settings.NEWSROOM_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return normalise_ip(forwarded[-proxies])
    return normalise_ip(request.META.get("REMOTE_ADDR") or "")


# What posting reads of an article that is not kept. An accepted post needs no more: the
# article page, shown again only with a refused form, loads the rest then.
POSTING_FIELDS = ("id", "slug", "status", "published_at", "comments_enabled")


def posting_article(request: HttpRequest, slug: str) -> Article:
    """The published article a comment is posted to: usually the copy its page was served
    from, kept (no query); whether it still takes comments is read again with the
    commenter's history (``submit_comment``), in the transaction that stores the comment."""
    article = kept_instance(request, Article, slug)
    if article is None:
        return get_object_or_404(Article.objects.published().only(*POSTING_FIELDS), slug=slug)
    if not article.is_published:
        raise Http404("No article found matching the query")
    return article


def refuse(request: HttpRequest, article: Article, form: CommentForm, status: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.published().for_detail(), pk=article.pk)
    return render_article(request, article, comment_form=form, status=status)


# Why Django refuses a post that came from another site's page (the Origin header, or over
# HTTPS without one, the Referer): those get Django's 403, not the form to send again.
FOREIGN_PAGE_REASONS = ("Origin checking failed", "Referer checking failed")


class _CsrfCheck(CsrfViewMiddleware):
    """Django's own CSRF check (Origin, Referer over HTTPS, cookie and token), telling why
    it refuses instead of answering."""

    def _reject(self, request: HttpRequest, reason: str) -> str:
        return reason

    def refusal(self, request: HttpRequest) -> str | None:
        return self.process_view(request, _checked_view, (), {})


def _checked_view(request: HttpRequest) -> None:
    """Stands for the view in the check: the view itself is exempt, so would be waved on."""


@require_GET
@never_cache
def form_tokens(request: HttpRequest, slug: str) -> JsonResponse:
    """The comment form's CSRF token and signed form token, fetched by the page's script
    when the reader starts writing. The article page itself carries neither, so it is the
    same for every reader and a cache can serve it."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    return JsonResponse(
        {"csrfmiddlewaretoken": get_token(request), "timestamp": signed_form_token(article)}
    )


def send_again(request: HttpRequest, article: Article) -> HttpResponse:
    """A post without a valid CSRF token from this site's own page (a reader without
    JavaScript, whose page carried none): the form again, with what they typed and both
    tokens, to send once more. Nothing is stored.

    The new form token counts as shown NEWSROOM_COMMENT_MIN_SECONDS ago: the reader wrote
    the comment before sending it the first time, and pressing the button again at once
    must not make it look too fast to be human.
    """
    data = request.POST.copy()
    issued_at = timezone.now().timestamp() - settings.NEWSROOM_COMMENT_MIN_SECONDS
    data["timestamp"] = signed_form_token(article, issued_at=issued_at)
    form = CommentForm(data, article=article)
    form.is_valid()  # shows what else needs correcting before it is sent again
    form.add_error(None, SEND_AGAIN_MESSAGE)
    return refuse(request, article, form, status=403)


# Exempt from the middleware only to answer a missing token with the form instead of a bare
# 403 page: the same check runs first thing in the view.
@csrf_exempt
@require_POST
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    article = posting_article(request, slug)
    refusal = _CsrfCheck(lambda request: HttpResponse()).refusal(request)
    if refusal is not None:
        if refusal.startswith(FOREIGN_PAGE_REASONS):
            # Sent from another site's page: refused as Django refuses it everywhere else.
            return CsrfViewMiddleware(lambda request: HttpResponse())._reject(request, refusal)
        return send_again(request, article)
    form = CommentForm(request.POST, article=article)
    if not article.comments_open:
        form.is_valid()
        form.add_error(None, CLOSED_MESSAGE)
        return refuse(request, article, form, status=403)
    if not form.is_valid():
        return refuse(request, article, form, status=400)

    data = form.cleaned_data
    try:
        comment = submit_comment(
            submission=form.submission(ip_address=client_ip(request), received_at=timezone.now()),
            parent=data["parent"],
            user_agent=request.headers.get("User-Agent", ""),
            # Resolved here, not inside the post's pipeline: a signed-in commenter's session
            # and user are read before its transaction.
            user=request.user if request.user.is_authenticated else None,
            form_token_digest=form.form_token_digest,
            notify_on_approval=data["notify_approval"],
            notify_on_reply=data["notify_replies"],
        )
    except CommentRefused as refused:
        status, field, message = REFUSAL_RESPONSES[refused.refusal]
        form.add_error(field, message)
        return refuse(request, article, form, status=status)
    if comment.status == Comment.Status.APPROVED:
        messages.success(request, PUBLISHED_MESSAGE)
        anchor = f"comment-{comment.pk}"
    elif comment.status == Comment.Status.PENDING:
        messages.info(request, AWAITING_MESSAGE)
        anchor = f"comment-{comment.pk}"
    else:
        # Spam is not told it was caught: it hears what a held comment hears.
        messages.info(request, AWAITING_MESSAGE)
        anchor = "comments"

    if data["notify_approval"] or data["notify_replies"]:
        # The same words whatever the address's state, so the form tells no one whether an
        # address has confirmed.
        messages.info(request, NOTIFY_MESSAGE)

    query = ""
    if comment.parent_id is not None and anchor != "comments":
        # A reply may be beyond the replies the article page shows: the last page of its
        # thread's own page is sure to show it.
        query = f"?{THREAD_PARAM}={comment.thread_id}&{REPLY_PAGE_PARAM}=last"
    response = redirect(f"{article.get_absolute_url()}{query}#{anchor}")
    if comment.status == Comment.Status.PENDING:
        remember_own_comment(request, response, comment)
    if data["remember"]:
        remember_commenter(
            response,
            name=data["name"],
            email=data["email"],
            website=data["website"],
            secure=request.is_secure(),
        )
    else:
        forget_commenter(response)
    return response


# Commenters' notifications: the links in their mails. Never cached: each answer depends on
# the token and on what is stored now.

CONFIRM_STATUS = {
    Confirmation.READY: 200,
    Confirmation.CONFIRMED: 200,
    Confirmation.ALREADY: 200,
    Confirmation.EXPIRED: 410,
    Confirmation.INVALID: 400,
}


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_notifications(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: mail scanners that open every link in a mail must
    not confirm an address on its owner's behalf."""
    if request.method == "POST":
        state = notifications.confirm_address(token)
    else:
        state = notifications.check_confirmation(token)
    return render(
        request,
        "comments/notifications_confirm.html",
        {"state": state.value, "confirm_hours": settings.NEWSROOM_COMMENT_NOTIFY_CONFIRM_HOURS},
        status=CONFIRM_STATUS[state],
    )


@never_cache
@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no cookie
@require_http_methods(["GET", "POST"])
def unsubscribe_notifications(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation (a link opened by a mail scanner unsubscribes no one); POST
    unsubscribes at once, from the page's button or the mail client's one-click request."""
    address_id = notifications.read_unsubscribe_token(token)
    if address_id is None:
        state, status = "invalid", 400
    elif request.method == "POST":
        notifications.unsubscribe(address_id=address_id)
        state, status = "done", 200
    else:
        state, status = "ask", 200
    return render(
        request, "comments/notifications_unsubscribe.html", {"state": state}, status=status
    )


ALREADY_REPORTED_MESSAGE = "You have already reported this comment. Thank you."
TOO_MANY_REPORTS_MESSAGE = (
    "You have sent too many reports in the last hour. Please try again later."
)

REPORT_REFUSAL_RESPONSES: dict[ReportRefusal, tuple[int, str]] = {
    ReportRefusal.DUPLICATE: (409, ALREADY_REPORTED_MESSAGE),
    ReportRefusal.RATE_LIMITED: (429, TOO_MANY_REPORTS_MESSAGE),
}


def render_report_form(
    request: HttpRequest, comment: Comment, form: ReportForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request, "comments/report.html", {"comment": comment, "form": form}, status=status
    )


# A page of its own, not a form on the article: the article page can then be cached and set
# no cookie for anonymous readers, while this page carries its own CSRF token. A plain link
# and a plain form, so it works without JavaScript.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a published comment; only published comments can be reported (404 otherwise)."""
    comment = get_object_or_404(Comment.objects.visible().select_related("article"), pk=pk)
    if request.method != "POST":
        return render_report_form(request, comment, ReportForm())
    form = ReportForm(request.POST)
    if not form.is_valid():
        return render_report_form(request, comment, form, status=400)
    try:
        report_comment(
            comment_id=comment.pk,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            keys=reader_keys(
                ip_address=client_ip(request), user_agent=request.headers.get("User-Agent", "")
            ),
            now=timezone.now(),
        )
    except ReportRefused as refused:
        if refused.refusal is ReportRefusal.NOT_REPORTABLE:
            raise Http404("This comment cannot be reported.") from None
        status, message = REPORT_REFUSAL_RESPONSES[refused.refusal]
        form.add_error(None, message)
        return render_report_form(request, comment, form, status=status)
    return redirect("comments:report_sent", pk=comment.pk)


@never_cache
def report_sent(request: HttpRequest, pk: int) -> HttpResponse:
    """The thanks after a report; the comment may be held by now, so any status will do."""
    comment = get_object_or_404(
        Comment.objects.filter(article__in=Article.objects.published()).select_related("article"),
        pk=pk,
    )
    back = (
        comment.get_absolute_url()
        if comment.status == Comment.Status.APPROVED
        else f"{comment.article.get_absolute_url()}#comments"
    )
    return render(request, "comments/report_sent.html", {"comment": comment, "back": back})
