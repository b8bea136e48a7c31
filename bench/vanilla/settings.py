"""Stock Django for bench/vanilla.sh: startproject's middleware, database sessions, one page.

Nothing of backpain: it shows what signing in costs any Django app on this machine, the
floor under every signed-in page of ours (docs/performance.md, "The signed-in floor in
stock Django"). Persistent connections without health checks, its cheapest setting.
"""

import os

SECRET_KEY = "bench-only-not-a-secret"  # serves 127.0.0.1 for a minute, holds no real data
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.vanilla.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("VANILLA_DB", "backpain_vanilla"),
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": 5432,
        "CONN_MAX_AGE": 60,
    }
}
USE_TZ = True
