"""The locked dependencies against the security releases that fix known vulnerabilities.

An offline check (pip-audit needs OSV or PyPI's per-release API, neither of which answers
here; see docs/security.md): every package in uv.lock named below must be at or above the
release that fixed each advisory for its series. Django's rows come from its archive of
security issues (https://docs.djangoproject.com/en/dev/releases/security/); to update,
add the new security release there and raise the lock (`uv lock --upgrade-package django`).
An exception (a vulnerable version kept on purpose) goes in EXCEPTIONS with its reason,
and in docs/security.md.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.version import Version

LOCK = Path(__file__).resolve().parents[2] / "uv.lock"

# (package, series it applies to, first fixed release, advisories fixed there)
ADVISORIES = [
    ("django", "5.2", "5.2.1", "CVE-2025-32873 (denial of service in strip_tags)"),
    ("django", "5.2", "5.2.3", "CVE-2025-48432 (log injection through request.path)"),
    ("django", "5.2", "5.2.6", "CVE-2025-57833 (SQL injection in FilteredRelation aliases)"),
    (
        "django",
        "5.2",
        "5.2.7",
        "CVE-2025-59681 (SQL injection in annotate/alias on MySQL), "
        "CVE-2025-59682 (directory traversal in archive.extract)",
    ),
    (
        "django",
        "5.2",
        "5.2.8",
        "CVE-2025-64458 (denial of service in redirects on Windows), "
        "CVE-2025-64459 (SQL injection through the _connector argument)",
    ),
    (
        "django",
        "5.2",
        "5.2.9",
        "CVE-2025-13372 (SQL injection in FilteredRelation on PostgreSQL), "
        "CVE-2025-64460 (denial of service in the XML serializer)",
    ),
    ("gunicorn", "", "22.0.0", "CVE-2024-1135 (request smuggling)"),
    ("gunicorn", "", "23.0.0", "CVE-2024-6827 (request smuggling through Transfer-Encoding)"),
    ("sqlparse", "", "0.4.4", "CVE-2023-30608 (regular-expression denial of service)"),
    ("sqlparse", "", "0.5.0", "CVE-2024-4340 (denial of service on nested lists)"),
    ("cryptography", "", "42.0.4", "CVE-2024-26130 (NULL dereference in PKCS#12)"),
]
# Supported series: Django 5.2 is a long-term support release, with security fixes until
# April 2028 (https://www.djangoproject.com/download/#supported-versions).
SUPPORTED_SERIES = {"django": "5.2"}
# package -> (locked version allowed, why); none today.
EXCEPTIONS: dict[str, tuple[str, str]] = {}


def locked() -> dict[str, Version]:
    packages = tomllib.loads(LOCK.read_text())["package"]
    return {package["name"]: Version(package["version"]) for package in packages}


def series(version: Version) -> str:
    return f"{version.major}.{version.minor}"


def test_every_locked_package_has_the_security_fixes_for_its_series():
    versions = locked()
    vulnerable = []
    for package, applies_to, fixed, advisories in ADVISORIES:
        version = versions.get(package)
        if version is None or (applies_to and series(version) != applies_to):
            continue
        if version < Version(fixed) and EXCEPTIONS.get(package, ("",))[0] != str(version):
            vulnerable.append(f"{package} {version} < {fixed}: {advisories}")
    assert vulnerable == []


def test_the_locked_series_still_gets_security_releases():
    versions = locked()
    assert {name: series(versions[name]) for name in SUPPORTED_SERIES} == SUPPORTED_SERIES


def test_the_advisories_apply_to_what_is_locked():
    # A typo in a package name or series would make its rows silently check nothing.
    versions = locked()
    for package, applies_to, _fixed, _advisories in ADVISORIES:
        assert package in versions, package
        assert not applies_to or series(versions[package]) == applies_to, package
