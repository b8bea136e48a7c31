"""The production settings, for the app the database-fault test serves with gunicorn.

Only the static storage differs: hashed names need `collectstatic`, which a test run does
not do; the pages' static links do not matter to what the test measures.
"""

from backpain.settings import *  # noqa: F403
from backpain.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
