from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article
from articles.views import render_article

from .checks import warn_if_proxy_ignored
from .forms import CommentForm, signed_form_token
from .models import Comment, normalise_ip
from .moderation.actions import CommentRefused, submit_comment
from .moderation.rules import Refusal
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
SEND_AGAIN_MESSAGE = (
    "Your comment has not been sent yet: this page needed a fresh security token. "
    "Check your comment below and press Post Comment again."
)

# What a refused reader sees: the HTTP status, the field the message goes next to (None: the
# whole form) and the message.
REFUSAL_RESPONSES: dict[Refusal, tuple[int, str | None, str]] = {
    Refusal.DUPLICATE: (409, "body", DUPLICATE_MESSAGE),
    Refusal.FLOOD: (429, None, FLOOD_MESSAGE),
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


def refuse(request: HttpRequest, article: Article, form: CommentForm, status: int) -> HttpResponse:
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
    article = get_object_or_404(Article.objects.published().for_detail(), slug=slug)
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
            user=request.user,
            form_token_digest=form.form_token_digest,
        )
    except CommentRefused as refused:
        status, field, message = REFUSAL_RESPONSES[refused.refusal]
        form.add_error(field, message)
        return refuse(request, article, form, status=status)
    if comment.status == Comment.Status.APPROVED:
        messages.success(request, PUBLISHED_MESSAGE)
        anchor = f"comment-{comment.pk}"
    elif comment.status == Comment.Status.PENDING:
        remember_own_comment(request, comment)
        messages.info(request, AWAITING_MESSAGE)
        anchor = f"comment-{comment.pk}"
    else:
        # Spam is not told it was caught: it hears what a held comment hears.
        messages.info(request, AWAITING_MESSAGE)
        anchor = "comments"

    query = ""
    if comment.parent_id is not None and anchor != "comments":
        # A reply may be beyond the replies the article page shows: the last page of its
        # thread's own page is sure to show it.
        query = f"?{THREAD_PARAM}={comment.thread_id}&{REPLY_PAGE_PARAM}=last"
    response = redirect(f"{article.get_absolute_url()}{query}#{anchor}")
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
