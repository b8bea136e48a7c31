"""The readable export: file definitions, CSV headers, README, data.json, no secrets, queries."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import uuid
import zipfile
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.export import FORMULA_STARTS, JSON_NAME, README_NAME, csv_cell, readme
from apps.accounts.exportfiles import FILES, ExportFile, file_for
from apps.accounts.models import CareLink, InviteCode, User
from apps.accounts.owndata import OWNER
from apps.checklist.models import Run
from apps.clinic.models import Alert, Note
from apps.progress.models import CheckIn, Plan, PlanItem, Session, SessionEntry
from apps.screening.models import Question, Screening
from tests.accounts.histories import counts, make_clinic_history, make_history, sizes
from tests.factories import TOTP_SECRET, ExerciseFactory, SessionFactory

EXPORT = "/account/export/"


def unzip(client: Client) -> dict[str, bytes]:
    response = client.post(EXPORT)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name) for name in archive.namelist()}


def read_csv(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def csv_dicts(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8-sig"))))


def definition(name: str) -> ExportFile:
    return next(f for f in FILES if f.name == name)


def stored_fields(label: str) -> set[str]:
    return {field.name for field in apps.get_model(label)._meta.concrete_fields}


# ---- the definitions -----------------------------------------------------------------------


def test_every_owned_table_has_an_export_file():
    # A model with personal data joins OWNER (owndata.py); it must then get an ExportFile
    # (or be a Part of one) in exportfiles.py, or its rows would be missing from the download.
    missing = [label for label in OWNER if file_for(label) is None]
    assert not missing, f"No export definition in apps/accounts/exportfiles.py for {missing}"
    covered = [f.model for f in FILES] + [f.part.model for f in FILES if f.part]
    assert sorted(covered) == sorted(OWNER)


@pytest.mark.parametrize("label", sorted(OWNER))
def test_every_stored_field_is_shown_or_left_out_with_a_reason(label):
    # A new field (a reminder's time, say) fails here until it gets a column or a reason.
    found = file_for(label)
    assert found is not None
    columns, left_out = (
        (found.columns, found.left_out)
        if found.model == label
        else (found.part.columns, found.part.left_out)
    )
    shown = {name for column in columns for name in column.reads}
    placed = shown | set(left_out)
    assert not stored_fields(label) - placed, (
        f"{label}: give these fields a column or a reason in left_out, in "
        f"apps/accounts/exportfiles.py: {sorted(stored_fields(label) - placed)}"
    )
    assert not placed - stored_fields(label), (
        f"{label}: no such fields {placed - stored_fields(label)}"
    )
    assert not shown & set(left_out), label
    assert all(reason.strip() for reason in left_out.values())


def test_secrets_tokens_and_ids_are_never_shown():
    for found in FILES:
        for columns in [found.columns, found.part.columns if found.part else ()]:
            reads = {name for column in columns for name in column.reads}
            assert not reads & {"id", "uuid", "client_token", "password", "guest_id", "code"}
            for column in columns:
                assert not re.search(r"(^|_)(id|uuid|token)($|_)", column.key), column.key
                assert not re.search(r"\b(id|uuid|token)\b", column.header, re.I), column.header


def test_names_headers_and_keys_are_readable_and_unique():
    assert len({f.name for f in FILES}) == len(FILES)
    assert len({f.key for f in FILES}) == len(FILES)
    for found in FILES:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*\.csv", found.name), found.name
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", found.key), found.key
        assert len(set(found.headers)) == len(found.headers), found.name
        keys = [column.key for column in found.columns]
        if found.part:
            keys.append(found.part.key)
            inner = [column.key for column in found.part.columns]
            assert len(set(inner)) == len(inner), found.name
        assert len(set(keys)) == len(keys), found.name
        for column in found.csv_columns:
            assert column.header[0].isupper() and column.help.endswith("."), column.header
            assert re.fullmatch(r"[a-z]+(_[a-z]+)*", column.key), column.key


def test_the_session_file_reads_as_the_issue_describes():
    assert definition("exercise-sessions.csv").headers[:7] == [
        "Date",
        "Exercise",
        "Sets",
        "Reps",
        "Hold or time (seconds)",
        "Pain during session (0-10)",
        "Note",
    ]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (True, "Yes"),
        (False, "No"),
        (7, "7"),
        (dt.date(2025, 3, 3), "2025-03-03"),
        (dt.datetime(2025, 7, 1, 11, 30, tzinfo=dt.UTC), "2025-07-01 12:30"),
        (dt.datetime(2025, 1, 1, 11, 30, tzinfo=dt.UTC), "2025-01-01 11:30"),
        (dt.time(7, 30), "07:30"),
        (["Monday", "Friday"], "Monday; Friday"),
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+44 7700", "'+44 7700"),
        ("-2 better", "'-2 better"),
        ("@here", "'@here"),
        ("\tindent", "'\tindent"),
        ("\rcarriage", "'\rcarriage"),
        (["=1+1", "fine"], "'=1+1; fine"),
        ("Walked 2 km", "Walked 2 km"),
    ],
)
def test_a_cell_is_plain_words_and_never_a_formula(value, cell):
    assert settings.TIME_ZONE == "Europe/London"
    assert csv_cell(value) == cell
    assert not csv_cell(value).startswith(FORMULA_STARTS)


def test_the_readme_explains_every_file_and_column_from_the_definitions():
    text = readme(dt.date(2025, 3, 3))
    flat = " ".join(text.split())

    assert "Downloaded on 2025-03-03" in text
    for found in FILES:
        assert f"\n{found.name}\n{'-' * len(found.name)}\n" in text
        assert " ".join(found.about.split()) in flat
        for column in found.csv_columns:
            assert f"- {column.header}: {column.help}" in flat, column.header
        assert f"'{found.key}' ({found.name})" in flat
    assert JSON_NAME in text


@pytest.mark.parametrize("who", ["patient_client", "clinician_client"])
def test_the_page_lists_every_file_and_column_it_will_download(request, who):
    body = request.getfixturevalue(who).get(EXPORT).content.decode()
    text = " ".join(body.split())

    assert f"<code>{README_NAME}</code>" in body
    assert f"<code>{JSON_NAME}</code>" in body
    for found in FILES:
        assert f"<code>{found.name}</code>" in body
        for column in found.csv_columns:
            header = column.header.replace("'", "&#x27;")
            assert f"<dt>{header}</dt>" in text, column.header


# ---- the files in the ZIP ------------------------------------------------------------------


def test_the_zip_holds_the_readme_the_json_and_a_csv_per_definition(patient_client, histories):
    files = unzip(patient_client)

    assert list(files) == [README_NAME, JSON_NAME, *(f.name for f in FILES)]
    assert files[README_NAME].decode() == readme()
    for found in FILES:
        # A byte-order mark, so that spreadsheets read UTF-8; then the documented header row.
        assert files[found.name].startswith(codecs.BOM_UTF8), found.name
        assert read_csv(files[found.name])[0] == found.headers, found.name


def test_an_empty_file_still_has_its_header_row(other_patient_client):
    files = unzip(other_patient_client)

    assert read_csv(files["exercise-sessions.csv"]) == [definition("exercise-sessions.csv").headers]


def test_sessions_show_dates_names_and_words(patient_client, patient, content):
    squat, bridge = ExerciseFactory(name="Wall squat"), ExerciseFactory(name="Glute bridge")
    session = SessionFactory(
        patient=patient, performed_on=dt.date(2025, 3, 4), pain_during=4, note="Stiff, ünïcode"
    )
    SessionEntry.objects.create(session=session, exercise=squat, sets=2, reps=8)
    SessionEntry.objects.create(session=session, exercise=bridge, sets=1, hold_seconds=30)
    logged = dt.datetime(2025, 3, 4, 18, 5, 9, tzinfo=dt.UTC)
    Session.objects.filter(pk=session.pk).update(created_at=logged, updated_at=logged)

    files = unzip(patient_client)
    data = json.loads(files[JSON_NAME])

    common = {
        "Date": "2025-03-04",
        "Pain during session (0-10)": "4",
        "Note": "Stiff, ünïcode",
        "Logged": "2025-03-04 18:05",
        "Last changed": "2025-03-04 18:05",
    }
    assert csv_dicts(files, "exercise-sessions.csv") == [
        {
            **common,
            "Exercise": "Wall squat",
            "Sets": "2",
            "Reps": "8",
            "Hold or time (seconds)": "",
        },
        {
            **common,
            "Exercise": "Glute bridge",
            "Sets": "1",
            "Reps": "",
            "Hold or time (seconds)": "30",
        },
    ]
    assert data["exercise_sessions"] == [
        {
            "date": "2025-03-04",
            "pain_during_session": 4,
            "note": "Stiff, ünïcode",
            "logged": "2025-03-04T18:05:09+00:00",
            "last_changed": "2025-03-04T18:05:09+00:00",
            "exercises": [
                {"exercise": "Wall squat", "sets": 2, "reps": 8, "hold_or_time_seconds": None},
                {"exercise": "Glute bridge", "sets": 1, "reps": None, "hold_or_time_seconds": 30},
            ],
        }
    ]


def test_times_are_in_the_sites_time_zone(patient_client, patient, content):
    check_in = CheckIn.objects.create(
        patient=patient,
        week_start=dt.date(2025, 6, 30),
        pain_average=3,
        pain_worst=5,
        sleep_nights=1,
        days_active=6,
    )
    summer = dt.datetime(2025, 7, 1, 11, 30, tzinfo=dt.UTC)
    CheckIn.objects.filter(pk=check_in.pk).update(created_at=summer, updated_at=summer)
    local = summer.astimezone(ZoneInfo(settings.TIME_ZONE))

    files = unzip(patient_client)
    data = json.loads(files[JSON_NAME])

    [line] = csv_dicts(files, "weekly-check-ins.csv")
    assert line["Week starting"] == "2025-06-30"
    assert line["Saved"] == local.strftime("%Y-%m-%d %H:%M") == "2025-07-01 12:30"
    [record] = data["weekly_check_ins"]
    assert record["saved"] == local.isoformat() == "2025-07-01T12:30:00+01:00"
    assert data["time_zone"] == settings.TIME_ZONE


def test_plans_name_exercises_days_and_dosage(patient_client, patient, clinician, content):
    squat = ExerciseFactory(name="Wall squat", dosage_text="2 sets of 10.")
    plan = Plan.objects.create(
        patient=patient, author=clinician, kind="prescribed", note="Go gently", reasons=["A", "B"]
    )
    PlanItem.objects.create(
        plan=plan, exercise=squat, frequency="2-3/week", weekdays=[4, 0], sets=3, reps=12
    )

    files = unzip(patient_client)

    [line] = csv_dicts(files, "plans.csv")
    assert line["Plan"] == "Prescribed by your clinician"
    assert line["Prescribed by"] == "Dr Link"
    assert line["In use"] == "Yes"
    assert line["Why this plan"] == "A; B"
    assert line["Exercise"] == "Wall squat"
    assert line["How often"] == "2-3 days a week"
    assert line["Days"] == "Monday; Friday"
    assert (line["Sets"], line["Reps"], line["Hold or time (seconds)"]) == ("3", "12", "")
    assert line["Library dosage"] == "2 sets of 10."
    [record] = json.loads(files[JSON_NAME])["plans"]
    assert record["exercises"][0]["days"] == ["Monday", "Friday"]


def test_warning_sign_answers_and_results_are_words(patient_client, patient, content):
    question = Question.objects.filter(active=True).order_by("order").first()
    screening = Screening.objects.create(user=patient)
    screening.record(question, "yes")
    screening.complete()

    files = unzip(patient_client)

    [line] = csv_dicts(files, "warning-sign-checks.csv")
    assert line["Question"] == question.text
    assert line["Your answer"] == "Yes"
    assert line["Kind"] == "Warning-signs check"
    assert line["Result"] == screening.get_urgency_display()
    assert screening.trigger_keys == [question.key]
    assert line["Warning signs found"] == question.trigger
    assert question.key not in files["warning-sign-checks.csv"].decode()


def test_the_csv_and_the_json_hold_the_same_records(patient_client, histories, clinic_histories):
    files = unzip(patient_client)
    data = json.loads(files[JSON_NAME])

    for found in FILES:
        lines = csv_dicts(files, found.name)
        expected = []
        for record in data[found.key]:
            inner = record.get(found.part.key) if found.part else None
            for part_row in inner or [None]:
                values = {}
                for column in found.csv_columns:
                    if found.part and column in found.part.columns:
                        values[column.header] = part_row[column.key] if part_row else None
                    else:
                        values[column.header] = record[column.key]
                expected.append(values)
        assert len(lines) == len(expected), found.name
        for line, values in zip(lines, expected, strict=True):
            for header, value in values.items():
                if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT.*", value):
                    # A time: to the minute in the CSV, to the second with its offset in JSON.
                    assert line[header] == value[:16].replace("T", " "), header
                else:
                    assert line[header] == csv_cell(value), (found.name, header)


def test_a_formula_stays_text_in_the_csv_and_exact_in_the_json(patient_client, histories):
    files = unzip(patient_client)
    data = json.loads(files[JSON_NAME])

    assert {row["note"] for row in data["weekly_check_ins"]} == {"=1+1 felt better"}
    assert {row["Note"] for row in csv_dicts(files, "weekly-check-ins.csv")} == {
        "'=1+1 felt better"
    }
    reasons = {row["Why this exercise"] for row in csv_dicts(files, "plans.csv")}
    assert "'=HYPERLINK(x)" in reasons


def test_a_deleted_session_is_not_in_the_export(patient_client, patient, content):
    session = SessionFactory(patient=patient, note="Deleted by the patient")
    SessionEntry.objects.create(session=session, exercise=ExerciseFactory(), sets=1, reps=5)
    session.delete()

    files = unzip(patient_client)

    assert json.loads(files[JSON_NAME])["exercise_sessions"] == []
    assert all(b"Deleted by the patient" not in raw for raw in files.values())


# ---- completeness: data.json against the ownership walk -------------------------------------


def owned_rows(person: User) -> dict[str, int]:
    """Count each table's rows this person owns, by owndata's ownership lookups."""
    found = {
        label: apps.get_model(label)._base_manager.filter(**{lookup: person.pk}).count()
        for label, lookup in OWNER.items()
    }
    return {label: number for label, number in found.items() if number}


@pytest.mark.parametrize(
    ("who", "owner"), [("patient_client", "patient"), ("clinician_client", "clinician")]
)
def test_data_json_holds_every_row_the_person_owns(request, clinic_histories, who, owner):
    person = request.getfixturevalue(owner)

    data = json.loads(unzip(request.getfixturevalue(who))[JSON_NAME])

    assert counts(data) == owned_rows(person)


def test_the_fully_populated_patient_fills_every_patient_file(
    patient_client, histories, clinic_histories
):
    data = json.loads(unzip(patient_client)[JSON_NAME])

    empty = {f.key for f in FILES if not data[f.key]}
    assert empty == {f.key for f in FILES if f.clinicians}
    for found in FILES:
        if found.part and not found.clinicians:
            assert any(record[found.part.key] for record in data[found.key]), found.key


# ---- nothing secret ------------------------------------------------------------------------


def secrets_of(person: User) -> set[str]:
    """Every secret, token, internal reference and hash stored for this person or their rows."""
    found = {person.password, str(person.uuid)}
    for label, lookup in OWNER.items():
        model = apps.get_model(label)
        names = {"uuid", "client_token", "guest_id", "code", "source", "key"}
        stored = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname in names or re.search("token|secret|key", f.attname)
        ]
        if not stored:
            continue
        for row in model._base_manager.filter(**{lookup: person.pk}).values(*stored):
            found |= {str(value) for value in row.values() if value}
    for authenticator in Authenticator.objects.filter(user=person):
        found |= {str(value) for value in authenticator.data.values() if isinstance(value, str)}
    found |= {
        str(link.invite.uuid) for link in CareLink.objects.filter(patient=person) if link.invite
    }
    return found


def fill_every_secret(patient: User, clinician: User) -> None:
    """Give the rows their tokens, uuids and references, as forms and the clinic do."""
    for model, owner in [(Plan, {"patient": patient}), (Screening, {"user": patient})]:
        for row in model.objects.filter(**owner):
            model.objects.filter(pk=row.pk).update(client_token=uuid.uuid4())
    for note in Note.objects.filter(clinician=clinician):
        Note.objects.filter(pk=note.pk).update(client_token=uuid.uuid4())
    screening = Screening.objects.filter(user=patient).first()
    Alert.objects.create(patient=patient, kind="urgent", source=str(screening.uuid))
    invite = InviteCode.objects.get(clinician=clinician)
    CareLink.objects.filter(patient=patient, clinician=clinician).update(invite=invite)
    Run.objects.filter(user=patient).update(guest_id=None)


@pytest.mark.parametrize(
    ("who", "owner"), [("patient_client", "patient"), ("clinician_client", "clinician")]
)
def test_no_secret_token_hash_or_internal_reference_is_in_any_file(
    request, patient, clinician, clinic_histories, who, owner
):
    fill_every_secret(patient, clinician)
    person = request.getfixturevalue(owner)
    secrets = secrets_of(person)
    # The scan must have something to find: hashes, tokens, uuids, the authenticator's key.
    assert person.password.startswith(("argon2", "pbkdf2", "md5", "bcrypt", "scrypt"))
    if owner == "clinician":
        assert TOTP_SECRET in secrets
        assert InviteCode.objects.get(clinician=clinician).code in secrets
    else:
        assert any(s for s in secrets if re.fullmatch(r"[0-9a-f-]{36}", s))
    assert len(secrets) > 5

    client = request.getfixturevalue(who)
    files = unzip(client)
    secrets.add(client.session.session_key)

    for name, raw in files.items():
        text = raw.decode("utf-8-sig").lower()
        for secret in secrets:
            assert secret.lower() not in text, (name, secret)
            assert secret.replace("-", "").lower() not in text, (name, secret)


# ---- queries -------------------------------------------------------------------------------


def export_queries() -> int:
    """One per file, one per file's parts, one per file that looks up names; the session read
    with its user."""
    return len(FILES) + sum(1 for f in FILES if f.part) + sum(1 for f in FILES if f.prepare) + 1


def test_queries_do_not_grow_with_the_weeks(
    content,
    patient,
    other_patient,
    clinician,
    stranger_clinician,
    patient_client,
    other_patient_client,
    django_assert_max_num_queries,
):
    mine = make_history(patient, clinician=clinician, weeks=1)
    make_clinic_history(clinician, patient, mine)
    theirs = make_history(other_patient, clinician=stranger_clinician, weeks=52)
    make_clinic_history(stranger_clinician, other_patient, theirs)
    # Named signs to look up, in both.
    Screening.objects.filter(user__in=[patient, other_patient]).update(trigger_keys=["x"])

    with CaptureQueriesContext(connection) as one_week:
        patient_client.post(EXPORT)
    with django_assert_max_num_queries(export_queries()):
        with CaptureQueriesContext(connection) as a_year:
            response = other_patient_client.post(EXPORT)

    assert len(one_week) == len(a_year)
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read(JSON_NAME))
    assert len(data["weekly_check_ins"]) == 52
    assert counts(data)["progress.SessionEntry"] == sizes(theirs)["progress.SessionEntry"]


def test_the_export_page_runs_no_query_for_the_files(patient_client, django_assert_num_queries):
    # The session with its user (one read); the file list comes from the definitions.
    with django_assert_num_queries(1):
        assert patient_client.get(EXPORT).status_code == 200
