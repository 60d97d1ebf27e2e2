"""Reading comments for the article page: threads, paging and the reader's own held ones."""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse

from articles.models import Article

from .forms import CommentForm
from .models import Comment

OWN_COMMENTS_SESSION_KEY = "own_comment_ids"
REMEMBER_COOKIE = "newsroom_commenter"
REMEMBER_SALT = "comments.remember"
REMEMBER_MAX_AGE = 365 * 24 * 60 * 60
REMEMBERED_FIELDS = ("name", "email", "website")


@dataclass
class Node:
    comment: Comment
    children: list["Node"] = field(default_factory=list)


def own_comment_ids(request: HttpRequest) -> list[int]:
    """Ids of comments posted from this browser (kept in its session), for held-comment display."""
    session = getattr(request, "session", None)
    if session is None or not session.session_key and not session.modified:
        return []
    return list(session.get(OWN_COMMENTS_SESSION_KEY, []))


def remember_own_comment(request: HttpRequest, comment: Comment) -> None:
    ids = request.session.get(OWN_COMMENTS_SESSION_KEY, [])
    request.session[OWN_COMMENTS_SESSION_KEY] = [*ids[-49:], comment.pk]


def remember_commenter(
    response: HttpResponse, *, name: str, email: str, website: str, secure: bool
) -> None:
    """Keep name, email and website in a cookie for the reader's next comment.

    The value is signed JSON in URL-safe base64: a raw name such as "Олена" would put
    characters outside Latin-1 into the Set-Cookie header, which gunicorn refuses (a 500
    after the comment is saved).
    """
    value = signing.dumps(
        {"name": name, "email": email, "website": website}, salt=REMEMBER_SALT, compress=True
    )
    response.set_cookie(
        REMEMBER_COOKIE,
        value,
        max_age=REMEMBER_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def forget_commenter(response: HttpResponse) -> None:
    response.delete_cookie(REMEMBER_COOKIE, samesite="Lax")


def remembered_commenter(request: HttpRequest) -> dict:
    """Name, email and website saved by the "Save my name…" box, if the reader ticked it.

    A cookie that is tampered with, expired or in an older format is ignored: the form is
    simply empty.
    """
    value = request.COOKIES.get(REMEMBER_COOKIE)
    if not value:
        return {}
    try:
        data = signing.loads(value, salt=REMEMBER_SALT, max_age=REMEMBER_MAX_AGE)
    except (signing.BadSignature, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    remembered = {key: data.get(key, "") for key in REMEMBERED_FIELDS}
    if not all(isinstance(value, str) for value in remembered.values()):
        return {}
    return {**remembered, "remember": True}


def thread_page(request: HttpRequest, article: Article) -> tuple[Page, list[Node]]:
    """A page of top-level comments with all their visible replies, in a fixed few queries."""
    comments = Comment.objects.filter(article=article).visible_or_own(own_comment_ids(request))
    top_level = comments.filter(parent__isnull=True).order_by("submitted_at", "id")
    page = Paginator(top_level, settings.NEWSROOM_COMMENTS_PER_PAGE).get_page(
        request.GET.get("cpage")
    )
    roots = [Node(comment) for comment in page.object_list]
    nodes = {node.comment.pk: node for node in roots}
    replies = comments.filter(thread_id__in=list(nodes), parent__isnull=False).order_by(
        "depth", "submitted_at", "id"
    )
    for reply in replies:
        parent = nodes.get(reply.parent_id)
        if parent is None:  # its parent is hidden (removed, spam): so is the reply
            continue
        node = Node(reply)
        parent.children.append(node)
        nodes[reply.pk] = node
    return page, roots


def comments_context(request: HttpRequest, article: Article, form: CommentForm | None) -> dict:
    page, threads = thread_page(request, article)
    reply_to = None
    if form is None:
        initial = remembered_commenter(request)
        reply_id = request.GET.get("replytocom", "")
        if re.fullmatch(r"[0-9]{1,18}", reply_id):
            reply_to = Comment.objects.visible().filter(article=article, pk=int(reply_id)).first()
            if reply_to is not None:
                initial["parent"] = reply_to.pk
        form = CommentForm(initial=initial, article=article)
    else:
        parent = form.cleaned_data.get("parent") if hasattr(form, "cleaned_data") else None
        if isinstance(parent, Comment):
            reply_to = parent
    return {
        "comment_count": Comment.objects.visible().filter(article=article).count(),
        "comment_page": page,
        "comment_threads": threads,
        "comment_form": form,
        "reply_to": reply_to,
        "comments_open": article.comments_open,
        "max_comment_depth": settings.NEWSROOM_COMMENT_MAX_DEPTH,
    }
