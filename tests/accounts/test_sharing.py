from __future__ import annotations

import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts import sharing
from apps.accounts.models import (
    INVITE_ALPHABET,
    INVITE_LENGTH,
    CareLink,
    InviteCode,
    User,
    new_invite_code,
    normalise_invite_code,
)
from apps.clinic.access import patient_for
from apps.clinic.models import AuditAction, AuditEvent
from tests.factories import ClinicianFactory, SessionFactory, UserFactory

SHARING = "/account/sharing/"
CONFIRM = "/account/sharing/confirm/"
LOOK_ALIKES = "0O1IL"


@pytest.fixture(autouse=True)
def _empty_cache(db) -> None:
    # The guessing counts live in the database cache; start every test from none.
    cache.clear()


@pytest.fixture
def doctor(db) -> User:
    """A clinician the patient does not share with yet."""
    return ClinicianFactory(email="dr.new@example.org", display_name="Dr New")


@pytest.fixture
def invite(doctor) -> InviteCode:
    return InviteCode.objects.create(clinician=doctor)


def revoke_url(link: CareLink) -> str:
    return reverse("accounts:sharing_revoke", args=[link.uuid])


def code_error(response) -> str:
    """The error shown next to the code field (empty if none)."""
    html = response.content.decode()
    start = html.find('class="errorlist')
    return html[start : html.find("</ul>", start)] if start != -1 else ""


def later_clock(seconds: float) -> SimpleNamespace:
    return SimpleNamespace(time=lambda: time.time() + seconds)


# The code itself ----------------------------------------------------------------------------


def test_normalising_accepts_spaces_dashes_and_lowercase():
    assert normalise_invite_code(" abcd-ef23 ") == "ABCDEF23"
    assert normalise_invite_code("AbCd EF 23") == "ABCDEF23"
    assert normalise_invite_code("abcd–ef23\t") == "ABCDEF23"


def test_the_alphabet_has_no_look_alikes():
    assert not set(LOOK_ALIKES) & set(INVITE_ALPHABET)
    assert len(set(INVITE_ALPHABET)) == len(INVITE_ALPHABET) == 31


def test_new_codes_are_eight_characters_from_the_alphabet():
    codes = [new_invite_code() for _ in range(500)]

    assert all(len(code) == INVITE_LENGTH for code in codes)
    assert set("".join(codes)) <= set(INVITE_ALPHABET)
    assert len(set(codes)) == 500


def test_a_code_reads_as_two_groups_of_four(doctor):
    code = InviteCode.objects.create(clinician=doctor, code="ABCDEF23")

    assert code.display_code == "ABCD-EF23"
    assert code.expires_at - code.created_at == timedelta(days=14)


def test_format_errors_explain_length_and_look_alikes():
    assert "8 letters and numbers" in sharing.code_format_error("ABCDEF2")
    assert "never O, 0, I, 1 or L" in sharing.code_format_error("ABCDEF2O")
    assert sharing.code_format_error("ABCDEF23") is None


# Who may use the page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"), [("get", SHARING), ("post", SHARING), ("post", CONFIRM)]
)
def test_anonymous_people_are_sent_to_log_in(anon_client, method, url):
    response = getattr(anon_client, method)(url, {"code": "ABCDEF23"})

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_clinicians_cannot_use_the_sharing_page(clinician_client, invite, patient):
    link = CareLink.objects.get(patient=patient)

    assert clinician_client.get(SHARING).status_code == 404
    assert clinician_client.post(SHARING, {"code": invite.code}).status_code == 404
    assert clinician_client.post(CONFIRM, {"code": invite.code}).status_code == 404
    assert clinician_client.post(revoke_url(link)).status_code == 404
    assert CareLink.objects.filter(invite=invite).count() == 0
    assert CareLink.objects.get(pk=link.pk).revoked_at is None


