from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts import sharing
from apps.accounts.models import CareLink, InviteCode
from apps.clinic.models import AuditEvent
from tests.factories import ClinicianFactory, UserFactory

INVITE = "/clinic/invite/"
HTMX = {"HTTP_HX_REQUEST": "true"}

pytestmark = pytest.mark.django_db


def test_the_url_has_a_stable_name():
    assert reverse("clinic:invite") == INVITE


def test_anonymous_people_are_sent_to_log_in(anon_client):
    for response in (anon_client.get(INVITE), anon_client.post(INVITE)):
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    assert not InviteCode.objects.exists()


@pytest.mark.parametrize("who", ["patient_client", "other_patient_client"])
def test_patients_get_a_404(request, who):
    client = request.getfixturevalue(who)

    assert client.get(INVITE).status_code == 404
    assert client.post(INVITE).status_code == 404
    assert not InviteCode.objects.exists()


def test_a_clinician_without_mfa_is_sent_to_set_it_up(client):
    client.force_login(ClinicianFactory(mfa=False))

    response = client.post(INVITE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
    assert not InviteCode.objects.exists()


@pytest.mark.parametrize("who", ["clinician_client", "stranger_clinician_client"])
def test_any_clinician_with_mfa_sees_the_page(request, who):
    response = request.getfixturevalue(who).get(INVITE)

    assert response.status_code == 200
    assert "Create a code" in response.content.decode()


def test_it_rejects_other_methods(clinician_client):
    assert clinician_client.put(INVITE).status_code == 405


def test_creating_a_code_shows_it_once_made(clinician_client, clinician):
    response = clinician_client.post(INVITE, follow=True)

    assert response.redirect_chain == [(INVITE, 302)]
    code = InviteCode.objects.get(clinician=clinician)
    assert code.is_usable
    assert code.expires_at - code.created_at == timedelta(days=14)
    html = response.content.decode()
    assert f"New code {code.display_code}" in html
    assert f'data-code="{code.code}" data-code-status="unused"' in html


def test_an_htmx_create_returns_the_list_only(clinician_client, clinician):
    response = clinician_client.post(INVITE, **HTMX)

    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert "<html" not in html
    code = InviteCode.objects.get(clinician=clinician)
    assert f"New code {code.display_code}" in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert 'id="codes"' in html


def test_a_clinician_sees_only_their_own_codes(clinician_client, stranger_clinician):
    theirs = InviteCode.objects.create(clinician=stranger_clinician)

    response = clinician_client.get(INVITE)

    assert theirs.code not in response.content.decode()


def test_codes_show_unused_used_by_whom_and_expired(clinician_client, clinician, other_patient):
    unused = InviteCode.objects.create(clinician=clinician)
    expired = InviteCode.objects.create(
        clinician=clinician, created_at=timezone.now() - timedelta(days=15)
    )
    used = InviteCode.objects.create(clinician=clinician)
    sharing.share_start(patient=other_patient, code=used.code)
    stopped = InviteCode.objects.create(clinician=clinician)
    stopper = UserFactory(email="stopper@example.org", display_name="Sam")
    sharing.share_start(patient=stopper, code=stopped.code).revoke()

    html = clinician_client.get(INVITE).content.decode()

    assert f'data-code="{unused.code}" data-code-status="unused"' in html
    assert f'data-code="{expired.code}" data-code-status="expired"' in html
    assert f'data-code="{used.code}" data-code-status="used"' in html
    assert "Used by Olly (olly@example.org)" in html
    assert "Sharing with you now." in html
    assert "Used by Sam (stopper@example.org)" in html
    assert "No longer sharing through this code." in html


def test_a_code_whose_patient_was_erased_says_so(clinician_client, clinician):
    code = InviteCode.objects.create(clinician=clinician)
    gone = UserFactory()
    sharing.share_start(patient=gone, code=code.code)
    gone.delete()

    html = clinician_client.get(INVITE).content.decode()

    assert "by an account that has since been deleted" in html


def test_at_most_twenty_unused_codes_at_once(clinician_client, clinician):
    for _ in range(sharing.MAX_UNUSED_CODES):
        InviteCode.objects.create(clinician=clinician)

    response = clinician_client.post(INVITE, follow=True)

    assert InviteCode.objects.filter(clinician=clinician).count() == sharing.MAX_UNUSED_CODES
    assert "You already have 20 unused codes" in response.content.decode()

    htmx = clinician_client.post(INVITE, **HTMX)
    assert "You already have 20 unused codes" in htmx.content.decode()
    assert InviteCode.objects.filter(clinician=clinician).count() == sharing.MAX_UNUSED_CODES


def test_used_and_expired_codes_do_not_count_towards_the_limit(clinician_client, clinician):
    for _ in range(sharing.MAX_UNUSED_CODES - 1):
        InviteCode.objects.create(clinician=clinician)
    InviteCode.objects.create(clinician=clinician, created_at=timezone.now() - timedelta(days=15))
    sharing.share_start(
        patient=UserFactory(), code=InviteCode.objects.create(clinician=clinician).code
    )

    clinician_client.post(INVITE)

    assert InviteCode.objects.filter(clinician=clinician).usable().count() == 20


def test_the_page_writes_no_audit_event(clinician_client, patient):
    # It shows the clinician's own codes, not a patient's health data.
    before = AuditEvent.objects.count()

    clinician_client.get(INVITE)
    clinician_client.post(INVITE)

    assert AuditEvent.objects.count() == before


def test_codes_come_in_pages_of_twenty_five(clinician_client, clinician):
    for _ in range(30):
        InviteCode.objects.create(clinician=clinician, used_at=timezone.now())

    first = clinician_client.get(INVITE)
    second = clinician_client.get(INVITE, {"page": 2}, **HTMX)

    assert len(first.context["page"].object_list) == 25
    assert "Page 1 of 2" in first.content.decode()
    assert second.content.decode().count("data-code-status=") == 5
    assert "<html" not in second.content.decode()


def test_queries_do_not_grow_with_codes(clinician_client, clinician, django_assert_max_num_queries):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert clinician_client.get(INVITE).status_code == 200
        return len(queries)

    def add_codes(n: int) -> None:
        for _ in range(n):
            code = InviteCode.objects.create(clinician=clinician)
            sharing.share_start(patient=UserFactory(), code=code.code)

    add_codes(3)
    small = count_queries()
    add_codes(57)

    with django_assert_max_num_queries(6):
        assert clinician_client.get(INVITE).status_code == 200
    assert count_queries() == small
    assert CareLink.objects.filter(clinician=clinician).count() == 61
