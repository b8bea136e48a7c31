"""Fuzzed posts to a person's own account forms: the sharing code (checked, then confirmed),
account deletion and the own-data export (see tests/security/fuzz.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from apps.accounts.models import CareLink, InviteCode, User
from tests.factories import ClinicianFactory, UserFactory

from .fuzz import FUZZ, Tally, check, csrf_client, posts

CODE_JUNK = st.sampled_from(
    [
        "ABCD-EF23",
        "OOOO-0000",
        "IL1I-L1IL",
        "abcd ef23 gh",
        "ABCDEFGH" * 3,
        "ABCDEFGHJ",
        "ABC",
        "ＡＢＣＤＥＦ２３",
        "ß" * 8,
    ]
)


def _typed(code: str) -> st.SearchStrategy[str]:
    """The ways a person types a real code: as shown, lower case, spaced, without the dash."""
    return st.sampled_from(
        [
            f"{code[:4]}-{code[4:]}",
            code,
            code.lower(),
            f" {code[:4]} {code[4:]} ",
            code[:4] + "–" + code[4:],
        ]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/account/sharing/", "/account/sharing/confirm/"])
def test_sharing_code_survives_fuzzed_posts(content, path):
    patient = UserFactory()
    doctor, gone = ClinicianFactory(), ClinicianFactory(is_active=False)
    used = InviteCode.objects.create(clinician=doctor, used_at=timezone.now(), used_by=patient)
    expired = InviteCode.objects.create(clinician=doctor, expires_at=timezone.now())
    inactive = InviteCode.objects.create(clinician=gone)
    other_codes = [used.code, expired.code, inactive.code]
    client = csrf_client(patient)
    tally = Tally(f"sharing code ({path})")

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        # Each post meets a fresh code, no share yet and no guesses counted, so the whole
        # path (check, confirm, share) is reachable every time.
        CareLink.objects.filter(patient=patient, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        cache.clear()
        fresh = InviteCode.objects.create(clinician=doctor)
        code = data.draw(st.integers(0, 99), "code")
        typed = _typed(fresh.code) if code < 80 else st.sampled_from(other_codes)
        valid = st.fixed_dictionaries({"code": typed})
        post = data.draw(posts(valid, junk={"code": CODE_JUNK}), "post")
        check(client, path, post, tally)

    run()
    tally.done()
    if path.endswith("confirm/"):
        assert tally.saved


@pytest.fixture
def quick_hashes(settings) -> str:
    """A fast hasher: these tests fuzz the form, not Argon2 (which takes a while per check)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_password("right password")


PASSWORD_JUNK = st.sampled_from(
    ["right password ", "RIGHT PASSWORD", "right\x00password", "x" * 5000]
)


@pytest.mark.django_db
def test_account_delete_survives_fuzzed_posts(content, quick_hashes):
    tally = Tally("account delete")
    person = {"user": None, "client": None}

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        cache.clear()  # the re-authentication limit counts per user and minute
        if person["user"] is None:  # the first post, or the last one deleted the account
            person["user"] = UserFactory(password=quick_hashes)
            person["client"] = csrf_client(person["user"])
        valid = st.fixed_dictionaries(
            {
                "password": st.just("right password"),
                "confirm": st.sampled_from(["on", "true", "1"]),
            }
        )
        junk = {"password": PASSWORD_JUNK, "confirm": st.sampled_from(["", "false", "0"])}
        post = data.draw(posts(valid, junk=junk), "post")
        user_id = person["user"].pk

        def deleted(response: object) -> bool:
            return not User.objects.filter(pk=user_id).exists()

        # A deleted account is answered with a page saying so (200), not a redirect.
        response = check(person["client"], "/account/delete/", post, tally, success=deleted)
        if deleted(response):
            assert response.status_code == 200, post
            person["user"] = None

    run()
    tally.done()
    assert tally.saved


@pytest.mark.django_db
def test_own_data_export_survives_fuzzed_posts(content, quick_hashes):
    person = UserFactory(password=quick_hashes)
    client = csrf_client(person)
    tally = Tally("own-data export")
    valid = st.fixed_dictionaries({"password": st.just("right password")})

    @FUZZ
    @given(post=posts(valid, junk={"password": PASSWORD_JUNK}))
    def run(post) -> None:
        cache.clear()
        # Downloading one's own data writes nothing but, at most, a record that it happened.
        check(
            client,
            "/account/export/",
            post,
            tally,
            may_change={"clinic_auditevent"},
            success=lambda response: False,
        )

    run()
    tally.done()