def test_the_page_lists_active_and_past_shares(patient_client, clinician, revoked_clinician):
    response = patient_client.get(SHARING)

    assert response.status_code == 200
    shares = response.context["shares"]
    assert [link.clinician for link in shares.active] == [clinician]
    assert [link.clinician for link in shares.past] == [revoked_clinician]
    html = response.content.decode()
    assert "Dr Link (dr.link@example.org)" in html
    assert revoke_url(shares.active[0]) in html
    assert revoke_url(shares.past[0]) not in html


def test_another_patients_shares_are_not_listed(other_patient_client, clinician):
    response = other_patient_client.get(SHARING)

    assert response.context["shares"].active == []
    assert "Dr Link" not in response.content.decode()


def test_patients_find_sharing_in_the_nav_and_on_their_account(patient_client):
    html = patient_client.get("/account/").content.decode()

    assert html.count(f'href="{SHARING}"') == 2


def test_clinicians_see_no_sharing_link(clinician_client):
    html = clinician_client.get("/account/").content.decode()

    assert f'href="{SHARING}"' not in html


# Entering and confirming a code ---------------------------------------------------------------


def test_a_valid_code_typed_loosely_leads_to_a_confirmation(patient_client, invite):
    typed = f" {invite.code[:4].lower()} - {invite.code[4:].lower()} "

    response = patient_client.post(SHARING, {"code": typed})

    assert response.status_code == 200
    assert response.templates[0].name == "accounts/sharing_confirm.html"
    html = response.content.decode()
    assert "Dr New" in html and "dr.new@example.org" in html
    for shared in (
        "warning-signs checks",
        "movement checklists",
        "your plan",
        "exercise sessions",
        "weekly check-ins",
    ):
        assert shared in html
    assert f'action="{CONFIRM}"' in html
    assert f'name="code" value="{invite.code}"' in html
    assert f'href="{SHARING}"' in html  # cancel
    assert not CareLink.objects.filter(invite=invite).exists()
    invite.refresh_from_db()
    assert invite.used_at is None


def test_confirming_starts_sharing_and_uses_the_code(patient_client, patient, invite, doctor):
    response = patient_client.post(CONFIRM, {"code": invite.code}, follow=True)

    assert response.redirect_chain == [(SHARING, 302)]
    link = CareLink.objects.get(patient=patient, clinician=doctor)
    assert link.invite == invite and link.is_active
    invite.refresh_from_db()
    assert invite.used_by == patient and invite.used_at == link.created_at
    assert "You now share your data with Dr New" in response.content.decode()
    assert patient in User.objects.visible_to(doctor)


def test_a_patient_can_share_with_several_clinicians(patient_client, patient, clinician, invite):
    patient_client.post(CONFIRM, {"code": invite.code})

    response = patient_client.get(SHARING)
    assert {link.clinician for link in response.context["shares"].active} == {
        clinician,
        invite.clinician,
    }


@pytest.mark.parametrize("page", [SHARING, CONFIRM])
def test_an_unknown_code_is_refused_next_to_the_field_and_kept(patient_client, page):
    response = patient_client.post(page, {"code": "abcd-ef23"})

    assert response.status_code == 200
    assert sharing.UNKNOWN_CODE in code_error(response)
    assert 'value="abcd-ef23"' in response.content.decode()
    assert "field--invalid" in response.content.decode()


def test_used_and_expired_codes_read_exactly_like_unknown_ones(
    patient_client, other_patient, doctor
):
    used = InviteCode.objects.create(
        clinician=doctor, used_at=timezone.now(), used_by=other_patient
    )
    expired = InviteCode.objects.create(
        clinician=doctor, created_at=timezone.now() - timedelta(days=15)
    )
    unknown = patient_client.post(SHARING, {"code": "ABCDEF23"})

    for code in (used, expired):
        response = patient_client.post(SHARING, {"code": code.code})
        assert code_error(response) == code_error(unknown)
        assert "Dr New" not in response.content.decode()


def test_a_code_from_a_deactivated_clinician_is_unknown(patient_client, invite, doctor):
    User.objects.filter(pk=doctor.pk).update(is_active=False)

    response = patient_client.post(CONFIRM, {"code": invite.code})

    assert sharing.UNKNOWN_CODE in code_error(response)
    assert not CareLink.objects.filter(clinician=doctor).exists()


