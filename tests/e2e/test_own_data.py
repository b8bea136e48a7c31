from __future__ import annotations

import csv
import io
import json
import zipfile

from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.progress.models import CheckIn, SessionEntry
from tests.e2e.journeys import expect_logged_out, go_to, log_in
from tests.factories import PASSWORD, CheckInFactory, ExerciseFactory, SessionFactory, monday

PHONE = {"width": 390, "height": 844}


def open_account(page: Page, axe) -> None:
    go_to(page, "Account")
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    axe()


def documented_files(page: Page) -> dict[str, list[str]]:
    """The files the export page lists, each with the column names it documents."""
    documented = {}
    for item in page.locator(".export-files details").all():
        name = item.locator("summary code").text_content() or ""
        documented[name] = [text.strip() for text in item.locator("dt").all_text_contents()]
    return documented


def test_a_patient_downloads_their_data_and_then_deletes_the_account(page: Page, axe, patient):
    page.set_viewport_size(PHONE)
    CheckInFactory(patient=patient, week_start=monday(1), note="Walked to the shops")
    session = SessionFactory(patient=patient, performed_on=monday(1), pain_during=2)
    SessionEntry.objects.create(
        session=session, exercise=ExerciseFactory(name="Cat and camel"), sets=2, reps=10
    )
    log_in(page, axe, patient.email, PASSWORD)

    open_account(page, axe)
    page.get_by_role("link", name="Download your data").click()
    expect(page.get_by_role("heading", name="Download your data")).to_be_visible()
    axe()
    # Open the description of one file: its columns, in plain words.
    sessions = page.locator("summary", has_text="exercise-sessions.csv")
    sessions.click()
    expect(page.get_by_text("How much it hurt during the session")).to_be_visible()
    axe()
    documented = documented_files(page)
    assert "exercise-sessions.csv" in documented
    assert documented["exercise-sessions.csv"][:7] == [
        "Date",
        "Exercise",
        "Sets",
        "Reps",
        "Hold or time (seconds)",
        "Pain during session (0-10)",
        "Note",
    ]
    expect(page.locator(".export-files").get_by_text("README.txt")).to_be_visible()
    expect(page.locator(".export-files").get_by_text("data.json")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download your data").click()
    download = download_info.value
    assert download.suggested_filename.startswith("backpain-data-")
    with zipfile.ZipFile(download.path()) as archive:
        names = archive.namelist()
        # The documented files, each with the documented header row, and nothing else.
        assert sorted(names) == sorted(["README.txt", "data.json", *documented])
        for name, columns in documented.items():
            text = archive.read(name).decode("utf-8-sig")
            assert next(csv.reader(io.StringIO(text))) == columns, name
        lines = list(
            csv.DictReader(io.StringIO(archive.read("exercise-sessions.csv").decode("utf-8-sig")))
        )
        readme = archive.read("README.txt").decode()
        data = json.loads(archive.read("data.json"))
    assert [(line["Date"], line["Exercise"], line["Sets"], line["Reps"]) for line in lines] == [
        (monday(1).isoformat(), "Cat and camel", "2", "10")
    ]
    assert all(name in readme for name in documented)
    assert [row["note"] for row in data["weekly_check_ins"]] == ["Walked to the shops"]
    assert [row["email"] for row in data["profile"]] == [patient.email]

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
    expect_logged_out(page)
    axe()
    assert not User.objects.filter(pk=patient.pk).exists()
    assert not CheckIn.objects.filter(patient_id=patient.pk).exists()
