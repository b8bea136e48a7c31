"""The clinician journey end to end: MFA, an invite, consent, the dashboard, a review, a
prescription the patient sees, and revocation that takes effect on the next request.

Two browser contexts stand for two people on two devices; axe runs on every page each
of them loads.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from apps.accounts.models import CareLink
from apps.clinic.models import AuditEvent
from tests.e2e.conftest import PageGuard
from tests.e2e.journeys import log_in, totp_code
from tests.factories import PASSWORD, ClinicianFactory, UserFactory


@pytest.fixture
def second_person(browser: Browser, base_url: str):
    """A second browser (the patient's phone) with its own axe guard."""
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    guard = PageGuard(page)
    yield page, guard.axe
    guard.finish()
    context.close()


def test_share_review_prescribe_and_revoke(page: Page, axe, second_person, content):
    doctor = ClinicianFactory(email="dr.new@example.org", display_name="Dr Newman", mfa=False)
    patient = UserFactory(email="sam@example.org", display_name="Sam")
    patient_page, patient_axe = second_person

    # The clinician logs in and is sent to set up an authenticator app before the clinic.
    log_in(page, axe, doctor.email, PASSWORD)
    page.goto("/clinic/")
    page.get_by_label("Password").fill(PASSWORD)  # allauth asks again before MFA changes
    axe()
    page.get_by_role("button", name="Confirm").click()
    secret = page.get_by_label("Authenticator secret").input_value()
    axe()
    page.get_by_label(re.compile("Authenticator code")).fill(totp_code(secret))
    page.get_by_role("button", name=re.compile("Activate", re.I)).click()
    page.wait_for_load_state("load")
    axe()

    # A code for the patient.
    page.goto("/clinic/invite/")
    axe()
    page.get_by_role("button", name="Create a code").click()
    code = page.locator(".invite-code").first
    expect(code).to_have_text(re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$"))
    axe()
    typed = code.inner_text().lower().replace("-", " ")

    # The patient enters it (lower case, a space), sees what will be shared, and confirms.
    log_in(patient_page, patient_axe, patient.email, PASSWORD)
    patient_page.goto("/account/sharing/")
    patient_axe()
    patient_page.get_by_label("Invite code").fill(typed)
    patient_page.get_by_role("button", name="Check the code").click()
    expect(patient_page.get_by_role("heading", level=1)).to_have_text(
        "Share your data with Dr Newman?"
    )
    expect(patient_page.locator("main")).to_contain_text("check-ins")
    patient_axe()
    patient_page.get_by_role("button", name="Share with Dr Newman").click()
    expect(patient_page.get_by_role("heading", name="Who can see your data now")).to_be_visible()
    expect(patient_page.locator("main")).to_contain_text("Dr Newman")
    patient_axe()
    assert CareLink.objects.active().filter(patient=patient, clinician=doctor).exists()

    # The clinician sees the patient, opens the review and prescribes a programme.
    page.goto("/clinic/")
    axe()
    page.get_by_role("link", name=re.compile("Sam")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sam")
    axe()
    review_url = page.url
    page.goto(review_url + "prescribe/")
    axe()
    page.get_by_role("button", name="Add Bridge", exact=True).click()
    page.wait_for_load_state("load")
    axe()
    page.get_by_label("Days a week").first.fill("3")
    page.get_by_label("Note to the patient").fill("Three times a week, slowly.")
    page.get_by_role("button", name="Save the programme").click()
    expect(page).to_have_url(review_url)
    axe()

    # The patient sees it on their plan, with who prescribed it.
    patient_page.goto("/plan/")
    expect(patient_page.locator("main")).to_contain_text("prescribed by Dr Newman")
    expect(patient_page.locator("main")).to_contain_text("take the warning-signs check")
    expect(patient_page.locator("main")).to_contain_text("Bridge")
    patient_axe()

    # The patient stops sharing; the clinician's very next request is a 404.
    patient_page.goto("/account/sharing/")
    patient_axe()
    patient_page.get_by_role("button", name=re.compile("Stop sharing")).click()
    expect(patient_page.get_by_role("heading", name="Past shares")).to_be_visible()
    patient_axe()

    denied_before = AuditEvent.objects.filter(action="denied", patient=patient).count()
    response = page.goto(review_url)
    assert response is not None and response.status == 404
    axe()
    assert AuditEvent.objects.filter(action="denied", patient=patient).count() == denied_before + 1
    page.goto("/clinic/")
    expect(page.get_by_role("link", name=re.compile("Sam"))).to_have_count(0)
    axe()
