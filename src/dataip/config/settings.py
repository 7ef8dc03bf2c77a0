"""Django settings for dataip, read from the environment with safe defaults.

Every setting that an operator may change is a ``DATAIP_*`` environment variable.
The embedded default needs nothing: SQLite and files under the data folder (``var/``).
Per-region registration rules (announcement length, validity...) are regime data in
``dataip/registry/regimes/``, not settings.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from dataip.config import logs
from dataip.config.storage import S3Place, local_storages, s3_storages

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    """A boolean environment variable: 1/true/yes/on or 0/false/no/off."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (got {value!r})")


def envlist(name: str, default: list[str]) -> list[str]:
    """A comma-separated list environment variable."""
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("DATAIP_DATA_DIR", "var")).resolve()
"""Where the embedded deployment keeps its database, uploads and keys."""
if _test_worker := os.environ.get("PYTEST_XDIST_WORKER"):
    # The tests run in parallel (pytest-xdist): each worker process, and each process it
    # starts, keeps its keys, files and caches in a folder of its own, e.g. var/test/gw0.
    DATA_DIR = DATA_DIR / _test_worker
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The secret key: from the environment, or generated once and kept in the data folder."""
    if key := os.environ.get("DATAIP_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DATAIP_DEBUG", default=False)
ALLOWED_HOSTS = envlist("DATAIP_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "dataip.accounts",
    "dataip.ledger",
    "dataip.registry",
    "dataip.certificates",
    "dataip.deposits",
    "dataip.web",
    "dataip.api",
    "dataip.subscribers.SubscribersConfig",
    "ninja",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id (docs/deployment.md, observability).
    "dataip.web.requestid.RequestIdMiddleware",
    "dataip.web.metrics.RequestMetricsMiddleware",
    # /healthz, /readyz and /metrics, before the host check and the redirect to https.
    "dataip.web.health.ProbesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "dataip.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dataip.web.responses.HeadAsGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dataip.web.responses.ConfidentialResponsesMiddleware",
    "dataip.web.errors.DomainErrorMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dataip.config.urls"
WSGI_APPLICATION = "dataip.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dataip.web.context.notifications",
                "dataip.web.context.site",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATAIP_DATABASE_URL", f"sqlite:///{DATA_DIR / 'dataip.sqlite3'}")
"""Database, as a URL: sqlite:///path or postgres://user@host:port/name."""
CONN_MAX_AGE = int(os.environ.get("DATAIP_DB_CONN_MAX_AGE", "0"))
"""Seconds a process keeps its database connection between requests (0: one per request).
``dataip appserver`` keeps them 60 s: a new PostgreSQL connection per request costs more
than a registration page's queries."""
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=CONN_MAX_AGE > 0
    )
}
DB_PREPARED = envbool("DATAIP_DB_PREPARED", default=True)
"""PostgreSQL: bind parameters on the server, so that psycopg prepares a statement a
connection runs often (its fifth time) and PostgreSQL plans it once, not at every request.
Set 0 behind a PgBouncer older than 1.21, or one without ``max_prepared_statements``."""
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_PREPARED:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers queue up
    # instead of failing half-way with "database is locked" on lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Hashes made before Argon2 are still accepted, and upgraded at the next sign-in.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: refuses every password while a user name or an address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

