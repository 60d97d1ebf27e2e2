"""Load for `make bench`: one gunicorn sync worker, and wrk (or a Python loop) against it.

gunicorn is pinned to the first core and wrk to the second (``taskset``, where there is
one), as the issue's figures were measured. One connection at a time: a sync worker serves
one request at a time anyway, so p50/p95 are the time a request takes, not queueing.
"""

import html.parser
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPConnection

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "errors": %d, "bad": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass
class Run:
    requests: int
    seconds: float
    p50: float  # milliseconds
    p95: float
    errors: int = 0  # connection errors, timeouts and answers other than 2xx/3xx

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def pinned(command: list[str], core: int) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(core), *command]
    return command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the bench settings, one sync worker, as long as the block lasts."""

    def __init__(self, cwd: str, env: dict[str, str] | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--bind",
                   f"127.0.0.1:{self.port}", "--workers", "1", "--worker-class", "sync",
                   "--timeout", "300", "--log-level", "warning"]  # fmt: skip
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.bench.settings", **(env or {})}
        self.process = subprocess.Popen(pinned(command, 0), cwd=cwd, env=env)

    def __enter__(self) -> "Server":
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/bench/hello/", timeout=5).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise SystemExit("gunicorn exited at start-up; see its output above.") from None
                time.sleep(0.3)
        raise SystemExit("gunicorn did not answer within a minute.")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@dataclass
class Sample:
    """One plain request: what a page weighs and what the cache said."""

    status: int
    size: int
    cache: str  # the X-Cache (or similar) header, "" if the site sends none


CACHE_HEADERS = ("X-Cache", "X-Cache-Status", "X-Page-Cache")
# Every reader's browser (and every CDN) asks for compressed pages; the bench does too.
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br"}


def headers_with(cookie: str) -> dict[str, str]:
    return {**BROWSER_HEADERS, **({"Cookie": cookie} if cookie else {})}


def sample(url: str, cookie: str = "") -> Sample:
    request = urllib.request.Request(url, headers=headers_with(cookie))
    try:
        response = urllib.request.urlopen(request, timeout=300)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        body = response.read()
        cache = next((response.headers[h] for h in CACHE_HEADERS if h in response.headers), "")
        return Sample(response.status, len(body), cache)


def load_generator() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def measure(url: str, seconds: float, cookie: str = "") -> Run:
    if load_generator() == "wrk":
        return measure_wrk(url, seconds, cookie)
    return measure_python(url, seconds, cookie)


def measure_wrk(url: str, seconds: float, cookie: str) -> Run:
    with temporary_file(WRK_SCRIPT, ".lua") as script:
        command = ["wrk", "-t1", "-c1", f"-d{max(1, round(seconds))}s", "--timeout", "300s",
                   "-s", script, url]  # fmt: skip
        for name, value in headers_with(cookie).items():
            command[1:1] = ["-H", f"{name}: {value}"]
        output = subprocess.run(pinned(command, 1), capture_output=True, text=True, check=True)
    found = bench_line(output.stdout.splitlines())
    if not found:
        raise SystemExit(f"wrk printed no figures for {url}: {output.stdout}")
    return Run(found["requests"], found["seconds"], found["p50"], found["p95"],
               found["errors"] + found["bad"])  # fmt: skip


@contextmanager
def temporary_file(text: str, suffix: str) -> Iterator[str]:
    """The name of a file holding ``text`` (for wrk to read), removed after the block."""
    descriptor, name = tempfile.mkstemp(suffix=suffix)
    try:
        with open(descriptor, "w") as file:
            file.write(text)
        yield name
    finally:
        os.unlink(name)


def bench_line(lines: Iterable[str]) -> dict:
    """What a wrk script's ``done`` wrote on its BENCH line; empty if it wrote none."""
    line = next((line for line in lines if line.startswith("BENCH ")), None)
    return json.loads(line.removeprefix("BENCH ")) if line else {}


