"""The hostile-input probe: `make probe`.

Starts Newsroom as production runs it (gunicorn, DEBUG off, PostgreSQL, Redis, a proxy in
front imitated with X-Forwarded-For), loads the demo content into a throw-away database, then
sends a corpus of hostile requests: a hand list of inputs that once broke something, and
generated ones (hypothesis) for every public text input: comment fields, search, listing and
archive addresses, headers and cookies. It prints the status histogram, the number of 5xx
answers and of comments that were acknowledged (a redirect) but not stored ("lost").

The corpus functions are shared with tests/test_probe.py, which sends a small part of it
through Django's test client on every test run; the full probe is not part of CI.

    make probe                      # 1,000 generated inputs and the hand list
    PROBE_EXAMPLES=3000 make probe  # more
"""

import http.cookiejar
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

PROJECT = Path(__file__).resolve().parents[1]

# Text that broke a parser, a header, a database column or a template somewhere.
NASTY = [
    "",
    " ",
    "Олена Коваленко",
    "олена@приклад.укр",
    "محمد عبد الرحمن",
    "\u202eRTL override\u202c",
    "👩‍👩‍👧‍👦🇺🇦",
    "İstanbul",
    "ß" * 100,
    "-" * 33,
    "- " * 150,
    "!!!",
    "a <-> b",
    "a:* & b | !c",
    "'\"<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "\x00",
    "a\x00b",
    "\r\nSet-Cookie: evil=1",
    "%00",
    "../../etc/passwd",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "x" * 10_000,
    "http://" + "a" * 300 + ".example",
    "https://пример.укр/путь",
    "\ud7ff\ue000\ufffd",
    "\u200b\u200c\u200d\ufeff",
]

HAND_GETS = [
    "/search/?q=" + "-" * 33,
    "/search/?q=" + urllib.parse.quote("- " * 150),
    "/search/?q=%00",
    "/search/?q=" + "x" * 5000,
    "/search/?section=abc&author=-1&q=a",
    "/?older=abc",
    "/?older=2026-13-45T99:99:99",
    "/?newer=" + "9" * 40,
    "/archive/0/",
    "/archive/99999/13/",
    "/archive/2026/0/",
    "/tags/%D1%83%D0%BA%D1%80%D0%B0%D1%97%D0%BD%D0%B0/",
    "/tags/" + "a" * 300 + "/",
    "/preview/garbage/",
    "/preview/" + "A" * 500 + "/",
    "/feeds/rss/?x=%00",
    "/sitemap.xml?p=abc",
    "/sitemap-articles.xml?p=-1",
    "/media/../newsroom/settings.py",
    "/admin/r/999/999/",
]


@dataclass
class Answer:
    status: int
    body: str = ""
    location: str = ""


class Target:
    """Where requests go: gunicorn over HTTP (the probe) or Django's test client (the tests)."""

    def get(self, path: str, headers: dict | None = None) -> Answer:
        raise NotImplementedError

    def post(self, path: str, data: bytes, content_type: str, headers: dict) -> Answer:
        raise NotImplementedError


class HttpTarget(Target):
    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar(ProxyCookiePolicy())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def _send(self, request: urllib.request.Request) -> Answer:
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            return Answer(error.code, body, error.headers.get("Location", ""))

    def get(self, path, headers=None):
        return self._send(urllib.request.Request(self.base + path, headers=headers or {}))

    def post(self, path, data, content_type, headers):
        request = urllib.request.Request(
            self.base + path, data=data, headers={**headers, "Content-Type": content_type}
        )
        return self._send(request)


class ProxyCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Production cookies are Secure; TLS ends at the (imitated) proxy, so send them back."""

    def return_ok_secure(self, cookie, request):
        return True


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer to count, not to follow


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)  # 5xx: what was sent
    acknowledged: list[str] = field(default_factory=list)  # comment markers answered 302

    def record(self, what: str, answer: Answer) -> None:
        self.statuses[answer.status] += 1
        if answer.status >= 500:
            self.failures.append(what[:300])


# The corpus --------------------------------------------------------------------------------

text = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=300),
    st.text("-!&|:*()<>'\" \\%", max_size=80),
)


def examples(strategy, count: int) -> list:
    """``count`` examples of a hypothesis strategy, the same ones on every run."""
    found: list = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value):
        found.append(value)

    collect()
    return found


def generated_gets(count: int) -> list[str]:
    def path(parts: tuple[str, str]) -> str:
        prefix, value = parts
        return prefix + urllib.parse.quote(value, safe="")

    prefixes = [
        "/search/?q=",
        "/search/?section=",
        "/search/?author=",
        "/?older=",
        "/?newer=",
        "/tags/",
        "/sections/",
        "/sources/",
        "/authors/",
        "/articles/",
        "/preview/",
    ]
    return [path(p) for p in examples(st.tuples(st.sampled_from(prefixes), text), count)]


def generated_comments(count: int) -> list[dict]:
    """Half the comments are plausible but for one hostile field, so they get past the form
    to the moderation rules and the database; half are hostile in every field."""
    one_hostile = st.tuples(
        st.sampled_from(["name", "email", "website", "body", "parent"]), text
    ).map(lambda pair: {pair[0]: pair[1]})
    anything = st.fixed_dictionaries(
        {
            "name": text,
            "email": st.one_of(st.emails(), text),
            "website": st.one_of(st.just(""), text),
            "body": text,
            "remember": st.sampled_from(["", "on"]),
            "parent": st.one_of(st.just(""), text, st.integers(-(2**70), 2**70).map(str)),
            "homepage_url": st.sampled_from(["", "", "", "http://spam.example"]),
        }
    )
    return examples(st.one_of(one_hostile, anything), count)


HAND_COMMENTS = [
    {
        "name": "Олена Коваленко",
        "email": "olena@приклад.укр",
        "body": "Дякую! 🌻",
        "remember": "on",
    },
    {"name": "宮崎 駿", "email": "hayao@例え.jp", "website": "https://例え.jp", "remember": "on"},
    {"name": "Ελένη", "email": "eleni@example.gr", "body": "Ευχαριστώ 🙏", "remember": "on"},
    {"name": "x", "email": "x@example.com", "body": "x" * 70_000},
    {"name": "x", "email": "x@example.com", "body": "hi", "parent": "99999999999999999999"},
    {"name": "\x00", "email": "a@b.c", "body": "nul"},
]


# Running it ----------------------------------------------------------------------------------


def post_comment(target: Target, slug: str, fields: dict, *, marker: str, ip: str, tally: Tally):
    target.get(f"/articles/{slug}/")
    # The page carries no tokens; its script fetches them when the reader starts writing.
    answer = target.get(f"/articles/{slug}/comments/tokens/")
    tokens = json.loads(answer.body) if answer.status == 200 else {}
    data = {
        "name": "Probe",
        "email": f"{marker}@example.com",  # one commenter each: no flood or duplicate refusals
        "website": "",
        "body": "",
        "parent": "",
        "homepage_url": "",
        "timestamp": tokens.get("timestamp", ""),
        "csrfmiddlewaretoken": tokens.get("csrfmiddlewaretoken", ""),
        **fields,
    }
    data["body"] = f"{data['body']} {marker}"
    if not data.get("remember"):
        data.pop("remember", None)
    encoded = urllib.parse.urlencode(data).encode()
    headers = {"X-Forwarded-For": ip, "Referer": "https://probe.example/"}
    answer = target.post(
        f"/articles/{slug}/comments/", encoded, "application/x-www-form-urlencoded", headers
    )
    tally.record(f"POST comment {fields!r}", answer)
    if answer.status in (301, 302, 303):
        tally.acknowledged.append(marker)


def run_corpus(target: Target, slug: str, *, examples_count: int, tally: Tally) -> None:
    rng = random.Random(20261202)

    def ip() -> str:
        return f"198.51.{rng.randrange(256)}.{rng.randrange(1, 255)}"

    for path in HAND_GETS + generated_gets(examples_count // 2):
        tally.record(f"GET {path}", target.get(path))
    for name, value in [("User-Agent", "\x00"), ("X-Forwarded-For", "not-an-ip, ::ffff:1.2.3.4")]:
        tally.record(f"GET / {name}", target.get("/", headers={name: value}))
    # A form post in a charset Django cannot decode, with a CSRF cookie.
    target.get(f"/articles/{slug}/")
    answer = target.post(
        f"/articles/{slug}/comments/",
        "name=x".encode("utf-16"),
        "application/x-www-form-urlencoded; charset=utf-16",
        {},
    )
    tally.record("POST utf-16 form", answer)
    comments = HAND_COMMENTS + generated_comments(examples_count // 2)
    for number, fields in enumerate(comments):
        marker = f"probe-{number}-{rng.randrange(10**9)}"
        post_comment(target, slug, fields, marker=marker, ip=ip(), tally=tally)


def lost(markers: list[str]) -> list[str]:
    from comments.models import Comment

    return [m for m in markers if not Comment.objects.filter(body__contains=m).exists()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"The server at {url} did not start.")


def production_environment(port: int) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "probe-only-secret-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": os.environ.get(
            "PROBE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_probe"
        ),
        "REDIS_URL": os.environ.get("PROBE_REDIS_URL", "redis://127.0.0.1:6379/5"),
        "NEWSROOM_TRUSTED_PROXY_COUNT": "1",
        "NEWSROOM_COMMENT_MIN_SECONDS": "0",
        "NEWSROOM_SERVE_MEDIA": "1",
        "MEDIA_ROOT": "/tmp/newsroom-probe-media",
        "STATIC_ROOT": "/tmp/newsroom-probe-static",
        "NEWSROOM_SITE_URL": f"http://127.0.0.1:{port}",
    }


def fresh_database(env: dict) -> None:
    url = urllib.parse.urlsplit(env["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = ["-h", url.hostname or "127.0.0.1", "-U", url.username or "postgres"]
    subprocess.run(["dropdb", *admin, "--if-exists", name], check=True)
    subprocess.run(["createdb", *admin, name], check=True)


def main() -> int:
    count = int(os.environ.get("PROBE_EXAMPLES", "1000"))
    port = free_port()
    env = production_environment(port)
    os.environ.update(env)
    python = sys.executable
    fresh_database(env)
    manage = [python, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(manage + command, cwd=PROJECT, env=env, check=True)
    subprocess.run(manage + ["seed_demo"], cwd=PROJECT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "newsroom.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=PROJECT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/")
        import django

        sys.path.insert(0, str(PROJECT))
        django.setup()
        from articles.models import Article

        slug = Article.objects.published().filter(comments_enabled=True).first().slug
        tally = Tally()
        started = time.monotonic()
        run_corpus(HttpTarget(base), slug, examples_count=count, tally=tally)
        seconds = time.monotonic() - started
        missing = lost(tally.acknowledged)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(tally, missing, seconds)
    return 1 if tally.failures or missing else 0


def report(tally: Tally, missing: list[str], seconds: float) -> None:
    total = sum(tally.statuses.values())
    print(f"Sent {total} requests in {seconds:.0f} s.")
    print("Status histogram: " + ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items())))
    print(f"5xx answers: {len(tally.failures)}")
    for failure in tally.failures[:20]:
        print(f"  {failure}")
    print(f"Comments acknowledged: {len(tally.acknowledged)}; lost: {len(missing)}")


if __name__ == "__main__":
    sys.exit(main())
