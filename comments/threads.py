"""Reading comments for the article page: threads, paging and the reader's own held ones."""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse

from articles.models import Article

from .forms import CommentForm
from .models import Comment

OWN_COMMENTS_COOKIE = "newsroom_own_comments"
OWN_COMMENTS_SALT = "comments.own"
OWN_COMMENTS_KEPT = 50
REMEMBER_COOKIE = "newsroom_commenter"
REMEMBER_SALT = "comments.remember"
REMEMBER_MAX_AGE = 365 * 24 * 60 * 60
REMEMBERED_FIELDS = ("name", "email", "website")


THREAD_PARAM = "thread"
REPLY_PAGE_PARAM = "rpage"


@dataclass
class Node:
    comment: Comment
    children: list["Node"] = field(default_factory=list)
    # On a top-level comment of the article page: its replies not shown there.
    more_replies: int = 0
    # On a thread's own page: the comment replied to, when it is on an earlier page.
    in_reply_to: Comment | None = None


@dataclass
class ThreadView:
    """What the comment list shows: a page of threads, or one thread's page of replies."""

    page: Page
    roots: list[Node]
    thread: Comment | None = None  # set on a thread's own page (?thread=<id>)


def own_comment_ids(request: HttpRequest) -> list[int]:
    """Ids of comments posted from this browser, for held-comment display.

    Kept in a signed cookie, not the session: a post then writes nothing to the database but
    the comment (a session row was a second commit on every post), nothing about the reader
    stays on the server, and the signature stops anyone from claiming another reader's held
    comment by its id.
    """
    value = request.COOKIES.get(OWN_COMMENTS_COOKIE)
    if not value:
        return []
    try:
        ids = signing.loads(value, salt=OWN_COMMENTS_SALT, max_age=settings.SESSION_COOKIE_AGE)
    except (signing.BadSignature, ValueError):
        return []
    if not isinstance(ids, list) or not all(type(pk) is int for pk in ids):
        return []
    return ids[-OWN_COMMENTS_KEPT:]


