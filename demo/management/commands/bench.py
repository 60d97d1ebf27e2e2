"""`make bench`: how fast Newsroom serves each page, against a bare "hello" view.

    make bench              # 2,000 articles, 20,000 comments
    make bench SIZE=big     # 100,000 articles, 500,000 tag links, 1,000,000 comments

Runs with tests.bench.settings (production settings, the bench's own PostgreSQL database
``newsroom_bench`` or BENCH_DATABASE_URL, Redis database 7 if it answers). The data is built
once per size (tests/bench/data.py) and reused. For each page it prints requests per second
through a real gunicorn (one sync worker), that rate against the hello view measured just
before and just after it, p50/p95, the queries of one request (test client, cache emptied
first), the response bytes as sent (gzipped: the bench asks for it, as every browser does)
and what a cache header said on the first and a later request.
Public pages run twice: "cached" as the site runs (anonymous readers mostly get the page
cache's copy) and "uncached" through a second gunicorn with the page cache off, which
renders every request (with the fragment caches, which stay on) as it does for a reader
with a session or on a page-cache miss.
Performance is measured here, never asserted in timed tests.
"""

import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from accounts.models import User
from articles.models import Article, Section, Source, TaggedArticle
from articles.pagination import cursor_of
from articles.sitemaps import ArticleSitemap
from authors.models import Author
from comments.forms import signed_form_token
from comments.models import Comment
from newsroom.pagecache import local_copies
from tests.bench import data, load

HELLO = "/bench/hello/"
# The second server: the same settings with the page cache off.
UNCACHED_ENV = {"NEWSROOM_PAGE_CACHE_SECONDS": "0"}
ADMIN_USERNAME = "bench-admin"


def empty_caches() -> None:
    """The shared cache, and this process's copies of it (which would otherwise answer with
    what was read before, under versions the shared cache no longer holds)."""
    cache.clear()
    local_copies.clear()


@dataclass
class Page:
    label: str
    url: str
    admin: bool = False


@dataclass
class Row:
    label: str
    run: load.Run
    hello: float  # requests/s of the hello view around this page's run
    queries: str
    size: int
    cache: str
    uncached: load.Run | None = None  # the page cache off (public pages only)
    uncached_queries: str = ""


