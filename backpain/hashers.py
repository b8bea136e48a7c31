"""Argon2 at the cost the settings name.

Django's hasher keeps its cost in class attributes; this one reads them from settings, which
read the environment. Production keeps Django's defaults (`check --deploy` refuses less);
`make test` lowers them, because the suite hashes hundreds of passwords and each hash at full
cost fills 100 MiB and keeps both of CI's cores busy for half a second.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import hashers


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    @property
    def time_cost(self) -> int:  # type: ignore[override]
        return settings.ARGON2_TIME_COST

    @property
    def memory_cost(self) -> int:  # type: ignore[override]
        return settings.ARGON2_MEMORY_COST

    @property
    def parallelism(self) -> int:  # type: ignore[override]
        return settings.ARGON2_PARALLELISM