HTTPS = not DEBUG and envbool("DATAIP_HTTPS", default=False)
"""Served over https (directly or behind a TLS proxy): cookies are then marked Secure, plain
http is redirected, and browsers are told to keep to https (HSTS). Off by default, because the
embedded server (`dataip serve`) speaks plain http on the loopback address."""
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
if HTTPS and envbool("DATAIP_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
OTP_TOTP_ISSUER = "dataip"
"""The issuer name staff see in their authenticator app (two-factor sign-in, django-otp)."""
X_FRAME_OPTIONS = "DENY"

DATAIP_LOGIN_ATTEMPTS = int(os.environ.get("DATAIP_LOGIN_ATTEMPTS", "5"))
"""Failed sign-ins allowed per user name and address before a pause (see DATAIP_LOGIN_PAUSE)."""
DATAIP_LOGIN_PAUSE = int(os.environ.get("DATAIP_LOGIN_PAUSE", "900"))
"""Seconds a user name is refused from an address after too many failed sign-ins."""
DATAIP_IDENTITY_VERIFIER = os.environ.get(
    "DATAIP_IDENTITY_VERIFIER", "dataip.registry.verifiers.ManualReview"
)
"""Dotted path of the class that checks a new organisation's identity once its documents are in
(``ManualReview``: the registrar decides; ``CodeStructureCheck``: impossible codes refused)."""
DATAIP_IDENTITY_DOCUMENT_MAX_BYTES = int(
    os.environ.get("DATAIP_IDENTITY_DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024))
)
"""Largest business licence or authorisation accepted (PDF, JPEG or PNG), in bytes."""

DATAIP_CACHE_URL = os.environ.get("DATAIP_CACHE_URL", "")
"""Cache shared by all app servers (共享缓存), as a URL: ``redis://host:6379/0`` (or
``rediss://`` for TLS). It keeps the API request counts and the sign-in throttle, so several app
servers count together. Empty: each process keeps its own cache in local memory."""
if DATAIP_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DATAIP_CACHE_URL,
            "KEY_PREFIX": "dataip",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DATAIP_LIMIT_OBJECTIONS_PER_ANNOUNCEMENT = int(
    os.environ.get("DATAIP_LIMIT_OBJECTIONS_PER_ANNOUNCEMENT", "2")
)
"""Objections one person may file against one announcement (counted on the database; 0: no
limit)."""
DATAIP_LIMIT_DRAFTS_PER_DAY = int(os.environ.get("DATAIP_LIMIT_DRAFTS_PER_DAY", "50"))
"""Applications an organisation may start per calendar day in ``DATAIP_TIME_ZONE``, on the pages
and through the API together (counted on the database; 0: no limit)."""
DATAIP_LIMIT_API_TOKEN_PER_MINUTE = int(os.environ.get("DATAIP_LIMIT_API_TOKEN_PER_MINUTE", "600"))
"""API requests one token may make per minute (counted in the cache; 0: no limit)."""
DATAIP_LIMIT_API_ANONYMOUS_PER_MINUTE = int(
    os.environ.get("DATAIP_LIMIT_API_ANONYMOUS_PER_MINUTE", "120")
)
"""API requests without a token one client address may make per minute (counted in the cache;
0: no limit)."""
NINJA_NUM_PROXIES = 1 if HTTPS and envbool("DATAIP_BEHIND_PROXY", default=False) else 0
"""How many proxies stand before the app servers: the API counts requests without a token by
the address the last proxy saw (``X-Forwarded-For``) behind one, by the peer's address otherwise."""
DATAIP_LOGIN_ADDRESS_ATTEMPTS = int(os.environ.get("DATAIP_LOGIN_ADDRESS_ATTEMPTS", "20"))
"""Failed sign-ins allowed from one address across all user names (password spraying) before
the address is paused for DATAIP_LOGIN_PAUSE seconds."""
DATAIP_ENROLMENT_HOURS = int(os.environ.get("DATAIP_ENROLMENT_HOURS", "72"))
"""Hours a staff enrolment link (set the password and the authenticator) stays valid."""
DATAIP_PASSWORD_RESET_HOURS = int(os.environ.get("DATAIP_PASSWORD_RESET_HOURS", "24"))
"""Hours a password-reset link stays valid (it also stops working once used)."""
DATAIP_EMAIL_VERIFICATION_HOURS = int(os.environ.get("DATAIP_EMAIL_VERIFICATION_HOURS", "72"))
"""Hours an e-mail verification link stays valid."""
PASSWORD_RESET_TIMEOUT = DATAIP_PASSWORD_RESET_HOURS * 3600

# django-axes: failed sign-ins (portal, second factor, /admin/login/) counted in the database
# (SQLite or PostgreSQL; every app server sees the same counts), per user name and address and
# per address alone; see dataip.accounts.signin.
AXES_HANDLER = "dataip.accounts.signin.SignInAttempts"
AXES_FAILURE_LIMIT = "dataip.accounts.signin.attempts"
AXES_COOLOFF_TIME = "dataip.accounts.signin.pause"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_USERNAME_CALLABLE = "dataip.accounts.signin.username_of"
AXES_CLIENT_IP_CALLABLE = "dataip.web.security.client_address"
AXES_LOCKOUT_CALLABLE = "dataip.web.views.account.locked_out"
AXES_RESET_ON_SUCCESS = False  # SignInAttempts forgets the user name's own failures only
AXES_ENABLE_ADMIN = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("DATAIP_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("DATAIP_MEDIA_ROOT", str(DATA_DIR / "media"))).resolve()
"""Where uploaded materials are stored without object storage (local files, the default)."""

# Object storage (docs/operations.md, "Object storage"): with a bucket named, every stored file
# (materials, identity documents, evidence, deposit manifests, certificate PDFs, export
# snapshots, the log's tiles) is an object in that S3-compatible bucket, private; downloads
# still go through the registry's views, which check who may read them.
DATAIP_S3_BUCKET = os.environ.get("DATAIP_S3_BUCKET", "")
"""The bucket of an S3-compatible object store (MinIO, Ceph RGW, OSS...); empty: local files."""
DATAIP_S3_ENDPOINT_URL = os.environ.get("DATAIP_S3_ENDPOINT_URL", "") or None
"""The object store's address (``https://minio.internal:9000``); empty: the SDK's default."""
DATAIP_S3_REGION = os.environ.get("DATAIP_S3_REGION", "") or None
"""The bucket's region (``cn-shanghai``...); empty: the SDK's default."""
DATAIP_S3_ACCESS_KEY_ID = os.environ.get("DATAIP_S3_ACCESS_KEY_ID", "") or None
"""The access key; empty: the SDK's own chain (``AWS_ACCESS_KEY_ID``, a profile, a role)."""
DATAIP_S3_SECRET_ACCESS_KEY = os.environ.get("DATAIP_S3_SECRET_ACCESS_KEY", "") or None
"""The secret key that goes with ``DATAIP_S3_ACCESS_KEY_ID``."""
DATAIP_S3_ADDRESSING_STYLE = os.environ.get("DATAIP_S3_ADDRESSING_STYLE", "path")
"""``path`` (``endpoint/bucket/key``: MinIO, Ceph) or ``virtual`` (``bucket.endpoint/key``: OSS)."""
DATAIP_S3_PREFIX = os.environ.get("DATAIP_S3_PREFIX", "").strip("/")
"""A folder in the bucket for this registry (empty: the bucket's top); under it ``media/``,
``exports/`` and ``tlog/``."""
if DATAIP_S3_ADDRESSING_STYLE not in {"path", "virtual"}:
    raise ImproperlyConfigured("DATAIP_S3_ADDRESSING_STYLE must be 'path' or 'virtual'.")
STORAGES: dict[str, dict[str, Any]] = {
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    **(
        s3_storages(
            S3Place(
                bucket=DATAIP_S3_BUCKET,
                endpoint_url=DATAIP_S3_ENDPOINT_URL,
                region=DATAIP_S3_REGION,
                access_key_id=DATAIP_S3_ACCESS_KEY_ID,
                secret_access_key=DATAIP_S3_SECRET_ACCESS_KEY,
                addressing_style=DATAIP_S3_ADDRESSING_STYLE,
                prefix=DATAIP_S3_PREFIX,
            )
        )
        if DATAIP_S3_BUCKET
        else local_storages(DATA_DIR)
    ),
}
"""``default``: every uploaded or issued file; ``exports``: the bulk export's snapshots;
``tiles``: the log as C2SP tlog-tiles (static, for a CDN or mirror). See dataip.config.storage."""
DATAIP_LOG_TILES = envbool("DATAIP_LOG_TILES", default=True)
"""Write the log's tiles (``STORAGES["tiles"]``) in every ``dataip tick``, up to the newest
published checkpoint (off: only ``dataip tiles write`` writes them)."""
DATAIP_LOG_TILES_URL = os.environ.get("DATAIP_LOG_TILES_URL", "")
"""The public URL prefix of the tiles when a CDN or the object storage serves them (e.g.
``https://tiles.example.cn/log/v1/``), said by ``/.well-known/dataip-log-tiles``; empty: this
site's ``/log/v1/``."""

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

DATAIP_REGIME = os.environ.get("DATAIP_REGIME", "shanghai")
"""The regime (region's rules) that new applications follow by default."""

EMAIL_HOST = os.environ.get("DATAIP_EMAIL_HOST", "")
"""SMTP server for reminders and notices; without one, mail is written to the console log."""
EMAIL_PORT = int(os.environ.get("DATAIP_EMAIL_PORT", "25"))
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DATAIP_EMAIL_FROM", "registry@dataip.local")
"""The sender of the registry's mail."""

DATAIP_INVITATION_DAYS = int(os.environ.get("DATAIP_INVITATION_DAYS", "7"))
"""How many days an invitation to join an organisation (its single-use link) stays open."""
DATAIP_TOKEN_MAX_DAYS = int(os.environ.get("DATAIP_TOKEN_MAX_DAYS", "365"))
"""The longest life an API token may be given, in days from its creation."""

DATAIP_TICK_SECONDS = int(os.environ.get("DATAIP_TICK_SECONDS", "60"))
"""How often ``dataip tick`` runs across the whole deployment: every ``dataip serve`` and
``dataip worker`` competes for one lease in the database, and the one that wins runs it."""

TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "exports"]}
}
"""Background jobs (certificates, checkpoints, the notices' mail, webhooks, exports) are rows
in the registry's own database (django-tasks with the ORM backend), queued in the transaction
that makes them due (:mod:`dataip.jobs`): ``dataip worker`` runs them, or the thread ``dataip
serve`` starts. The long export snapshots have a queue of their own, ``exports``."""
DATAIP_SERVE_WORKER = envbool("DATAIP_SERVE_WORKER", default=True)
"""Whether ``dataip serve`` also runs the task worker in a thread (off when separate
``dataip worker`` processes run)."""
DATAIP_WORKER_INTERVAL = float(os.environ.get("DATAIP_WORKER_INTERVAL", "1"))
"""Seconds the task worker sleeps when no task waits."""
DATAIP_JOBS_AFTER_COMMIT = envbool("DATAIP_JOBS_AFTER_COMMIT", default=True)
"""Whether the process whose commit made a certificate or a checkpoint due also runs that job
right after the commit (the request returns with it done); off when separate ``dataip worker``
processes run the jobs (the queued row is there either way)."""
DATAIP_JOB_LEASE_SECONDS = int(os.environ.get("DATAIP_JOB_LEASE_SECONDS", "900"))
"""How long a job claimed by a worker may run before ``dataip tick`` puts it back in the queue
(its worker is taken to have died; the job runs again, which an idempotent job allows)."""
DATAIP_MAIL_RETRY_SECONDS = int(os.environ.get("DATAIP_MAIL_RETRY_SECONDS", "60"))
"""The wait after a failed notice mail before the next attempt (doubled each time, at most 6 h)."""
DATAIP_MAIL_LEASE_SECONDS = int(os.environ.get("DATAIP_MAIL_LEASE_SECONDS", "300"))
"""How long a worker's claim on an outbox row holds (a dead worker's rows are taken again)."""
DATAIP_WEBHOOK_RETRY_SECONDS = int(os.environ.get("DATAIP_WEBHOOK_RETRY_SECONDS", "30"))
"""The wait after a failed webhook delivery before the next attempt (doubled each time, at most
6 h)."""
DATAIP_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("DATAIP_WEBHOOK_MAX_ATTEMPTS", "10"))
"""Attempts of one webhook delivery before it is marked failed."""
DATAIP_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("DATAIP_WEBHOOK_TIMEOUT_SECONDS", "10"))
"""How long one webhook request may take (connect and answer)."""
DATAIP_WEBHOOK_LEASE_SECONDS = int(os.environ.get("DATAIP_WEBHOOK_LEASE_SECONDS", "120"))
"""How long a worker's claim on a webhook delivery holds (longer than a batch's requests)."""
DATAIP_WEBHOOK_PRIVATE_ADDRESSES = envbool("DATAIP_WEBHOOK_PRIVATE_ADDRESSES", default=False)
"""Whether webhooks may go to loopback, private, link-local or reserved addresses (off: only
public addresses, so a subscriber cannot make the registry call into its own network)."""

