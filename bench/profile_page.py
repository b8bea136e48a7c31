"""Profile one page in-process, with run.sh's environment: `profile_page.py PATH [EMAIL] [TIMES]`.

Signs the person in without a password (force_login: the clinic asks only that a clinician
has an authenticator, which bench/prepare.py's has), warms the page up once, then requests it
TIMES times (default 20) under cProfile and prints where the time went (the top TOP, default 30).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpain.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from apps.accounts.models import User  # noqa: E402


def main(path: str, email: str | None = None, times: int = 20) -> None:
    setup_test_environment()  # the test client's host, "testserver", is allowed
    client = Client()
    if email:
        client.force_login(User.objects.get(email=email))
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    print(f"{path}: {len(response.content):,} bytes")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(times):
        client.get(path)
    profile.disable()
    stats = pstats.Stats(profile).strip_dirs()
    stats.sort_stats("cumulative").print_stats(int(os.environ.get("TOP", "30")))
    stats.sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main(sys.argv[1], *(sys.argv[2:3] or [None]), *(int(a) for a in sys.argv[3:4]))
