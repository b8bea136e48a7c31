from __future__ import annotations

import json
import zipfile

from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.progress.models import CheckIn
from tests.e2e.journeys import log_in
from tests.factories import PASSWORD, CheckInFactory, monday


def open_account(page: Page, axe) -> None:
    page.get_by_role("link", name="Account", exact=True).click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    axe()


def test_a_patient_downloads_their_data_and_then_deletes_the_account(page: Page, axe, patient):
    CheckInFactory(patient=patient, week_start=monday(1), note="Walked to the shops")
    log_in(page, axe, patient.email, PASSWORD)

    open_account(page, axe)
    page.get_by_role("link", name="Download your data").click()
    expect(page.get_by_role("heading", name="Download your data")).to_be_visible()
    axe()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download your data").click()
    download = download_info.value
    assert download.suggested_filename.startswith("backpain-data-")
    with zipfile.ZipFile(download.path()) as archive:
        data = json.loads(archive.read("backpain-data.json"))
    assert [row["note"] for row in data["progress.CheckIn"]] == ["Walked to the shops"]
    assert [row["email"] for row in data["accounts.User"]] == [patient.email]

    open_account(page, axe)
    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_role("heading", name="Delete your account")).to_be_visible()
    axe()
    # A wrong password first: the message sits by the field and nothing is deleted.
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_label("I understand this cannot be undone").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#id_password_error")).to_contain_text("That is not your password")
    axe()
    assert User.objects.filter(pk=patient.pk).exists()

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand this cannot be undone").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account and everything in it have been deleted.")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    axe()
    assert not User.objects.filter(pk=patient.pk).exists()
    assert not CheckIn.objects.filter(patient_id=patient.pk).exists()