DATAIP_LOG_ORIGIN = os.environ.get("DATAIP_LOG_ORIGIN", "dataip.local/log/v1")
"""The evidence ledger's origin: first line of every checkpoint and the name of its signing key.

A schema-less URL without spaces or '+', e.g. ``registry.example.cn/log/v1``. Set it once,
before the first run: changing it later starts another log and the existing key refuses it.
"""

DATAIP_LOG_KEY_DIR = Path(os.environ.get("DATAIP_LOG_KEY_DIR", str(DATA_DIR / "ledger"))).resolve()
"""Folder of the ledger's Ed25519 signing key (``log.key``, mode 0600, made on first use) and
of ``log.vkeys``, every public key the log has used, oldest first (read by ``dataip.keystore``)."""

DATAIP_CHECKPOINT_INTERVAL = float(os.environ.get("DATAIP_CHECKPOINT_INTERVAL", "1"))
"""Seconds between the checkpoints a process signs after its commits (0: after every commit).
Entries committed in between are covered by the next checkpoint or by ``dataip tick``."""

DATAIP_TSA_URL = os.environ.get("DATAIP_TSA_URL", "")
"""RFC 3161 time-stamp authority that timestamps each checkpoint (empty: no timestamps)."""

DATAIP_TSA_TIMEOUT = float(os.environ.get("DATAIP_TSA_TIMEOUT", "10"))
"""Seconds to wait for the TSA; a checkpoint whose timestamp fails is retried by ``tick``."""

