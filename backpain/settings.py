"""Settings for backpain, read from the environment.

Local work needs no environment at all (see the defaults below); production
sets the variables listed in the README and passes `manage.py check --deploy`.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    """Return the variable, or the default; fail loudly when neither exists."""
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Set the environment variable {name}.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_secret(name: str, default: str | None = None) -> str:
    """Return the variable, else the contents of the file named by `<name>_FILE`.

    A file keeps the secret out of the process list and shell history; `make run`
    generates one under the git-ignored `.data/`.
    """
    path = os.environ.get(f"{name}_FILE")
    if name not in os.environ and path:
        try:
            return Path(path).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {error}") from None
    return env_str(name, default)


DEBUG = env_bool("DEBUG", False)
# A fixed key is only acceptable while debugging on a developer's machine.
SECRET_KEY = env_secret("SECRET_KEY", "django-insecure-local-development-only" if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "apps.accounts",
    "backpain.admin.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "apps.screening",
    "apps.checklist",
    "apps.exercises",
    "apps.progress",
    "apps.clinic",
]

MIDDLEWARE = [
    # First, so its headers reach every response: static files, redirects and early 400s.
    "backpain.middleware.security_headers",
    "django.middleware.security.SecurityMiddleware",
    "backpain.middleware.StaticFiles",
    "csp.middleware.CSPMiddleware",
    "backpain.middleware.reject_bad_input",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, given the user read together with the session (apps/accounts/backends.py).
    "apps.accounts.backends.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.accounts.sessions.session_limits",
]

ROOT_URLCONF = "backpain.urls"
# bench/run.sh sets this to serve a bare page at /bench/bare/ to measure every page against.
BENCH_BARE_VIEW = env_bool("BENCH_BARE_VIEW", False)
WSGI_APPLICATION = "backpain.wsgi.application"

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
                "backpain.context_processors.csp_nonce",
                # Django's csrf_token, remembered per request so a kept page can cut it out.
                "backpain.page_cache.csrf",
                "backpain.content_cache.content_version",
                "backpain.pwa.device_account",
            ],
            "builtins": ["django.templatetags.static", "backpain.shell"],
        },
    },
]
FORM_RENDERER = "backpain.forms.FormRenderer"

# Connection reuse, one of two ways (docs/performance.md, "Connection reuse"). By default each
# thread keeps its own connection for CONN_MAX_AGE seconds: gunicorn's threads
# (backpain/gunicorn.conf.py) serve one request each at a time, so one connection is all a
# thread can use. DB_POOL_SIZE=N instead shares psycopg's pool of up to N connections among a
# process's threads, for when workers × threads connections are more than PostgreSQL allows.
# Either way a connection is checked before reuse, so a database restart costs one reconnect,
# not an error page.
DB_POOL_SIZE = env_int("DB_POOL_SIZE", 0)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backpain"),
        # Django refuses persistent connections together with a pool: the pool keeps them.
        conn_max_age=0 if DB_POOL_SIZE else env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Django's backend with a cheaper health check (backpain/postgres/base.py).
DATABASES["default"]["ENGINE"] = "backpain.postgres"
# PostgreSQL prices a random page read at 4 sequential ones, a figure for spinning disks. On
# SSDs, with the working set in memory, 1.1 is the usual setting: without it the planner
# scans every account to find a clinician's 200 patients (docs/performance.md, Scale data).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    f"-c random_page_cost={env_str('DB_RANDOM_PAGE_COST', '1.1')}"
)
# Server-side binding lets psycopg prepare a query PostgreSQL has seen 5 times on this
# connection, so it is planned once, not on every request (docs/performance.md).
if env_bool("DB_SERVER_SIDE_BINDING", False):
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
if DB_POOL_SIZE:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_SIZE,
        # Seconds a request waits for a free connection before it fails.
        "timeout": env_int("DB_POOL_TIMEOUT", 10),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The database cache keeps login rate limits shared by every gunicorn worker.
CACHES = {
    # Shared by every process and instance: login throttling and the content version.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
        # Django's default (300) would let a burst of logins from many addresses cull the
        # failed-login counts early; each write counts the rows, so not unbounded either.
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
    # Each process's own: rendered content that is the same for everyone, keyed by the
    # content version (backpain/content_cache.py). Never anything about a person.
    "content": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "content",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    # Each process's own: whole pages kept for one person until their data changes
    # (backpain/page_cache.py); every key holds the person's id and data version.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}
# How long a process trusts its last reading of the content version (backpain/content_cache.py)
# and keeps a page (backpain/page_cache.py): what changes with the clock alone, not with data,
# is at most this late.
CONTENT_VERSION_CHECK_SECONDS = env_int("CONTENT_VERSION_CHECK_SECONDS", 1)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60)

AUTH_USER_MODEL = "accounts.User"
# One backend: with Django's ModelBackend before it, a wrong password was hashed twice and a
# right one once. allauth's hashes once either way, and once for an unknown e-mail too.
AUTHENTICATION_BACKENDS = ["apps.accounts.backends.AuthenticationBackend"]
SESSION_ENGINE = "apps.accounts.backends"
PASSWORD_HASHERS = [
    "backpain.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Argon2's cost: Django's defaults (2 passes over 100 MiB in 8 lanes), which `check --deploy`
# holds production to. Only the test suite lowers them (the Makefile's `test`).
ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 2)
ARGON2_MEMORY_COST = env_int("ARGON2_MEMORY_COST", 102_400)  # KiB
ARGON2_PARALLELISM = env_int("ARGON2_PARALLELISM", 8)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # ASVS 5.0 2.1.1: at least 12 characters. The common-password list (20,000 passwords
    # seen in breaches, checked offline) stays below it.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_SIGNUP_FORM_CLASS = "apps.accounts.forms.SignupForm"
ACCOUNT_FORMS = {
    "login": "apps.accounts.signup.LoginForm",
    "signup": "apps.accounts.signup.SignupForm",
    "change_password": "apps.accounts.signup.ChangePasswordForm",
    "set_password": "apps.accounts.signup.SetPasswordForm",
    "reset_password": "apps.accounts.signup.ResetPasswordForm",
    "reset_password_from_key": "apps.accounts.signup.ResetPasswordKeyForm",
}
# Sign-up never says whether an e-mail has an account: both answers are "check your inbox",
# and the owner of a taken address gets an e-mail saying someone tried. That needs every new
# account to confirm its address before it can log in; the link logs in the browser that
# signed up.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_ADAPTER = "apps.accounts.adapter.AccountAdapter"
# Adding, removing or making primary an e-mail address asks for the password (or an
# authenticator code) again unless it was given in the last 5 minutes; so does every MFA
# change (MFA_REAUTHENTICATION_REQUIRED below). Changing the password asks for the current
# one. The account's address is told of each change.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 5 * 60
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Show "Remember me" at login: see SESSION_REMEMBER_AGE.
ACCOUNT_SESSION_REMEMBER = None
# Five wrong passwords for one account within 30 minutes lock it until the window passes,
# whichever address or Host they come from. Failures are not counted per IP, so one address
# cannot lock everyone out; per IP, "login" slows guessing to 30 tries a minute.
ACCOUNT_RATE_LIMITS = {"login": "30/m/ip", "login_failed": "5/30m/key"}
# Behind a proxy every request comes from the proxy's address: allauth's per-IP limits read
# the client's from the X-Forwarded-For entry the (trusted) proxy appended.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_PROXY", False) else 0
)

# Clinicians set up an authenticator app (TOTP, with recovery codes) before any clinic page
# shows patient data (apps.clinic.access.clinician_required); patients may opt in.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "backpain"
MFA_REAUTHENTICATION_REQUIRED = True

# A sign-in ends after 30 idle minutes and 12 hours after login, with the browser unless
# "Remember me" was ticked: then it lasts 14 days from login (apps.accounts.sessions).
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
SESSION_REMEMBER_AGE = 14 * 24 * 60 * 60
SESSION_COOKIE_AGE = SESSION_REMEMBER_AGE  # allauth gives a remembered cookie this age
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script reads it: htmx sends the token from hx-headers

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "backpain.storage.StaticStorage"},
}

# The console is for debugging only: it would print reset links into a production log.
# Unset in production, nothing is sent and `check --deploy` fails (backpain/checks.py).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "backpain.mail.NotConfiguredEmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "backpain <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")  # links in e-mails sent outside a request

# Security headers. Cross-Origin-Resource-Policy and no-store for signed-in
# pages come from backpain.middleware; the rest is Django's own.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# HTTPS=true in production turns on everything that assumes TLS.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    # __Host- cookies are Secure, for this host only, and path "/": no subdomain or plain-http
    # page can set or overwrite them. Browsers refuse them over http, so only with HTTPS.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preloading is a promise to browsers that outlives this deployment and is slow to take back,
# so only the operator makes it (HSTS_PRELOAD=true); Django's reminder to preload is silenced.
SECURE_HSTS_PRELOAD = HTTPS and env_bool("HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        # The service worker (its own fetches fall under its own connect-src) and the manifest.
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Reset keys and PostgreSQL's row details (user ids, answers) never reach the log.
    "filters": {"redact": {"()": "backpain.logs.Redact"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Queries are logged with their parameters at DEBUG: never, whatever LOG_LEVEL says
    # (Django's default "django" logger is at INFO already; this keeps it so).
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# N+1 detection for the test run: django-zeal (a dev dependency) raises when a request loads
# a relation once per row. pytest sets PYTEST_VERSION before it reads these settings, so the
# whole suite runs with it; ZEAL=false turns it off, ZEAL=true turns it on elsewhere.
# ZEAL_ALLOWLIST holds the lookups that are fine to repeat, each with its reason.
if env_bool("ZEAL", "PYTEST_VERSION" in os.environ):
    INSTALLED_APPS.append("zeal")
    MIDDLEWARE.append("backpain.middleware.n_plus_one_check")
    ZEAL_RAISE = True
    ZEAL_ALLOWLIST = [
        # allauth's e-mail confirmation fetches the one address being confirmed more than
        # once in a request: a fixed number of lookups, not one per row.
        {"model": "account.EmailAddress", "field": "*"},
        # update_or_create looks the row up again when a twin request created it first:
        # the race's fallback, for a row that is unique per patient (and week).
        {"model": "progress.Reminder", "field": "get()"},
        {"model": "progress.CheckIn", "field": "get()"},
        # One get_or_create per alert a check-in raises, at most one of each kind.
        {"model": "clinic.Alert", "field": "get()"},
    ]
