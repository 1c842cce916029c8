"""linli settings: one module, everything from the environment.

The defaults are the embedded mode (SQLite under var/, tasks in-process, keys generated
under var/), so `make run` works on a bare machine. Production sets DATABASE_URL,
REDIS_URL, SECRET_KEY, LINLI_FIELD_KEYS and DEBUG=0.
"""

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LINLI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _var_secret(filename: str, make) -> str:
    """A secret kept in var/ for the embedded mode: generated once, then reused."""
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or _var_secret("secret_key", lambda: secrets.token_urlsafe(50))
# Keys for the encrypted private fields (phone, ID number). The first encrypts; all decrypt,
# so a key can be rotated by putting the new one first.
FIELD_ENCRYPTION_KEYS = envlist("LINLI_FIELD_KEYS") or [_var_secret("field.key", _fernet_key)]
# Keyed hash for looking up phones and ID numbers without decrypting them.
FIELD_HASH_KEY = os.environ.get("LINLI_HASH_KEY") or _var_secret("hash.key", lambda: secrets.token_hex(32))

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
# How many reverse proxies of ours stand in front (X-Forwarded-For is trusted that many hops back).
TRUSTED_PROXIES = int(os.environ.get("LINLI_TRUSTED_PROXIES", "0"))
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "auditlog",
    # Only for its bundled Swagger UI (templates + static): /api/v1/docs loads nothing from a CDN.
    "ninja",
    "axes",
    "linli.places",
    "linli.people",
    "linli.accounts",
    "linli.cases",
    "linli.notices",
    "linli.votes",
    "linli.elevators",
    "linli.topics",
    "linli.meetings",
    "linli.resolutions",
    "linli.conventions",
    "linli.volunteers",
    "linli.campaigns",
    "linli.patrols",
    "linli.rosters",
    "linli.results",
    "linli.privacy",
    "linli.demo",
    "linli.backup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "linli.lib.security.SecurityHeadersMiddleware",  # CSP and Permissions-Policy, static files too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linli.urls"