DATAIP_TSA_CA_FILE = os.environ.get("DATAIP_TSA_CA_FILE", "")
"""PEM file of the TSA's CA certificate(s): ``dataip audit`` then also checks token chains."""

DATAIP_WITNESSES = [
    tuple(entry.split())
    for entry in os.environ.get("DATAIP_WITNESSES", "").replace("\n", ";").split(";")
    if entry.strip()
]
"""The witnesses that cosign the log's checkpoints (C2SP tlog-witness): ``<cosignature vkey>
<add-checkpoint URL prefix>`` pairs separated by ``;`` or newlines, e.g.
``witness.example.cn/w1+1a2b3c4d+BK… http://witness.example.cn:8480``. Empty: no witnesses."""

DATAIP_WITNESS_QUORUM = int(os.environ.get("DATAIP_WITNESS_QUORUM", "0"))
"""How many of ``DATAIP_WITNESSES`` must have cosigned a checkpoint before the registry publishes
it (log API, bundles, certificates). 0: publish every checkpoint as signed (cosignatures, when
there are any, are still added to it)."""

DATAIP_WITNESS_TIMEOUT = float(os.environ.get("DATAIP_WITNESS_TIMEOUT", "5"))
"""Seconds to wait for a witness; a witness that does not answer is asked again by ``tick``."""

