"""The FHIR export, validated with fhir.resources.

fhir.resources 8 ships R5 as its default and R4B (4.3.0) as `fhir.resources.R4B`; it has
no plain R4 (4.0.1) package any more. R4B is R4's technical correction and leaves Patient,
Questionnaire, QuestionnaireResponse, Observation and Bundle as R4 defined them, so R4B's
models validate the R4 bundle the app writes.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from apps.clinic.fhir import PAIN_SEVERITY, QUESTIONNAIRE_URL, patient_bundle
from tests.factories import CheckInFactory, monday

pytestmark = pytest.mark.django_db


@pytest.fixture
def check_ins(patient):
    return [
        CheckInFactory(patient=patient, week_start=monday(2), pain_average=6, pain_worst=8),
        CheckInFactory(
            patient=patient, week_start=monday(1), pain_average=4, pain_worst=6, note="Better"
        ),
    ]


def download(client, patient) -> dict:
    response = client.get(reverse("clinic:fhir", args=[patient.uuid]))
    assert response.status_code == 200
    return json.loads(response.content)


def resources(bundle: dict, kind: str) -> list[dict]:
    return [
        entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind
    ]


def test_the_bundle_validates_as_fhir(clinician_client, patient, check_ins):
    data = download(clinician_client, patient)

    bundle = Bundle.model_validate(data)

    assert bundle.type == "collection"
    # Each resource also on its own, by its own class.
    for entry in data["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def test_a_patient_without_check_ins_still_gets_a_valid_bundle(patient):
    data = patient_bundle(patient, now=timezone.now())

    Bundle.model_validate(data)
    assert Counter(e["resource"]["resourceType"] for e in data["entry"]) == {
        "Patient": 1,
        "Questionnaire": 1,
    }


def test_the_validator_catches_a_broken_bundle(patient, check_ins):
    data = patient_bundle(patient, now=timezone.now())
    resources(data, "Observation")[0]["valueInteger"] = "eight"

    with pytest.raises(ValidationError):
        Bundle.model_validate(data)


def test_it_is_served_as_a_fhir_json_attachment(clinician_client, patient):
    response = clinician_client.get(reverse("clinic:fhir", args=[patient.uuid]))

    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="backpain-{patient.uuid}-fhir-'
    )


def test_it_holds_the_patient_the_questionnaire_a_response_per_check_in_and_two_pain_scores(
    clinician_client, patient, check_ins
):
    data = download(clinician_client, patient)

    kinds = Counter(entry["resource"]["resourceType"] for entry in data["entry"])
    assert kinds == {"Patient": 1, "Questionnaire": 1, "QuestionnaireResponse": 2, "Observation": 4}


def test_the_patient_is_identified_by_uuid_without_name_or_e_mail(
    clinician_client, patient, check_ins
):
    patient.display_name = "Zebedee Quill"
    patient.save()

    data = download(clinician_client, patient)

    [person] = resources(data, "Patient")
    assert person["id"] == str(patient.uuid)
    assert person["identifier"] == [
        {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{patient.uuid}"}
    ]
    text = json.dumps(data)
    assert patient.email not in text
    assert "Zebedee" not in text


def test_pain_scores_are_loinc_72514_3_dated_by_the_check_in_week(
    clinician_client, patient, check_ins
):
    data = download(clinician_client, patient)

    observations = resources(data, "Observation")
    assert PAIN_SEVERITY == "72514-3"
    for observation in observations:
        assert observation["status"] == "final"
        assert {"system": "http://loinc.org", "code": "72514-3"}.items() <= observation["code"][
            "coding"
        ][0].items()
        assert observation["subject"] == {"reference": f"urn:uuid:{patient.uuid}"}
    scores = [(o["effectiveDateTime"], o["code"]["text"], o["valueInteger"]) for o in observations]
    assert scores == [
        (monday(2).isoformat(), "Average pain over the week, 0-10", 6),
        (monday(2).isoformat(), "Worst pain in the week, 0-10", 8),
        (monday(1).isoformat(), "Average pain over the week, 0-10", 4),
        (monday(1).isoformat(), "Worst pain in the week, 0-10", 6),
    ]


def test_each_response_answers_the_questionnaire_and_every_reference_resolves(
    clinician_client, patient, check_ins
):
    data = download(clinician_client, patient)

    [questionnaire] = resources(data, "Questionnaire")
    assert questionnaire["url"] == QUESTIONNAIRE_URL
    asked = {item["linkId"] for item in questionnaire["item"]}
    full_urls = {entry["fullUrl"] for entry in data["entry"]}
    responses = resources(data, "QuestionnaireResponse")
    for response in responses:
        assert response["questionnaire"] == questionnaire["url"]
        assert response["status"] == "completed"
        assert response["subject"]["reference"] in full_urls
        assert {item["linkId"] for item in response["item"]} <= asked
    for observation in resources(data, "Observation"):
        [source] = observation["derivedFrom"]
        assert source["reference"] in full_urls
    answers = {item["linkId"]: item["answer"][0] for item in responses[1]["item"]}
    assert answers["pain_average"] == {"valueInteger": 4}
    assert answers["note"] == {"valueString": "Better"}
    # An empty note is left out rather than answered with nothing.
    assert "note" not in {item["linkId"] for item in responses[0]["item"]}


def test_ids_stay_the_same_from_one_export_to_the_next(clinician_client, patient, check_ins):
    first = download(clinician_client, patient)
    second = download(clinician_client, patient)

    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]
    assert len({e["fullUrl"] for e in first["entry"]}) == len(first["entry"])