def remember_own_comment(request: HttpRequest, response: HttpResponse, comment: Comment) -> None:
    """Add ``comment`` to the reader's own comments, kept as long as a session would be."""
    ids = [*own_comment_ids(request)[-(OWN_COMMENTS_KEPT - 1) :], comment.pk]
    response.set_cookie(
        OWN_COMMENTS_COOKIE,
        signing.dumps(ids, salt=OWN_COMMENTS_SALT),
        max_age=settings.SESSION_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


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


def thread_page(request: HttpRequest, article: Article) -> ThreadView:
    """A page of top-level comments, each with its first replies, in a fixed few queries.

    However many replies a thread holds, the article page shows at most
    NEWSROOM_COMMENT_REPLIES_SHOWN of them (the earliest, at any depth), and a link to the
    thread's own page for the rest: one thread of 2,000 replies once made a 1.6 MB page.
    """
    comments = Comment.objects.filter(article=article).visible_or_own(own_comment_ids(request))
    thread_id = request.GET.get(THREAD_PARAM, "")
    if re.fullmatch(r"[0-9]{1,18}", thread_id):
        root = comments.filter(pk=int(thread_id), parent__isnull=True).first()
        if root is not None:
            return single_thread(request, comments, root)

    top_level = comments.filter(parent__isnull=True).order_by("submitted_at", "id")
    page = Paginator(top_level, settings.NEWSROOM_COMMENTS_PER_PAGE).get_page(
        request.GET.get("cpage")
    )
    roots = [Node(comment) for comment in page.object_list]
    nodes = {node.comment.pk: node for node in roots}
    shown = settings.NEWSROOM_COMMENT_REPLIES_SHOWN
    in_thread = {"partition_by": [F("thread_id")]}
    replies = (
        comments.filter(thread_id__in=list(nodes), parent__isnull=False)
        .annotate(
            position=Window(RowNumber(), order_by=[F("submitted_at"), F("id")], **in_thread),
            replies_in_thread=Window(Count("id"), **in_thread),
        )
        .filter(position__lte=shown)
        .order_by("depth", "submitted_at", "id")
    )
    for reply in replies:
        nodes[reply.thread_id].more_replies = max(reply.replies_in_thread - shown, 0)
        parent = nodes.get(reply.parent_id)
        if parent is None:  # its parent is hidden (removed, spam): so is the reply
            continue
        node = Node(reply)
        parent.children.append(node)
        nodes[reply.pk] = node
    return ThreadView(page=page, roots=roots)


def single_thread(request: HttpRequest, comments, root: Comment) -> ThreadView:
    """One thread's own page: its top-level comment and a page of its replies, oldest first.

    A reply whose parent is on an earlier page is shown at the top level of this page,
    saying whom it answers.
    """
    replies = (
        comments.filter(thread_id=root.pk, parent__isnull=False)
        .select_related("parent")
        .order_by("submitted_at", "id")
    )
    paginator = Paginator(replies, settings.NEWSROOM_COMMENT_REPLIES_PER_PAGE)
    number = request.GET.get(REPLY_PAGE_PARAM)
    page = paginator.get_page(paginator.num_pages if number == "last" else number)
    top = Node(root)
    nodes = {root.pk: top}
    for reply in page.object_list:
        node = Node(reply)
        parent = nodes.get(reply.parent_id)
        if parent is None:
            if reply.parent.status != Comment.Status.APPROVED:
                continue  # under a hidden comment: hidden, as on the article page
            node.in_reply_to = reply.parent
            parent = top
        parent.children.append(node)
        nodes[reply.pk] = node
    return ThreadView(page=page, roots=[top], thread=root)


def thread_context(request: HttpRequest, article: Article) -> dict:
    """What the comment list shows: the count, a page of threads (or one thread's page).
    The same for every reader but one with a held comment of their own on it."""
    view = thread_page(request, article)
    return {
        "article": article,
        "comment_count": Comment.objects.visible().filter(article=article).count(),
        "comment_page": view.page,
        "comment_items": flattened(view.roots),
        "comment_thread": view.thread,
        "comments_open": article.comments_open,
        "max_comment_depth": settings.NEWSROOM_COMMENT_MAX_DEPTH,
    }


def flattened(roots: list[Node]) -> list[tuple[Node, bool]]:
    """The threads in reading order as (node, opening) pairs: a comment opens, its replies
    follow, then it closes. One loop in the template renders any depth, where an include
    per comment cost a template lookup and a context layer each."""
    items: list[tuple[Node, bool]] = []
    stack = [(node, False) for node in reversed(roots)]
    while stack:
        node, closing = stack.pop()
        if closing:
            items.append((node, False))
            continue
        items.append((node, True))
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.children))
    return items


def thread_variant(request: HttpRequest) -> str | None:
    """Which page of the comment list this request shows, as a key for its cached copy; None
    for a parameter no link of the site makes (rendered, not kept)."""
    values = [
        request.GET.get("cpage", ""),
        request.GET.get(THREAD_PARAM, ""),
        request.GET.get(REPLY_PAGE_PARAM, ""),
    ]
    if not all(re.fullmatch(r"[0-9]{0,18}", value) for value in values[:2]):
        return None
    if not re.fullmatch(r"[0-9]{0,18}|last", values[2]):
        return None
    return ":".join(values)


def form_context(request: HttpRequest, article: Article, form: CommentForm | None) -> dict:
    """The comment form as this reader gets it: blank, filled from their "Save my name…"
    cookie, replying to a comment, or the refused form with its errors."""
    reply_to = None
    if form is None:
        initial = remembered_commenter(request)
        reply_id = request.GET.get("replytocom", "")
        if re.fullmatch(r"[0-9]{1,18}", reply_id):
            reply_to = Comment.objects.visible().filter(article=article, pk=int(reply_id)).first()
            if reply_to is not None:
                initial["parent"] = reply_to.pk
        # No form token and no CSRF token in the page: it is the same for every reader, and
        # the browser fetches both when the reader starts writing (comments.views.form_tokens).
        form = CommentForm(initial=initial, article=article, issue_token=False)
    else:
        parent = form.cleaned_data.get("parent") if hasattr(form, "cleaned_data") else None
        if isinstance(parent, Comment):
            reply_to = parent
    return {
        "comment_form": form,
        "reply_to": reply_to,
        "comments_open": article.comments_open,
    }