DATAIP_TRUST_LIST = os.environ.get("DATAIP_TRUST_LIST", "")
"""Trust list (互认名单) of peer registries, a file in the format of ``dataip verify
--trust-list`` (docs/evidence.md §7): the verify page and ``/api/v1/verify`` then also recognise
their evidence bundles. Empty: only this registry's own evidence."""

DATAIP_PUBLIC_URL = os.environ.get("DATAIP_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
"""The registry's public address: certificates' QR codes open ``<it>/verify/<number>``."""

# The portal's footer (docs/web.md, "Look and accessibility"): each line is shown only when set.
DATAIP_SITE_CONTACT = os.environ.get("DATAIP_SITE_CONTACT", "")
"""How to reach the registry, e.g. "400-000-0000 · help@registry.example"."""
DATAIP_SITE_HOURS = os.environ.get("DATAIP_SITE_HOURS", "")
"""Service hours, e.g. "Mon–Fri 9:00–17:00 (working days)" / "工作日 9:00–17:00"."""
DATAIP_SITE_RECORD_NUMBER = os.environ.get("DATAIP_SITE_RECORD_NUMBER", "")
"""The site's ICP record number (ICP 备案号), e.g. "沪ICP备00000000号"; linked to
beian.miit.gov.cn."""

DATAIP_CERTIFICATES_AUTO = envbool("DATAIP_CERTIFICATES_AUTO", default=True)
"""Render, sign and store a certificate right after the commit that makes it due (off: only
``issue_missing_certificates``, run by ``dataip tick``, issues them)."""

DATAIP_CERT_DIR = Path(os.environ.get("DATAIP_CERT_DIR", str(DATA_DIR / "certificates"))).resolve()
"""Folder of the registry's own CA and PDF-signing certificate, made on first use (keys 0600;
read by ``dataip.keystore``)."""

DATAIP_CERT_PKCS12_FILE = os.environ.get("DATAIP_CERT_PKCS12_FILE", "")
"""A PKCS#12 file with a real PDF-signing key, its certificate and chain (replaces the own CA)."""

DATAIP_CERT_PKCS12_PASSPHRASE_FILE = os.environ.get("DATAIP_CERT_PKCS12_PASSPHRASE_FILE", "")
"""File whose first line is the passphrase of ``DATAIP_CERT_PKCS12_FILE`` (unset: none)."""

DATAIP_CERT_CA_FILE = os.environ.get("DATAIP_CERT_CA_FILE", "")
"""PEM root certificate(s) that verifiers trust for the PDF signature (default: the own CA, or
the self-signed root in the PKCS#12 chain); published at ``/verify/ca.pem``."""

DATAIP_CERT_FONT = os.environ.get(
    "DATAIP_CERT_FONT", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
)
"""TrueType font (.ttf, or the first face of a .ttc) for certificates; it must cover Chinese."""

DATAIP_DEPOSIT_TSA = os.environ.get("DATAIP_DEPOSIT_TSA", "internal")
"""Who timestamps deposit statements: ``internal`` (the registry's own RFC 3161 TSA, no
network) or ``external`` (the ledger's TSA at ``DATAIP_TSA_URL``, trusted via
``DATAIP_TSA_CA_FILE``)."""

DATAIP_DEPOSIT_TSA_DIR = Path(
    os.environ.get("DATAIP_DEPOSIT_TSA_DIR", str(DATA_DIR / "tsa"))
).resolve()
"""Folder of the internal TSA's own CA and TSA certificate, made on first use (keys 0600;
read by ``dataip.keystore``)."""

DATAIP_DEPOSIT_TSA_KEY_FILE = os.environ.get("DATAIP_DEPOSIT_TSA_KEY_FILE", "")
"""PEM private key (ECDSA or RSA) of a real TSA certificate, replacing the own one."""

DATAIP_DEPOSIT_TSA_CERT_FILE = os.environ.get("DATAIP_DEPOSIT_TSA_CERT_FILE", "")
"""PEM TSA certificate of ``DATAIP_DEPOSIT_TSA_KEY_FILE`` (critical extendedKeyUsage
timeStamping only)."""

DATAIP_DEPOSIT_TSA_CA_FILE = os.environ.get("DATAIP_DEPOSIT_TSA_CA_FILE", "")
"""PEM CA certificate(s) that verifiers of deposit tokens trust (default: the own CA);
published at ``/deposits/tsa-ca.pem``."""

DATAIP_DEPOSIT_TSA_POLICY = os.environ.get(
    "DATAIP_DEPOSIT_TSA_POLICY", "2.25.61890944427107637438076577132189122595"
)
"""TSA policy OID written in every deposit token (default: a UUID-based OID, ITU-T X.667)."""

DATAIP_DEPOSIT_MAX_MANIFEST_BYTES = int(
    os.environ.get("DATAIP_DEPOSIT_MAX_MANIFEST_BYTES", str(50 * 1024 * 1024))
)
"""Largest manifest a holder may upload, in bytes (50 MiB: about 250,000 files)."""

DATAIP_DEPOSIT_OVERLAP_THRESHOLD = float(os.environ.get("DATAIP_DEPOSIT_OVERLAP_THRESHOLD", "0.5"))
"""Estimated Jaccard similarity or containment from which examiners see an overlap warning."""

DATAIP_DEPOSIT_PUBLISH_ROOT = envbool("DATAIP_DEPOSIT_PUBLISH_ROOT", default=True)
"""Whether the public deposit page shows the deposit root (number and time are always shown)."""

DATAIP_LOG_LEVEL = os.environ.get("DATAIP_LOG_LEVEL", "INFO")
"""The least severe log records written (DEBUG, INFO, WARNING, ERROR)."""
DATAIP_LOG_FORMAT = os.environ.get("DATAIP_LOG_FORMAT", "plain")
"""``plain`` (the message alone) or ``json`` (one object a line, with time, level, logger,
process and request id; ``dataip appserver`` uses it unless this is set)."""
DATAIP_ACCESS_LOG = envbool("DATAIP_ACCESS_LOG", default=False)
"""Whether each request writes one line (method, path, view, status, duration, request id) to
the ``dataip.access`` log (on by default under ``dataip appserver``)."""
try:
    LOGGING = logs.config(DATAIP_LOG_FORMAT, DATAIP_LOG_LEVEL, access=DATAIP_ACCESS_LOG)
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from None

DATAIP_METRICS_ALLOW = envlist("DATAIP_METRICS_ALLOW", ["127.0.0.1", "::1"])
"""Addresses or networks (``10.0.0.0/8``) that may read ``/metrics``; others get 404 unless
they bear ``DATAIP_METRICS_TOKEN``. Behind a TLS proxy (``DATAIP_BEHIND_PROXY``) the address is
the one the proxy saw."""
DATAIP_METRICS_TOKEN = os.environ.get("DATAIP_METRICS_TOKEN", "")
"""A bearer token (``Authorization: Bearer …``) that lets a scraper from any address read
``/metrics`` (empty: addresses only)."""

DATAIP_APPSERVER_BIND = os.environ.get("DATAIP_APPSERVER_BIND", "127.0.0.1:8000")
"""Where ``dataip appserver`` listens: ``HOST:PORT`` or ``unix:/path/to/socket``."""
DATAIP_APPSERVER_WORKERS = int(os.environ.get("DATAIP_APPSERVER_WORKERS", "0"))
"""Worker processes of ``dataip appserver`` (0: two per CPU plus one)."""
DATAIP_APPSERVER_THREADS = int(os.environ.get("DATAIP_APPSERVER_THREADS", "4"))
"""Threads per worker process of ``dataip appserver``: requests one process serves at once."""
DATAIP_APPSERVER_TIMEOUT = int(os.environ.get("DATAIP_APPSERVER_TIMEOUT", "60"))
"""Seconds a worker of ``dataip appserver`` may spend silent on a request before it is killed
and replaced."""

# Bulk export (docs/platforms.md): where the nightly snapshots are kept, and whether
# `dataip tick` writes one a day.
DATAIP_EXPORT_DIR = Path(os.environ.get("DATAIP_EXPORT_DIR", str(DATA_DIR / "exports"))).resolve()
"""The folder of the snapshots without object storage (with it: ``exports/`` in the bucket)."""
DATAIP_EXPORT_KEEP = int(os.environ.get("DATAIP_EXPORT_KEEP", "14"))
"""How many snapshots (days) are kept; older ones are deleted when a new one is written."""
DATAIP_EXPORT_SNAPSHOTS = envbool("DATAIP_EXPORT_SNAPSHOTS", default=True)