def test_a_code_of_the_wrong_shape_says_what_is_wrong(patient_client):
    short = patient_client.post(SHARING, {"code": "ABCD-EF2"})
    look_alike = patient_client.post(SHARING, {"code": "ABCD-EF2O"})

    assert "8 letters and numbers" in code_error(short)
    assert "never O, 0, I, 1 or L" in code_error(look_alike)


def test_confirming_the_same_code_twice_makes_one_link(patient_client, patient, invite):
    patient_client.post(CONFIRM, {"code": invite.code})
    second = patient_client.post(CONFIRM, {"code": invite.code})

    assert second.status_code == 200
    assert "already used this code" in code_error(second)
    assert CareLink.objects.filter(patient=patient).count() == 1


def test_a_code_already_used_by_someone_else_cannot_be_confirmed(
    patient_client, other_patient_client, patient, other_patient, invite
):
    other_patient_client.post(CONFIRM, {"code": invite.code})

    response = patient_client.post(CONFIRM, {"code": invite.code})

    assert sharing.UNKNOWN_CODE in code_error(response)
    assert not CareLink.objects.filter(patient=patient, invite=invite).exists()
    assert CareLink.objects.get(invite=invite).patient == other_patient


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_the_same_moment_make_one_link():
    doctor = ClinicianFactory()
    invite = InviteCode.objects.create(clinician=doctor)
    patients = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def confirm(patient: User) -> None:
        try:
            barrier.wait()
            sharing.share_start(patient=patient, code=invite.code)
            outcomes.append("shared")
        except sharing.ShareRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(p,)) for p in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "shared"]
    assert CareLink.objects.filter(invite=invite).count() == 1


def test_an_active_share_with_the_same_clinician_is_not_duplicated(
    patient_client, patient, clinician
):
    second_code = InviteCode.objects.create(clinician=clinician)

    for page in (SHARING, CONFIRM):
        response = patient_client.post(page, {"code": second_code.code})
        assert "You already share your data with Dr Link" in code_error(response)

    assert CareLink.objects.active().filter(patient=patient, clinician=clinician).count() == 1
    second_code.refresh_from_db()
    assert second_code.used_at is None


def test_a_revoked_clinician_can_be_shared_with_again_with_a_new_code(
    patient_client, patient, revoked_clinician
):
    code = InviteCode.objects.create(clinician=revoked_clinician)

    patient_client.post(CONFIRM, {"code": code.code})

    links = CareLink.objects.filter(patient=patient, clinician=revoked_clinician)
    assert links.count() == 2
    assert links.active().get().invite == code


# Guessing limit -----------------------------------------------------------------------------


def guess_wrong(client: Client, times: int, **extra) -> None:
    for n in range(times):
        response = client.post(SHARING, {"code": "ZZZZZZZ" + INVITE_ALPHABET[n]}, **extra)
        assert sharing.UNKNOWN_CODE in code_error(response)


def test_the_eleventh_code_in_an_hour_is_refused_even_when_right(
    patient_client, patient, invite, monkeypatch
):
    guess_wrong(patient_client, 10)

    refused = patient_client.post(SHARING, {"code": invite.code})

    assert "Too many codes that did not work" in code_error(refused)
    assert "Dr New" not in refused.content.decode()

    refused = patient_client.post(CONFIRM, {"code": invite.code})

    assert "Too many codes that did not work" in code_error(refused)
    assert not CareLink.objects.filter(invite=invite).exists()

    # Once the hour has passed, the right code works again.
    monkeypatch.setattr(sharing, "time", later_clock(sharing.GUESS_WINDOW_SECONDS + 1))
    later = patient_client.post(CONFIRM, {"code": invite.code})

    assert later.status_code == 302
    assert CareLink.objects.get(invite=invite).patient == patient


def test_ten_wrong_codes_still_leave_the_tenth_answered(patient_client, invite):
    guess_wrong(patient_client, 9)

    response = patient_client.post(SHARING, {"code": invite.code})

    assert response.templates[0].name == "accounts/sharing_confirm.html"


