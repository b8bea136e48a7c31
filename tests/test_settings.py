from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

# The production environment exactly as the README gives it (values are examples).
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Kq2-example-only-0f9a8e7d6c5b4a39281706f5e4d3c2b1a0-9f8e7d6c5b4a",
    "ALLOWED_HOSTS": "backpain.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://backpain.example.org",
    "HTTPS": "true",
    "BEHIND_PROXY": "true",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SITE_URL": "https://backpain.example.org",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not k.startswith("ARGON2_")  # `make test`'s cheap hashing is not production's
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "backpain.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_refuses_the_test_suites_cheap_argon2():
    env = {**PRODUCTION_ENV, "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_COST": "1024"}

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "backpain.E004" in result.stderr
    assert "ARGON2_MEMORY_COST=1024 (at least 102400)" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY" in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 60 + "\n")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    result = run_manage(
        "shell", "-v0", "-c", "from django.conf import settings; print(settings.SECRET_KEY)",
        env={**env, "SECRET_KEY_FILE": str(key_file)},
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "k" * 60


def test_an_unreadable_secret_key_file_fails_loudly(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    result = run_manage("check", env={**env, "SECRET_KEY_FILE": str(tmp_path / "missing")})

    assert result.returncode != 0
    assert "SECRET_KEY_FILE: cannot read" in result.stderr


def test_a_malformed_boolean_fails_loudly():
    result = run_manage("check", env={**PRODUCTION_ENV, "HTTPS": "maybe"})

    assert result.returncode != 0
    assert "HTTPS must be true or false" in result.stderr


def test_passwords_are_hashed_with_argon2():
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_connections_are_reused_with_health_checks():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    # Django's PostgreSQL backend with a cheaper check (tests/test_postgres_backend.py).
    assert settings.DATABASES["default"]["ENGINE"] == "backpain.postgres"


def test_argon2_hashes_at_the_cost_the_settings_name(settings):
    from django.contrib.auth.hashers import check_password, make_password

    settings.ARGON2_TIME_COST, settings.ARGON2_MEMORY_COST, settings.ARGON2_PARALLELISM = 3, 2048, 2

    encoded = make_password("correct-horse-battery-7")

    assert encoded.startswith("argon2$argon2id$v=19$m=2048,t=3,p=2$")
    assert check_password("correct-horse-battery-7", encoded)


CONNECTION_PROBE = (
    "from django.db import connection; from django.conf import settings; "
    "db = settings.DATABASES['default']; connection.ensure_connection(); "
    "print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'], db.get('OPTIONS', {}).get('pool'), "
    "connection.pool is not None)"
)


def test_connections_are_kept_and_checked_by_default():
    result = run_manage("shell", "-v0", "-c", CONNECTION_PROBE, env={"DEBUG": "true"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60", "True", "None", "False"]


def test_db_pool_size_turns_on_psycopgs_pool_instead():
    env = {"DEBUG": "true", "DB_POOL_SIZE": "4", "CONN_MAX_AGE": "60"}

    result = run_manage("shell", "-v0", "-c", CONNECTION_PROBE, env=env)

    # A query went through the pool: psycopg-pool is installed and Django accepts the options.
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["0", "True"]
    assert "'max_size': 4" in result.stdout
    assert result.stdout.split()[-1] == "True"