def measure_python(url: str, seconds: float, cookie: str) -> Run:
    """The fallback without wrk: one connection at a time from this process."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = headers_with(cookie)
    timings: list[float] = []
    errors = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        begin = time.perf_counter()
        connection = HTTPConnection(parts.hostname, parts.port, timeout=300)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        timings.append((time.perf_counter() - begin) * 1000)
        errors += response.status >= 400
    elapsed = time.perf_counter() - started
    return Run(len(timings), elapsed, percentile(timings, 50), percentile(timings, 95), errors)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


# Comment posting ------------------------------------------------------------------------------


class CommentFormParser(html.parser.HTMLParser):
    """The comment form's action and fields, as a reader's browser would send them."""

    def __init__(self):
        super().__init__()
        self.action = ""
        self.tokens = ""  # where the page's script fetches the CSRF and form tokens
        self.fields: dict[str, str] = {}
        self.inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "/comments/" in (attrs.get("action") or ""):
            self.inside = True
            self.action = attrs["action"].split("#")[0]
            self.tokens = attrs.get("data-tokens") or ""
        elif (
            tag == "input"
            and self.inside
            and attrs.get("name")
            and attrs.get("type") not in ("checkbox", "submit")
        ):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


@dataclass
class ServedForm:
    action: str
    fields: dict[str, str]
    cookie: str
    served_at: float


@dataclass
class Posting:
    run: Run
    statuses: dict[int, int] = field(default_factory=dict)
    markers: list[str] = field(default_factory=list)  # acknowledged (answered with a redirect)
    refused: int = 0


def fetch_form(base: str, path: str) -> ServedForm:
    """A fresh copy of the form, with its own token and cookies, as a new reader gets it."""
    response = urllib.request.urlopen(base + path, timeout=300)
    with response:
        page = response.read().decode()
        cookies = [value.split(";", 1)[0] for value in response.headers.get_all("Set-Cookie") or []]
    parser = CommentFormParser()
    parser.feed(page)
    if not parser.action:
        raise SystemExit(f"No comment form on {path}.")
    if parser.tokens:
        # The cached page carries no tokens: the script fetches them when the reader writes.
        request = urllib.request.Request(
            base + parser.tokens, headers={"Cookie": "; ".join(cookies)}
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            parser.fields.update(json.loads(response.read()))
            cookies += [c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or []]
    return ServedForm(parser.action, parser.fields, "; ".join(cookies), time.monotonic())


# Each line of the file wrk reads: a post's path, cookie, address and form body (none of them
# holds a tab or a newline). The posts go in order, one at a time (1 connection). wrk says
# when it sends the first and when the last is answered (the bench times the posts between,
# then stops wrk, which waits out its duration otherwise), and which posts were not answered
# with a redirect (by their number).
WRK_POST_SCRIPT = """
local posts, started, answered, statuses, refused = {}, false, 0, {}, {}
init = function(args)
  for line in io.lines(args[1]) do
    local path, cookie, address, body = line:match("^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)$")
    posts[#posts + 1] = wrk.format("POST", path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = cookie, ["X-Forwarded-For"] = address}, body)
  end
end
request = function()
  -- By answers, not calls: wrk asks for a request once more than it sends.
  if not started then started = true; io.write("BENCH-START\\n"); io.flush() end
  return posts[math.min(answered + 1, #posts)]
end
response = function(status, headers, body)
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
  if status < 300 or status > 399 then
    refused[#refused + 1] = answered .. ":" .. status
  end
  if answered >= #posts then
    local counts = {}
    for code, n in pairs(statuses) do counts[#counts + 1] = code .. ":" .. n end
    wrk.thread:set("statuses", table.concat(counts, ","))
    wrk.thread:set("refused", table.concat(refused, ","))
    wrk.thread:set("answered", answered)
    wrk.thread:stop()
    io.write("BENCH-END\\n"); io.flush()
  end
end
local threads = {}
setup = function(thread) threads[#threads + 1] = thread end
done = function(summary, latency, requests)
  local t = threads[1]
  io.write(string.format(
    'BENCH {"requests": %d, "p50": %f, "p95": %f, "answered": %d, "statuses": "%s", ' ..
    '"refused": "%s"}\\n', summary.requests, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, t:get("answered") or 0, t:get("statuses") or "",
    t:get("refused") or ""))
end
"""


@dataclass
class Post:
    path: str
    cookie: str
    address: str
    body: str  # the form, URL-encoded
    marker: str


def post_comments(base: str, path: str, count: int, *, min_age: float, run_id: str) -> Posting:
    """Post ``count`` comments, each from a new reader (own form, email and address), timing
    only the posts. The forms are fetched first and posted once they are old enough for the
    site's too-fast rule, so the default rules judge them as they would a person's. wrk
    sends them, as it loads the pages and the hello view; without wrk, a Python loop."""
    forms = [fetch_form(base, path) for _ in range(count)]
    posts = []
    for number, form in enumerate(forms):
        marker = f"bench-{run_id}-{number}"
        data = {
            **form.fields,
            "name": f"Bench reader {number}",
            "email": f"{marker}@bench-post.example",
            "website": "",
            "body": f"A reader's thoughts on the story, number {number}. {marker}",
        }
        address = f"198.18.{number // 250 % 256}.{number % 250 + 1}"
        posts.append(Post(form.action, form.cookie, address, urllib.parse.urlencode(data), marker))
    wait = forms[-1].served_at + min_age - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    if load_generator() == "wrk":
        return post_wrk(base, posts)
    return post_python(base, posts)


def post_wrk(base: str, posts: list[Post]) -> Posting:
    lines = "".join(f"{p.path}\t{p.cookie}\t{p.address}\t{p.body}\n" for p in posts)
    # The duration is only a bound, should a post never be answered: the last answer ends it.
    bound = 60 + len(posts) // 10
    started = ended = 0.0
    output = []
    with temporary_file(WRK_POST_SCRIPT, ".lua") as script, temporary_file(lines, ".tsv") as data:
        command = ["wrk", "-t1", "-c1", f"-d{bound}s", "--timeout", "300s", "-s", script, base,
                   "--", data]  # fmt: skip
        with subprocess.Popen(pinned(command, 1), stdout=subprocess.PIPE, text=True) as wrk:
            try:
                for line in wrk.stdout:
                    if line.startswith("BENCH-START"):
                        started = time.perf_counter()
                    elif line.startswith("BENCH-END"):
                        ended = time.perf_counter()
                        wrk.send_signal(signal.SIGINT)  # wrk then writes its summary and exits
                    output.append(line)
                wrk.wait(timeout=60)
            except BaseException:  # interrupted, or wrk never exits: not left running
                wrk.kill()
                raise
    found = bench_line(output)
    if not ended or found.get("answered") != len(posts) or found["requests"] != len(posts):
        raise SystemExit(f"wrk did not send each of the {len(posts)} posts once: {found}")
    refused = {int(item.split(":")[0]) for item in found["refused"].split(",") if item}
    posting = Posting(Run(len(posts), ended - started, found["p50"], found["p95"], len(refused)))
    for item in found["statuses"].split(","):
        status, count = item.split(":")
        posting.statuses[int(status)] = int(count)
    posting.markers = [post.marker for n, post in enumerate(posts, 1) if n not in refused]
    posting.refused = len(refused)
    return posting


def post_python(base: str, posts: list[Post]) -> Posting:
    """Without wrk: one post at a time from this process, a connection each."""
    parts = urllib.parse.urlsplit(base)
    posting = Posting(Run(0, 0.0, 0.0, 0.0))
    timings: list[float] = []
    started = time.perf_counter()
    for post in posts:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": post.cookie,
            "X-Forwarded-For": post.address,
        }
        begin = time.perf_counter()
        connection = HTTPConnection(parts.hostname, parts.port, timeout=300)
        connection.request("POST", post.path, post.body, headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        timings.append((time.perf_counter() - begin) * 1000)
        posting.statuses[response.status] = posting.statuses.get(response.status, 0) + 1
        if response.status in (301, 302, 303):
            posting.markers.append(post.marker)
        else:
            posting.refused += 1
    elapsed = time.perf_counter() - started
    posting.run = Run(len(posts), elapsed, percentile(timings, 50), percentile(timings, 95),
                      posting.refused)  # fmt: skip
    return posting


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0