def test_the_limit_is_per_account(patient_client, other_patient_client, other_patient, invite):
    guess_wrong(patient_client, 10)

    response = other_patient_client.post(CONFIRM, {"code": invite.code})

    assert response.status_code == 302
    assert CareLink.objects.get(invite=invite).patient == other_patient


def test_the_limit_is_per_address_across_accounts(invite):
    for _ in range(sharing.GUESSES_PER_IP // sharing.GUESSES_PER_ACCOUNT):
        client = Client()
        client.force_login(UserFactory())
        guess_wrong(client, sharing.GUESSES_PER_ACCOUNT)
    fresh = Client()
    fresh.force_login(UserFactory())

    refused = fresh.post(SHARING, {"code": invite.code})
    elsewhere = fresh.post(SHARING, {"code": invite.code}, REMOTE_ADDR="203.0.113.9")

    assert "Too many codes that did not work" in code_error(refused)
    assert elsewhere.templates[0].name == "accounts/sharing_confirm.html"


def test_codes_of_the_wrong_shape_are_not_counted_as_guesses(patient_client, invite):
    for _ in range(15):
        patient_client.post(SHARING, {"code": "ABC"})

    response = patient_client.post(SHARING, {"code": invite.code})

    assert response.templates[0].name == "accounts/sharing_confirm.html"


def test_the_limit_is_kept_in_the_shared_cache(patient, patient_client):
    guess_wrong(patient_client, 3)

    stored = cache.get(f"invite-guesses:user:{patient.pk}")

    assert len(stored) == 3


# Revoking -----------------------------------------------------------------------------------


def test_revoking_ends_access_on_the_clinicians_next_request(patient_client, patient, clinician):
    link = CareLink.objects.get(patient=patient, clinician=clinician)
    assert patient in User.objects.visible_to(clinician)

    response = patient_client.post(revoke_url(link), follow=True)

    assert response.redirect_chain == [(SHARING, 302)]
    assert "You have stopped sharing with Dr Link" in response.content.decode()
    assert patient not in User.objects.visible_to(clinician)
    request = RequestFactory().get(f"/clinic/patients/{patient.uuid}/")
    request.user = clinician
    with pytest.raises(Http404):
        patient_for(request, patient.uuid)
    assert AuditEvent.objects.filter(
        actor=clinician, patient_uuid=patient.uuid, action=AuditAction.DENIED
    ).exists()


def test_revoking_keeps_the_share_in_history(patient_client, patient, clinician):
    link = CareLink.objects.get(patient=patient, clinician=clinician)

    patient_client.post(revoke_url(link))

    link.refresh_from_db()
    assert link.revoked_at is not None
    shares = patient_client.get(SHARING).context["shares"]
    assert shares.active == [] and shares.past == [link]


def test_revoking_twice_keeps_the_first_end_date(patient_client, patient, clinician):
    link = CareLink.objects.get(patient=patient, clinician=clinician)
    patient_client.post(revoke_url(link))
    link.refresh_from_db()
    ended = link.revoked_at

    assert patient_client.post(revoke_url(link)).status_code == 302
    link.refresh_from_db()
    assert link.revoked_at == ended


def test_another_patient_cannot_revoke_a_share(other_patient_client, patient, clinician):
    link = CareLink.objects.get(patient=patient, clinician=clinician)

    assert other_patient_client.post(revoke_url(link)).status_code == 404
    link.refresh_from_db()
    assert link.is_active


def test_revoking_needs_a_post(patient_client, patient, clinician):
    link = CareLink.objects.get(patient=patient, clinician=clinician)

    assert patient_client.get(revoke_url(link)).status_code == 405
    link.refresh_from_db()
    assert link.is_active


def test_anonymous_revoking_is_sent_to_log_in(anon_client, patient, clinician):
    link = CareLink.objects.get(patient=patient, clinician=clinician)

    response = anon_client.post(revoke_url(link))

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    link.refresh_from_db()
    assert link.is_active


# Who has looked -----------------------------------------------------------------------------


def record(clinician: User, patient: User, action: str, minutes_ago: int) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=clinician,
        actor_label=clinician.email,
        patient=patient,
        patient_uuid=patient.uuid,
        action=action,
        at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_the_patient_sees_who_looked_newest_first(
    patient_client, patient, other_patient, clinician
):
    older = record(clinician, patient, AuditAction.VIEW, minutes_ago=60)
    newer = record(clinician, patient, AuditAction.EXPORT, minutes_ago=5)
    record(clinician, other_patient, AuditAction.NOTE, minutes_ago=1)

    response = patient_client.get(SHARING)

    assert list(response.context["looks"]) == [newer, older]
    assert response.context["looks_total"] == 2
    html = response.content.decode()
    assert "Dr Link (dr.link@example.org)" in html
    assert html.index("Exported") < html.index("Viewed")
    assert "Wrote a note" not in html


def test_the_patient_sees_the_last_fifty_looks_and_the_count(patient_client, patient, clinician):
    for n in range(55):
        record(clinician, patient, AuditAction.VIEW, minutes_ago=n)

    response = patient_client.get(SHARING)

    assert len(response.context["looks"]) == 50
    assert "The latest 50 of 55 times" in response.content.decode()


def test_a_patient_nobody_looked_at_is_told_so(patient_client):
    assert "No clinician has looked at your data." in patient_client.get(SHARING).content.decode()


def test_the_page_costs_the_same_queries_with_more_shares_and_looks(
    patient, patient_client, django_assert_max_num_queries
):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert patient_client.get(SHARING).status_code == 200
        return len(queries)

    doctor = ClinicianFactory()
    CareLink.objects.create(patient=patient, clinician=doctor)
    record(doctor, patient, AuditAction.VIEW, minutes_ago=1)
    small = count_queries()
    for _ in range(8):
        more = ClinicianFactory()
        CareLink.objects.create(patient=patient, clinician=more).revoke()
        CareLink.objects.create(patient=patient, clinician=more)
        for n in range(10):
            record(more, patient, AuditAction.VIEW, minutes_ago=n)

    with django_assert_max_num_queries(6):
        assert patient_client.get(SHARING).status_code == 200
    assert count_queries() == small


# The clinic's compiled queries answer as visible_to does ------------------------------------


def test_visible_patient_is_visible_to_s_patient_with_that_uuid(
    patient, other_patient, clinician, revoked_clinician, stranger_clinician
):
    CareLink.objects.create(patient=other_patient, clinician=stranger_clinician)
    inactive = UserFactory(is_active=False)
    CareLink.objects.create(patient=inactive, clinician=clinician)
    colleague = ClinicianFactory()
    CareLink.objects.create(patient=colleague, clinician=clinician)
    everyone = [patient, other_patient, inactive, colleague, clinician]

    for doctor in (clinician, revoked_clinician, stranger_clinician, patient):
        for someone in everyone:
            expected = User.objects.visible_to(doctor).filter(uuid=someone.uuid).first()
            assert User.objects.visible_patient(doctor, someone.uuid) == expected
    assert User.objects.visible_patient(clinician, patient.uuid) == patient
    clinician.is_active = False
    assert User.objects.visible_patient(clinician, patient.uuid) is None


def test_visible_versions_count_and_sum_visible_to_s_patients(
    patient, other_patient, clinician, stranger_clinician
):
    def aggregated(doctor: User) -> tuple[int, int]:
        totals = User.objects.visible_to(doctor).aggregate(
            patients=Count("pk"), versions=Coalesce(Sum("data_version"), 0)
        )
        return totals["patients"], totals["versions"]

    assert User.objects.visible_versions(stranger_clinician) == (0, 0)
    assert User.objects.visible_versions(patient) == (0, 0)
    CareLink.objects.create(patient=other_patient, clinician=clinician)
    SessionFactory(patient=other_patient)
    both = User.objects.visible_versions(clinician)

    assert both == aggregated(clinician) and both[0] == 2
    CareLink.objects.get(patient=other_patient, clinician=clinician).revoke()
    assert User.objects.visible_versions(clinician) == aggregated(clinician)
    assert User.objects.visible_versions(clinician)[0] == 1
