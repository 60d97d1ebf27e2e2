"""Settings for Newsroom, read from the environment.

Every knob is an environment variable documented in README.md. Defaults suit a developer's
machine: SQLite under the project, no Redis, mail printed to the console. With debug off the
secret key must be given, so a misconfigured production server fails at start-up, not later.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.utils.csp import CSP
from django.utils.functional import lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production, "
            "or set DJANGO_DEBUG=1 on a development machine."
        )
    # Only ever used with debug on, on a developer's machine.
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "accounts",
    "images",
    "articles",
    "authors",
    "comments",
    "demo",
    "newsroom.apps.NewsroomAdminConfig",  # django.contrib.admin with our admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",
    "django_prose_editor",
    "taggit",
    "axes",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: a hit is the stored response, headers of every middleware below included, and
    # runs none of them and no query (newsroom/pagecache.py).
    "newsroom.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads request.POST (the CSRF check does): a form in UTF-16 is a 400.
    "newsroom.middleware.FormCharsetMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "newsroom.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files (compressed ahead of time) never pass through it;
    # above everything that writes the body. newsroom/compression.py says why it is safe.
    "newsroom.compression.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"
ASGI_APPLICATION = "newsroom.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "articles.context_processors.site",
            ],
        },
    },
]

# Widget templates live in templates/ like every other template.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite file under the project unless DATABASE_URL says otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while a writer commits; IMMEDIATE avoids "database is locked"
        # upgrades from read to write inside a transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        # Only the statements that ask for it are prepared (comment posting's: parsing and
        # planning its history statement cost a post more than running it); Django's
        # own queries never are (its cursors bind on the client). Each runs on the plan made
        # once (a generic plan): planned for each post's values, the history statement was
        # planned afresh every time. Off for a pooler that does not keep prepared statements
        # (PgBouncer in transaction mode before 1.21).
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["prepare_threshold"] = 2**31 - 1
        generic_plans = "-c plan_cache_mode=force_generic_plan"
        options["options"] = f"{options.get('options', '')} {generic_plans}".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Tag fields keep the order the editor typed (django-taggit sorts it).
TAGGIT_TAGS_FROM_STRING = "articles.tags.parse_tags"
TAGGIT_STRING_FROM_TAGS = "articles.tags.format_tags"

# django-axes checks for a lockout first, so a locked-out login costs no password hashing.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Cache: Redis when REDIS_URL is set (shared by every app server), local memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
URLIZE_ASSUME_HTTPS = True

STATIC_URL = "static/"

# The body editor's own extensions (articles/forms.py), an ES module loaded by the editor.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [lazy(static, str)("newsroom/admin/body-editor.js")],
        "extensions": dict.fromkeys(
            ("NewsPaste", "NewsImage", "NewsEmbed"), "articles.sanitize.editor_extension_allowlist"
        ),
    }
]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files with far-future caching; served by WhiteNoise.
        "BACKEND": "newsroom.staticfiles.StaticFilesStorage",
    },
}
# Media on S3-compatible object storage when NEWSROOM_S3_BUCKET is set (several app servers
# then share one media store); the local MEDIA_ROOT otherwise. Objects are public and their
# addresses unsigned, so pages, feeds and caches can keep them; renditions are stored with
# a year's immutable Cache-Control, originals an hour (images/storage.py).
NEWSROOM_S3_BUCKET = os.environ.get("NEWSROOM_S3_BUCKET", "").strip()
# Where media is read from by browsers: a CDN or a media domain in front of the bucket
# (https://media.example.com); empty: the storage's own address.
NEWSROOM_MEDIA_PUBLIC_URL = os.environ.get("NEWSROOM_MEDIA_PUBLIC_URL", "").strip().rstrip("/")
MEDIA_ORIGINS: list[str] = []  # other origins pages load media from, for the CSP below
if NEWSROOM_S3_BUCKET:
    _endpoint = os.environ.get("NEWSROOM_S3_ENDPOINT_URL", "").strip()
    _region = os.environ.get("NEWSROOM_S3_REGION", "").strip() or None
    _public = urlsplit(NEWSROOM_MEDIA_PUBLIC_URL)
    if NEWSROOM_MEDIA_PUBLIC_URL and not (_public.scheme in ("http", "https") and _public.netloc):
        raise ImproperlyConfigured(
            "NEWSROOM_MEDIA_PUBLIC_URL must be an address such as https://media.example.com."
        )
    STORAGES["default"] = {
        "BACKEND": "images.storage.MediaStorage",
        "OPTIONS": {
            "bucket_name": NEWSROOM_S3_BUCKET,
            "endpoint_url": _endpoint or None,
            "region_name": _region,
            # Empty: boto3's own chain (AWS_ACCESS_KEY_ID, ~/.aws, an instance role).
            "access_key": os.environ.get("NEWSROOM_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("NEWSROOM_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("NEWSROOM_S3_PREFIX", "").strip().strip("/"),
            "custom_domain": (_public.netloc + _public.path) if NEWSROOM_MEDIA_PUBLIC_URL else None,
            "url_protocol": f"{_public.scheme}:" if NEWSROOM_MEDIA_PUBLIC_URL else "https:",
            # Public media: plain addresses a page, a feed or a CDN can keep, not expiring ones.
            "querystring_auth": False,
            # An upload never replaces another's file: renditions are named after it.
            "file_overwrite": False,
        },
    }
    if NEWSROOM_MEDIA_PUBLIC_URL:
        MEDIA_ORIGINS = [f"{_public.scheme}://{_public.netloc}"]
    elif _endpoint:
        _endpoint_parts = urlsplit(_endpoint)
        MEDIA_ORIGINS = [f"{_endpoint_parts.scheme}://{_endpoint_parts.netloc}"]
    else:
        MEDIA_ORIGINS = [
            f"https://{NEWSROOM_S3_BUCKET}.s3.amazonaws.com",
            f"https://{NEWSROOM_S3_BUCKET}.s3.{_region or 'us-east-1'}.amazonaws.com",
        ]
# Django's own default is 2.5 MB; featured images may be larger (NEWSROOM_MAX_IMAGE_BYTES).
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Email (Django 6.1 mailers): SMTP. Without EMAIL_HOST, mail is printed to the console with
# debug on, and handed to the local mail server (Postfix, nullmailer…) on port 25 without.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
if EMAIL_HOST or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST or "localhost",
                "port": env_int("EMAIL_PORT", 587 if EMAIL_HOST else 25),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST)),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
del EMAIL_HOST  # deprecated as a setting in Django 6.1; MAILERS carries it
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (moderators' mail, image renditions, retention) runs as django.tasks
# tasks. Stored as rows in the site's own database (django-tasks-db), so a queued task
# survives a restart or deploy and needs no other service; `manage.py db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Security: strict in production, relaxed only where plain-HTTP development needs it.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Newsroom's own settings.
NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom")
NEWSROOM_SITE_TAGLINE = os.environ.get(
    "NEWSROOM_SITE_TAGLINE", "Independent news, carefully sourced"
)
# The footer's links to the newsroom's own pages (a path or a full URL; empty leaves a link out).
NEWSROOM_ABOUT_URL = os.environ.get("NEWSROOM_ABOUT_URL", "")
NEWSROOM_CONTACT_URL = os.environ.get("NEWSROOM_CONTACT_URL", "")
NEWSROOM_CORRECTIONS_URL = os.environ.get("NEWSROOM_CORRECTIONS_URL", "")
NEWSROOM_PRIVACY_URL = os.environ.get("NEWSROOM_PRIVACY_URL", "/privacy/")
NEWSROOM_PAGE_SIZE = env_int("NEWSROOM_PAGE_SIZE", 20)
# Uploaded images: largest file in bytes and largest picture in pixels (width × height).
NEWSROOM_MAX_IMAGE_BYTES = env_int("NEWSROOM_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
NEWSROOM_MAX_IMAGE_PIXELS = env_int("NEWSROOM_MAX_IMAGE_PIXELS", 40_000_000)
# Frames of an animated GIF/WebP/PNG; each is decoded when the upload is cleaned.
NEWSROOM_MAX_IMAGE_FRAMES = env_int("NEWSROOM_MAX_IMAGE_FRAMES", 300)
# Let Django serve uploaded media itself (always on with debug). In production prefer the
# web server in front of gunicorn (see README); this suits a small single-server site.
NEWSROOM_SERVE_MEDIA = env_bool("NEWSROOM_SERVE_MEDIA", DEBUG)
# The public address of the site, for links in emails (e.g. https://news.example.com).
NEWSROOM_SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "http://127.0.0.1:8000")

# Mastodon servers whose posts may be embedded in article bodies (articles/embeds.py).
NEWSROOM_EMBED_MASTODON_HOSTS = env_list(
    "NEWSROOM_EMBED_MASTODON_HOSTS",
    "mastodon.social,mastodon.online,mstdn.social,journa.host,newsie.social",
)

# Reader comments. See README "Comment moderation" for what each rule does.
# all | first_time (hold until the email has an approved comment) | none
NEWSROOM_COMMENT_MODERATION = os.environ.get("NEWSROOM_COMMENT_MODERATION", "first_time")
if NEWSROOM_COMMENT_MODERATION not in {"all", "first_time", "none"}:
    raise ImproperlyConfigured("NEWSROOM_COMMENT_MODERATION must be all, first_time or none.")
NEWSROOM_COMMENT_MAX_LINKS = env_int("NEWSROOM_COMMENT_MAX_LINKS", 2)
NEWSROOM_COMMENT_MODERATION_KEYWORDS = env_list("NEWSROOM_COMMENT_MODERATION_KEYWORDS")
NEWSROOM_COMMENT_DISALLOWED_KEYWORDS = env_list("NEWSROOM_COMMENT_DISALLOWED_KEYWORDS")
NEWSROOM_COMMENT_MAX_DEPTH = env_int("NEWSROOM_COMMENT_MAX_DEPTH", 5)
NEWSROOM_COMMENTS_PER_PAGE = env_int("NEWSROOM_COMMENTS_PER_PAGE", 50)
# Replies shown under each top-level comment on the article page (any depth, earliest
# first); the rest are on the thread's own page, this many per page.
NEWSROOM_COMMENT_REPLIES_SHOWN = env_int("NEWSROOM_COMMENT_REPLIES_SHOWN", 20)
NEWSROOM_COMMENT_REPLIES_PER_PAGE = env_int("NEWSROOM_COMMENT_REPLIES_PER_PAGE", 100)
# Close comments this many days after publishing; 0 keeps them open.
NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = env_int("NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS", 0)
NEWSROOM_COMMENT_FLOOD_SECONDS = env_int("NEWSROOM_COMMENT_FLOOD_SECONDS", 15)
# A form sent sooner than this after it was shown, or older than the maximum, is treated as spam.
NEWSROOM_COMMENT_MIN_SECONDS = env_int("NEWSROOM_COMMENT_MIN_SECONDS", 3)
NEWSROOM_COMMENT_MAX_FORM_AGE = env_int("NEWSROOM_COMMENT_MAX_FORM_AGE", 24 * 60 * 60)
# Days a comment keeps the IP address and user agent it was posted from; a daily task
# (`manage.py purge_comment_ips`) blanks them after that. Blocklist entries are not touched.
NEWSROOM_COMMENT_IP_RETENTION_DAYS = env_int("NEWSROOM_COMMENT_IP_RETENTION_DAYS", 90)
if NEWSROOM_COMMENT_IP_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("NEWSROOM_COMMENT_IP_RETENTION_DAYS must be 1 or more.")
# Hours a commenter's link to confirm their address for notifications keeps working. At most
# one such link is mailed to an address a day, however often the form asks for it.
NEWSROOM_COMMENT_NOTIFY_CONFIRM_HOURS = env_int("NEWSROOM_COMMENT_NOTIFY_CONFIRM_HOURS", 48)
if NEWSROOM_COMMENT_NOTIFY_CONFIRM_HOURS < 1:
    raise ImproperlyConfigured("NEWSROOM_COMMENT_NOTIFY_CONFIRM_HOURS must be 1 or more.")
# Moderators are mailed about held comments at most once in this many seconds: the first
# held after a quiet spell at once, the rest together in the next mail.
NEWSROOM_MODERATOR_MAIL_SECONDS = env_int("NEWSROOM_MODERATOR_MAIL_SECONDS", 60)
if NEWSROOM_MODERATOR_MAIL_SECONDS < 0:
    raise ImproperlyConfigured("NEWSROOM_MODERATOR_MAIL_SECONDS must be 0 or more.")
# Readers' reports: this many (from different readers) send a published comment back to the
# moderation queue; one address may send this many reports an hour.
NEWSROOM_COMMENT_REPORTS_TO_HOLD = env_int("NEWSROOM_COMMENT_REPORTS_TO_HOLD", 3)
if NEWSROOM_COMMENT_REPORTS_TO_HOLD < 1:
    raise ImproperlyConfigured("NEWSROOM_COMMENT_REPORTS_TO_HOLD must be 1 or more.")
NEWSROOM_COMMENT_REPORTS_PER_HOUR = env_int("NEWSROOM_COMMENT_REPORTS_PER_HOUR", 10)
if NEWSROOM_COMMENT_REPORTS_PER_HOUR < 1:
    raise ImproperlyConfigured("NEWSROOM_COMMENT_REPORTS_PER_HOUR must be 1 or more.")
# Where readers write to have their data exported or erased (the privacy page names it).
NEWSROOM_PRIVACY_CONTACT = os.environ.get("NEWSROOM_PRIVACY_CONTACT", "").strip() or (
    DEFAULT_FROM_EMAIL
)
# Public pages (newsroom/pagecache.py): how long the page cache keeps one (0 turns it off;
# changes refresh pages at once either way), and what Cache-Control tells browsers
# (max-age), shared caches such as a CDN (s-maxage) and both while they revalidate.
# On by default where every process sees the same cache: with Redis, or with debug on (one
# runserver process). Several gunicorn workers each with their own local memory would not
# see each other's changes.
NEWSROOM_PAGE_CACHE_SECONDS = env_int(
    "NEWSROOM_PAGE_CACHE_SECONDS", 600 if REDIS_URL or DEBUG else 0
)
# How long an app server trusts its own copy of the content versions (newsroom/pagecache.py):
# changes made through another server reach its readers within this time. 0: ask Redis on
# every request.
NEWSROOM_PAGE_CACHE_LOCAL_MS = env_int("NEWSROOM_PAGE_CACHE_LOCAL_MS", 500)
# Fragments of public pages (newsroom/fragments.py: an article's comment threads and related
# articles), for readers the page cache does not answer: how long one is kept, 0 for off.
# Changes refresh them at once; on by default where the page cache is, for the same reason.
NEWSROOM_FRAGMENT_CACHE_SECONDS = env_int(
    "NEWSROOM_FRAGMENT_CACHE_SECONDS", 600 if REDIS_URL or DEBUG else 0
)
NEWSROOM_CACHE_MAX_AGE = env_int("NEWSROOM_CACHE_MAX_AGE", 0)
NEWSROOM_CACHE_S_MAXAGE = env_int("NEWSROOM_CACHE_S_MAXAGE", 60)
NEWSROOM_CACHE_STALE_WHILE_REVALIDATE = env_int("NEWSROOM_CACHE_STALE_WHILE_REVALIDATE", 30)
# How many proxies in front of the app append to X-Forwarded-For (0: use the socket address).
NEWSROOM_TRUSTED_PROXY_COUNT = env_int("NEWSROOM_TRUSTED_PROXY_COUNT", 0)
# Front caches (Varnish; newsroom/frontcache.py) that a change sends BAN to, by address.
NEWSROOM_FRONT_CACHE_URLS = env_list("NEWSROOM_FRONT_CACHE_URLS")


def _is_http_address(value: str) -> bool:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError when it is not a port number)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


for _front_cache in NEWSROOM_FRONT_CACHE_URLS:
    if not _is_http_address(_front_cache):
        raise ImproperlyConfigured(
            "NEWSROOM_FRONT_CACHE_URLS must be comma-separated http:// or https:// addresses "
            f"such as http://127.0.0.1:6081, not {_front_cache!r}."
        )

# Content-Security-Policy (Django's own middleware): scripts and styles only from this site,
# inline scripts only with the request's nonce (`{% csp_nonce_attr %}`; the admin and
# django-js-asset's import map use it too). JSON-LD is data, which the browser never runs,
# so it needs no nonce. Frames: only the players and posts that an article's embeds load
# after a click (articles/embeds.py), nothing may frame this site, forms post only here.
EMBED_FRAME_HOSTS = [
    "www.youtube-nocookie.com",
    "player.vimeo.com",
    "platform.twitter.com",
    "www.instagram.com",
    "embed.bsky.app",
    *NEWSROOM_EMBED_MASTODON_HOSTS,
]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # The one inline style: the editor's (Tiptap's) own base rules, injected as a <style>.
    # A new django-prose-editor may change them; the browser tests then name the new hash.
    "style-src": [CSP.SELF, "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"],
    # Style attributes (not <style> elements) are allowed: an image's focal point crops it
    # through object-position in its own style attribute. A style attribute runs no script,
    # and no HTML a reader or writer typed keeps one (articles/sanitize.py, comments).
    "style-src-attr": [CSP.UNSAFE_INLINE],
    # The newsroom's own media host (object storage or its CDN) is the site's, not a third
    # party's: pictures load from it; nothing else does.
    "img-src": [CSP.SELF, "data:", *MEDIA_ORIGINS],
    "frame-src": [f"https://{host}" for host in EMBED_FRAME_HOSTS],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
# Powerful browser features the site never uses, denied to it and to every frame it embeds
# (newsroom/headers.py). The embedded players keep fullscreen, picture-in-picture and
# encrypted media, which their frames ask for. Only features Chromium knows: it logs an
# error for each unknown one (the browser tests fail on it).
PERMISSIONS_POLICY = dict.fromkeys(
    (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    ),
    (),
)

# Admin login throttling (django-axes): after NEWSROOM_LOGIN_FAILURE_LIMIT failed logins for
# one username, or from one address, that username or address is locked out for
# NEWSROOM_LOGIN_COOLOFF_MINUTES. Attempts are counted in the database, so every app server
# sees them; a successful login clears the count.
AXES_FAILURE_LIMIT = env_int("NEWSROOM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("NEWSROOM_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The address as comments see it (NEWSROOM_TRUSTED_PROXY_COUNT), so a proxy's address never
# stands for every reader.
AXES_CLIENT_IP_CALLABLE = "comments.views.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