class Command(BaseCommand):
    help = "Measure every page through gunicorn against a bare hello view and print the table."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(data.SIZES), default="quick")
        parser.add_argument(
            "--seconds", type=float, default=3.0, help="Length of each page's run (default 3)."
        )
        parser.add_argument(
            "--posts",
            type=int,
            default=1000,
            help=(
                "Comments posted for the POST figure (default 1000: a few seconds of posting, "
                "as long as a page's run, so the worker's one-off first-post costs weigh as "
                "little as a page's first render does)."
            ),
        )
        parser.add_argument(
            "--only", default="", help="Measure only pages whose label has one of these, a,b."
        )

    def handle(self, *args, size: str, seconds: float, posts: int, only: str, **options):
        if settings.ROOT_URLCONF != "tests.bench.urls":
            raise CommandError(
                "Run it with DJANGO_SETTINGS_MODULE=tests.bench.settings (make bench)."
            )
        if connection.vendor != "postgresql":
            raise CommandError("The bench needs PostgreSQL: set BENCH_DATABASE_URL.")
        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        spec = data.SIZES[size]
        self.stdout.write(f"Data: {size} ({spec.articles:,} articles, {spec.comments:,} comments)…")
        built = data.ensure(spec)
        self.stdout.write(
            f"  built in {built:.0f} s" if built is not None else "  already built, reused"
        )
        admin = self.admin_user()
        self.forget_earlier_posts()
        wanted = [term.strip().lower() for term in only.split(",")]
        pages = [p for p in self.pages(spec) if any(t in p.label.lower() for t in wanted)]
        queries = {page.label: self.count_queries(page, admin) for page in pages}
        uncached_queries = {
            page.label: self.count_uncached_queries(page) for page in pages if not page.admin
        }
        cwd = str(settings.BASE_DIR)
        with load.Server(cwd) as server, load.Server(cwd, env=UNCACHED_ENV) as uncached:
            rows = self.measure_pages(server, uncached, pages, queries, seconds)
            for row in rows:
                row.uncached_queries = uncached_queries.get(row.label.removesuffix(" †"), "")
            if any(term in "comment post" for term in wanted):
                rows.append(self.measure_posting(server, posts, seconds))
        self.report(spec, rows, time.monotonic() - started)

    # Setting up -------------------------------------------------------------------------------

    def admin_user(self) -> Client:
        user = User.objects.filter(username=ADMIN_USERNAME).first()
        if user is None:
            user = User.objects.create_superuser(ADMIN_USERNAME, "bench@example.com", None)
        client = Client()
        client.force_login(user)
        return client

    def forget_earlier_posts(self) -> None:
        Comment.objects.filter(email__endswith="@bench-post.example").delete()

    def pages(self, spec: data.Size) -> list[Page]:
        hot = Article.objects.get(slug=data.HOT_ARTICLE_SLUG)
        published = Article.objects.published().order_by("-published_at", "-pk")
        second = published[settings.NEWSROOM_PAGE_SIZE - 1]  # the last teaser of page 1
        deep = published[int(spec.articles * 0.9)]
        top_tag = (
            TaggedArticle.objects.values("tag__slug")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()["tag__slug"]
        )
        last = -(-spec.articles // ArticleSitemap.limit)  # the last page: the oldest articles
        return [
            Page("home", "/"),
            Page("article, 100 comments", hot.get_absolute_url()),
            Page("section", Section.objects.order_by("pk").first().get_absolute_url()),
            Page("tag (most used)", f"/tags/{top_tag}/"),
            Page("author", Author.objects.order_by("pk").first().get_absolute_url()),
            Page("source", Source.objects.order_by("pk").first().get_absolute_url()),
            Page(f"search '{data.COMMON_WORD}'", f"/search/?q={data.COMMON_WORD}"),
            Page("sitemap index", "/sitemap.xml"),
            Page(f"sitemap articles p{last}", f"/sitemap-articles.xml?p={last}"),
            # The same listing near its start and 90% of the way down: keyset pages should
            # cost the same wherever they are.
            Page("listing page 2", f"/?older={cursor_of(second)}"),
            Page("listing 90% deep", f"/?older={cursor_of(deep)}"),
            Page("admin comment queue", "/admin/comments/comment/", admin=True),
            Page("admin article list", "/admin/articles/article/", admin=True),
            Page("admin article form", f"/admin/articles/article/{hot.pk}/change/", admin=True),
        ]

    def count_queries(self, page: Page, admin: Client) -> str:
        """Queries of one request with the cache emptied, then of the next one; follows a
        redirect once (the comment queue opens on ?status=pending) and keeps its target."""
        client = admin if page.admin else Client()
        counts = []
        while len(counts) < 2:
            if not counts:
                empty_caches()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(page.url)
            redirected = response.status_code in (301, 302) and page.url != response["Location"]
            if redirected and response["Location"].startswith("/"):
                page.url = response["Location"]
                continue
            if response.status_code != 200:
                raise CommandError(f"{page.url} answered {response.status_code}.")
            counts.append(len(captured))
        return str(counts[0]) if counts[0] == counts[1] else f"{counts[0]} ({counts[1]} cached)"

    def count_uncached_queries(self, page: Page) -> str:
        """Queries of one anonymous request with the page cache off, the caches emptied
        first (the fragments cold), then of the next one (the fragments warm)."""
        counts = []
        with override_settings(NEWSROOM_PAGE_CACHE_SECONDS=0):
            empty_caches()
            for _ in range(2):
                with CaptureQueriesContext(connection) as captured:
                    response = Client().get(page.url)
                if response.status_code != 200:
                    raise CommandError(f"{page.url} answered {response.status_code} uncached.")
                counts.append(len(captured))
        return str(counts[0]) if counts[0] == counts[1] else f"{counts[0]} ({counts[1]} warm)"

    # Measuring --------------------------------------------------------------------------------

    def measure_pages(
        self,
        server: load.Server,
        uncached: load.Server,
        pages: list[Page],
        queries: dict,
        seconds: float,
    ) -> list[Row]:
        """hello, page, hello, page, … hello: each page is compared with the hello runs on
        either side of it, so a neighbour's load on the shared machine touches both alike.
        A public page runs on both servers in between: cached, then uncached."""
        hello_url = server.base + HELLO
        hellos = [load.measure(hello_url, seconds).rate]
        rows = []
        for page in pages:
            cookie = self.session_cookie() if page.admin else ""
            run, slow, first, later = self.run_page(server.base + page.url, cookie, seconds)
            without = None
            if not page.admin:
                without, slow_uncached, _, _ = self.run_page(
                    uncached.base + page.url, cookie, seconds
                )
                slow = slow or slow_uncached
            hellos.append(load.measure(hello_url, seconds).rate)
            rows.append(
                Row(page.label + (" †" if slow else ""), run, load.mean(hellos[-2:]),
                    queries[page.label], later.size,
                    f"{first.cache} → {later.cache}" if first.cache or later.cache else "n/a",
                    without)
            )  # fmt: skip
            self.stdout.write(
                f"  {page.label}: {run.rate:.1f}/s"
                + (f", uncached {without.rate:.1f}/s" if without else "")
            )
        return rows

    def run_page(
        self, url: str, cookie: str, seconds: float
    ) -> tuple[load.Run, bool, load.Sample, load.Sample]:
        """One page's run from an emptied cache, whether it was timed request by request,
        and its first and a later answer."""
        empty_caches()
        begin = time.monotonic()
        first = load.sample(url, cookie)
        if first.status != 200:
            raise CommandError(f"{url} answered {first.status} through gunicorn.")
        # A slow page runs longer (up to a minute), so its p95 rests on a few requests;
        # one slower than the run itself is timed request by request (the Python loop
        # finishes the request in hand where wrk would drop it and report nothing).
        took = time.monotonic() - begin
        length = max(seconds, min(60.0, 8 * took))
        slow = took >= seconds
        if slow:
            run = load.measure_python(url, length, cookie)
        else:
            run = load.measure(url, length, cookie)
        return run, slow, first, load.sample(url, cookie)

    def session_cookie(self) -> str:
        client = Client()
        client.force_login(User.objects.get(username=ADMIN_USERNAME))
        return (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )

    def measure_posting(self, server: load.Server, posts: int, seconds: float) -> Row:
        """The posts alone are timed: each reader's page and tokens are fetched, and the
        too-fast rule waited out, before the first post; hello is measured just before and
        just after, as for a page."""
        article = Article.objects.published().order_by("published_at", "pk").first()
        queries = self.count_post_queries(article)
        hello_url = server.base + HELLO
        hellos = [load.measure(hello_url, seconds).rate]
        run_id = uuid.uuid4().hex[:8]
        before = Comment.objects.count()
        posting = load.post_comments(
            server.base,
            article.get_absolute_url(),
            posts,
            min_age=settings.NEWSROOM_COMMENT_MIN_SECONDS + 0.5,
            run_id=run_id,
        )
        hellos.append(load.measure(hello_url, seconds).rate)
        # The marker is the commenter's address: one scan finds every stored copy.
        stored = list(
            Comment.objects.filter(email__startswith=f"bench-{run_id}-").values_list(
                "email", "status"
            )
        )
        copies = Counter(email.split("@")[0] for email, _ in stored)
        lost = sum(1 for marker in posting.markers if copies[marker] == 0)
        duplicated = sum(n - 1 for n in copies.values() if n > 1)
        outcomes = dict(Counter(status for _, status in stored))
        before_rate, after_rate = hellos
        ratio = posting.run.rate / load.mean(hellos) if any(hellos) else 0.0
        self.posting_summary = (
            f"{posts} posts at {posting.run.rate:.1f}/s, hello {before_rate:,.0f} before and "
            f"{after_rate:,.0f} requests/s after: {ratio:.3f} × hello; answers "
            f"{dict(sorted(posting.statuses.items()))}; stored "
            f"{Comment.objects.count() - before} ({outcomes}); lost {lost}, duplicated {duplicated}"
        )
        self.stdout.write(f"  comment POST: {posting.run.rate:.1f}/s")
        return Row("comment POST", posting.run, load.mean(hellos), queries, 0, "n/a")

    def count_post_queries(self, article: Article) -> str:
        """Queries of two accepted posts from new readers, one after the other, through the
        test client (with its CSRF check) and form tokens old enough for the too-fast rule.

        A held post after a quiet spell schedules the moderators' mail; the next joins that
        waiting mail, as most posts of a busy hour do, with fewer statements. The first may
        also join a mail an earlier run left waiting. The figure reads "first (next)"."""
        counts = [self.count_one_post(article, reader) for reader in (1, 2)]
        return f"{counts[0]} ({counts[1]} next)"

    def count_one_post(self, article: Article, reader: int) -> int:
        client = Client(enforce_csrf_checks=True)
        tokens = client.get(reverse("comments:form_tokens", args=[article.slug])).json()
        issued_at = time.time() - settings.NEWSROOM_COMMENT_MIN_SECONDS - 1
        data = {
            **tokens,
            "timestamp": signed_form_token(article, issued_at=issued_at),
            "name": "Bench reader",
            "email": f"bench-queries-{uuid.uuid4().hex[:8]}@bench-post.example",
            "body": f"A reader's thoughts on the story, counted ({uuid.uuid4().hex[:8]}).",
        }
        # Each reader from an address of its own (the bench trusts one proxy), so the flood
        # rule lets the second through.
        address = f"198.19.{uuid.uuid4().int % 250}.{reader}"
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                reverse("comments:post", args=[article.slug]), data, HTTP_X_FORWARDED_FOR=address
            )
        if response.status_code != 302:
            raise CommandError(f"A comment post answered {response.status_code}.")
        return len(captured)

    # Reporting --------------------------------------------------------------------------------

    def report(self, spec: data.Size, rows: list[Row], total: float) -> None:
        write = self.stdout.write
        cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        generator = load.load_generator()
        write("")
        write(
            f"`make bench SIZE={spec.name}` on {date.today():%Y-%m-%d}: PostgreSQL "
            f"{connection.pg_version // 10000}, {cache_backend}, gunicorn 1 sync worker, "
            f"load by {'wrk (1 connection)' if generator == 'wrk' else 'a Python loop'}; "
            f"{spec.articles:,} articles, {spec.tag_links:,} tag links, "
            f"{spec.comments:,} comments ({spec.held:,} held); took {total:.0f} s."
        )
        write("")
        write(
            "| page | req/s | × hello | p50 ms | p95 ms | uncached req/s | × hello | p50 ms "
            "| p95 ms | queries | uncached queries | bytes | cache |"
        )
        write("| --- " + "| ---: " * 8 + "| --- | --- | ---: | --- |")
        for row in rows:
            write(
                f"| {row.label} | {self.figures(row.run, row.hello)} "
                f"| {self.figures(row.uncached, row.hello)} | {row.queries} "
                f"| {row.uncached_queries} | {row.size or ''} | {row.cache} |"
            )
        write(
            "Cached: as the site runs (the page cache answers anonymous readers). Uncached: the "
            "page cache off, every request rendered (fragment caches on); queries cold, then "
            "warm."
        )
        hellos = [row.hello for row in rows]
        if hellos:
            write(f"\nhello view: {min(hellos):.0f}–{max(hellos):.0f} requests/s.")
        if any(row.label.endswith("†") for row in rows):
            write("† slower than a run: timed request by request by the Python loop.")
        if getattr(self, "posting_summary", ""):
            sender = "wrk" if load.load_generator() == "wrk" else "a Python loop"
            write(
                "Comment POST (each a new reader's form and tokens, fetched before the timed "
                f"posts, sent one at a time by {sender}): {self.posting_summary}."
            )

    @staticmethod
    def figures(run: load.Run | None, hello: float) -> str:
        """req/s, × hello, p50 and p95 of one run, as table cells (blank without a run)."""
        if run is None:
            return " |  |  | "
        ratio = run.rate / hello if hello else 0.0
        errors = f" ({run.errors} errors)" if run.errors else ""
        return f"{run.rate:.3g}{errors} | {ratio:.2g} | {run.p50:.1f} | {run.p95:.1f}"