WSGI_APPLICATION = "linli.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "linli" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "linli.accounts.context.ui",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'linli.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one gunicorn worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# A read replica (optional): the results pages and API read their aggregates from it
# (linli/results/db.py). Tests mirror it onto the default database.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Django's Redis cache, but a Redis restart reads as a miss instead of a 500 (linli/lib/cache.py).
    CACHES = {"default": {"BACKEND": "linli.lib.cache.TolerantRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses every login for an account and address that failed too often.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "linli.accounts.backends.PhoneOrUsernameBackend",
]
LOGIN_URL = "accounts:login"
# Login throttling (django-axes): 5 wrong passwords for one account from one address lock that
# pair for 15 minutes; a good password resets the count. Keyed on the pair, so a stranger
# cannot lock a resident out from elsewhere.
AXES_FAILURE_LIMIT = int(os.environ.get("LINLI_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LINLI_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "linli.accounts.lockout.response"
AXES_CLIENT_IP_CALLABLE = "linli.lib.api_support.client_ip"
AXES_VERBOSE = False
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "linli" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "linli" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing
# The audit log masks private fields as the pages do (138****5678), not its default half-mask.
AUDITLOG_MASK_CALLABLE = "linli.lib.masking.mask_private"

MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

# --- web security (docs/security.md) ---
# LINLI_HTTPS=1 behind HTTPS (SECURE_COOKIES=1, its older name, still works): cookies only over
# HTTPS, HSTS, and http:// redirected. Off by default so `make run` works on http://127.0.0.1.
HTTPS = envbool("LINLI_HTTPS", envbool("SECURE_COOKIES", False))
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("LINLI_SESSION_DAYS", "14")) * 86400
# Redirecting http:// needs to know how the client came: behind a proxy that terminates TLS, only
# its X-Forwarded-Proto tells (below); without it every request would look like http and loop.
SECURE_SSL_REDIRECT = HTTPS and envbool("LINLI_HTTPS_REDIRECT", bool(TRUSTED_PROXIES))
SECURE_HSTS_SECONDS = int(os.environ.get("LINLI_HSTS_SECONDS", str(365 * 86400))) if HTTPS else 0
# Subdomains of linli's own host name only (HSTS never reaches a parent domain). Preloading into
# browsers is a one-way step an operator takes himself (hstspreload.org): not by default.
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("LINLI_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("LINLI_HSTS_PRELOAD", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer checks each process over plain http
if HTTPS and TRUSTED_PROXIES:
    # Only our own proxy sets this header (it must overwrite what the client sent).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts from our origin only: no inline <script>, no eval (a test scans every template).
# Inline styles are allowed: htmx adds its indicator style, Swagger UI and the admin set styles.
CONTENT_SECURITY_POLICY = os.environ.get(
    "LINLI_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
)
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

# Tasks: in-process in the embedded default; Celery on Redis when CELERY_BROKER_URL is set.
TASKS_EAGER = not os.environ.get("CELERY_BROKER_URL")

# Uploads for import can be large spreadsheets.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_BYTES = int(os.environ.get("LINLI_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
PHOTO_MAX_BYTES = int(os.environ.get("LINLI_PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))
# A font with Chinese glyphs for printed posters (path to .ttf/.otf/.ttc); found on the system when empty.
CJK_FONT = os.environ.get("LINLI_CJK_FONT", "")
# A TrueType (glyf-outline) Chinese font embedded in every PDF (path to .ttf/.ttc, face 0);
# WenQuanYi Micro Hei / Zen Hei are found on the system when empty (linli/lib/pdf_fonts.py).
PDF_CJK_FONT = os.environ.get("LINLI_PDF_FONT", "")

AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500

# Cases (issue 3): periods in days; deadlines per kind are data (cases.DeadlineRule).
CASES_CONFIRM_DAYS = int(os.environ.get("LINLI_CASES_CONFIRM_DAYS", "7"))  # resolved → closed without an answer
CASES_REVISIT_AFTER_WORKDAYS = int(os.environ.get("LINLI_CASES_REVISIT_AFTER", "3"))  # unrated → 回访 task
CASES_ESCALATE_AFTER_DAYS = int(os.environ.get("LINLI_CASES_ESCALATE_AFTER", "3"))  # overdue → the subdistrict
CASES_REOPEN_DAYS = int(os.environ.get("LINLI_CASES_REOPEN_DAYS", "30"))  # a closed case may be reopened

# Topics (议题, issue 5, docs/topics.md): supports a topic needs to be ready for an agenda, per
# scope; frozen into each topic when it is proposed.
TOPICS_THRESHOLDS = {
    "stairwell": int(os.environ.get("LINLI_TOPICS_STAIRWELL", "3")),
    "building": int(os.environ.get("LINLI_TOPICS_BUILDING", "5")),
    "compound": int(os.environ.get("LINLI_TOPICS_COMPOUND", "20")),
    "community": int(os.environ.get("LINLI_TOPICS_COMMUNITY", "30")),
}

# Notifications (issue 8, docs/notices.md).
NOTICES_BASE_URL = os.environ.get("LINLI_BASE_URL", "")  # makes links absolute in messages sent outside linli
NOTICES_RETRY_DELAYS = [int(s) for s in envlist("LINLI_NOTICES_RETRY_DELAYS", "60,300,1800,7200")]  # seconds
NOTICES_IN_THREAD = True  # embedded mode: send after commit in a background thread (tests set False: inline)
NOTICES_SMS_BACKEND = os.environ.get("LINLI_SMS_BACKEND", "linli.notices.channels.sms.ConsoleSmsBackend")
# Files sent with an announcement: at most this many, each at most this large.
NOTICES_ATTACHMENTS_MAX = int(os.environ.get("LINLI_NOTICES_ATTACHMENTS_MAX", "5"))
NOTICES_ATTACHMENT_MAX_BYTES = int(os.environ.get("LINLI_NOTICES_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 5
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "邻里 linli <noreply@localhost>")
# Celery (linli/celery.py), used when CELERY_BROKER_URL is set. Tasks are acknowledged after
# they ran, so a worker that dies mid-task loses nothing; deliveries guard against running twice.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3 * 3600}  # longer than the longest retry delay
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE

# make bench only (docs/bench.md): SQL query counts in response headers and a bare view as the floor.
BENCH = envbool("LINLI_BENCH", False)
if BENCH:
    MIDDLEWARE = ["linli.lib.bench.QueryCountMiddleware", *MIDDLEWARE]

# Volunteering (issue 6, docs/volunteers.md): how far ahead recurring series are materialised, and
# the time-bank rate: points = minutes × VOLUNTEERS_POINTS_PER_HOUR / 60 (1 point per hour of service).
VOLUNTEERS_HORIZON_WEEKS = int(os.environ.get("LINLI_VOLUNTEERS_HORIZON_WEEKS", "8"))
VOLUNTEERS_POINTS_PER_HOUR = os.environ.get("LINLI_VOLUNTEERS_POINTS_PER_HOUR", "1")

# Door-to-door campaigns (issue 7, docs/campaigns.md): a home found "not at home" is due for a
# revisit this many days later.
CAMPAIGNS_REVISIT_DAYS = int(os.environ.get("LINLI_CAMPAIGNS_REVISIT_DAYS", "2"))

# Retention of personal data (issue 11, docs/privacy.md has the reasons): `manage.py
# retention_sweep` (daily) deletes or empties what is older than these.
RETENTION_REVEALS_YEARS = int(os.environ.get("LINLI_RETAIN_REVEALS_YEARS", "3"))
RETENTION_DELIVERIES_DAYS = int(os.environ.get("LINLI_RETAIN_DELIVERIES_DAYS", "90"))
RETENTION_NOTIFICATIONS_DAYS = int(os.environ.get("LINLI_RETAIN_NOTIFICATIONS_DAYS", "365"))
RETENTION_LOGINS_DAYS = int(os.environ.get("LINLI_RETAIN_LOGINS_DAYS", "90"))
RETENTION_CASE_PHOTOS_YEARS = int(os.environ.get("LINLI_RETAIN_CASE_PHOTOS_YEARS", "2"))
RETENTION_CASE_CONTACTS_YEARS = int(os.environ.get("LINLI_RETAIN_CASE_CONTACTS_YEARS", "3"))
RETENTION_CORRECTIONS_DAYS = int(os.environ.get("LINLI_RETAIN_CORRECTIONS_DAYS", "180"))
