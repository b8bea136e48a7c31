"""One patient's weekly check-ins as a FHIR R4 Bundle of type `collection`.

The bundle holds the Patient (identified by the app's uuid only: no name, no e-mail), the
Questionnaire of the weekly check-in, one QuestionnaireResponse per check-in, and for each
check-in two Observations coded LOINC 72514-3 (pain severity, 0-10 numeric rating), the
average and the worst pain of the week, dated by the week's Monday. A test validates the
bundle with the `fhir.resources` library.

Resources reference each other by `urn:uuid:` full URLs. The ids are derived from the
patient's uuid and the week (uuid5), so exporting twice gives the same ids and no database id
leaks out.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from apps.accounts.models import User
from apps.progress.models import CheckIn

LOINC = "http://loinc.org"
PAIN_SEVERITY = "72514-3"
PAIN_SEVERITY_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
URI_IDENTIFIER = "urn:ietf:rfc:3986"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"

# The check-in questionnaire's canonical URL: fixed, so every export names the same one.
QUESTIONNAIRE_UUID = uuid.UUID("463fce09-5f1c-450e-a9af-aa48cf7634e9")
QUESTIONNAIRE_URL = f"urn:uuid:{QUESTIONNAIRE_UUID}"
QUESTIONNAIRE_VERSION = "1"

# (linkId, text, type, lowest, highest, required, LOINC code)
QUESTIONS: list[tuple[str, str, str, int | None, int | None, bool, str | None]] = [
    ("pain_average", "Average pain this week, 0 to 10", "integer", 0, 10, True, PAIN_SEVERITY),
    ("pain_worst", "Worst pain this week, 0 to 10", "integer", 0, 10, True, PAIN_SEVERITY),
    (
        "sleep_nights",
        "Nights pain woke you or kept you awake this week",
        "integer",
        0,
        7,
        True,
        None,
    ),
    (
        "days_active",
        "Days you were active for 30 minutes or more this week",
        "integer",
        0,
        7,
        True,
        None,
    ),
    ("note", "Anything else about this week", "text", None, None, False, None),
]
PAIN_TEXT = {
    "pain_average": "Average pain over the week, 0-10",
    "pain_worst": "Worst pain in the week, 0-10",
}


def _urn(value: uuid.UUID) -> str:
    return f"urn:uuid:{value}"


def _id_for(patient: User, what: str) -> uuid.UUID:
    return uuid.uuid5(patient.uuid, what)


def questionnaire() -> dict[str, Any]:
    """Return the weekly check-in as a FHIR Questionnaire."""
    items = []
    for link_id, text, kind, lowest, highest, required, loinc in QUESTIONS:
        item: dict[str, Any] = {"linkId": link_id, "text": text, "type": kind}
        if loinc:
            item["code"] = [{"system": LOINC, "code": loinc, "display": PAIN_SEVERITY_DISPLAY}]
        item["required"] = required
        if lowest is not None and highest is not None:
            item["extension"] = [
                {"url": MIN_VALUE, "valueInteger": lowest},
                {"url": MAX_VALUE, "valueInteger": highest},
            ]
        items.append(item)
    return {
        "resourceType": "Questionnaire",
        "id": str(QUESTIONNAIRE_UUID),
        "url": QUESTIONNAIRE_URL,
        "version": QUESTIONNAIRE_VERSION,
        "name": "WeeklyCheckIn",
        "title": "Weekly back pain check-in",
        "status": "active",
        "subjectType": ["Patient"],
        "item": items,
    }


def patient_resource(patient: User) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": str(patient.uuid),
        "identifier": [{"system": URI_IDENTIFIER, "value": _urn(patient.uuid)}],
        "active": patient.is_active,
    }


def _answers(check_in: CheckIn) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {
        "pain_average": {"valueInteger": check_in.pain_average},
        "pain_worst": {"valueInteger": check_in.pain_worst},
        "sleep_nights": {"valueInteger": check_in.sleep_nights},
        "days_active": {"valueInteger": check_in.days_active},
    }
    if check_in.note:
        found["note"] = {"valueString": check_in.note}
    return found


def questionnaire_response(patient: User, check_in: CheckIn, own_id: uuid.UUID) -> dict[str, Any]:
    answers = _answers(check_in)
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(own_id),
        "questionnaire": QUESTIONNAIRE_URL,
        "status": "completed",
        "subject": {"reference": _urn(patient.uuid)},
        "authored": check_in.updated_at.isoformat(),
        "item": [
            {"linkId": link_id, "text": text, "answer": [answers[link_id]]}
            for link_id, text, *_ in QUESTIONS
            if link_id in answers
        ],
    }


def pain_observation(
    patient: User, check_in: CheckIn, which: str, own_id: uuid.UUID, response_id: uuid.UUID
) -> dict[str, Any]:
    """Return one pain score of a check-in as an Observation coded LOINC 72514-3."""
    return {
        "resourceType": "Observation",
        "id": str(own_id),
        "status": "final",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "code": {
            "coding": [{"system": LOINC, "code": PAIN_SEVERITY, "display": PAIN_SEVERITY_DISPLAY}],
            "text": PAIN_TEXT[which],
        },
        "subject": {"reference": _urn(patient.uuid)},
        # The check-in is about a week: dated by its Monday, as the app stores it.
        "effectiveDateTime": check_in.week_start.isoformat(),
        "issued": check_in.updated_at.isoformat(),
        "valueInteger": getattr(check_in, which),
        "derivedFrom": [{"reference": _urn(response_id)}],
    }


def patient_bundle(patient: User, *, now: dt.datetime) -> dict[str, Any]:
    """Return the patient's check-ins as a FHIR R4 collection Bundle (one query)."""
    entries = [
        {"fullUrl": _urn(patient.uuid), "resource": patient_resource(patient)},
        {"fullUrl": QUESTIONNAIRE_URL, "resource": questionnaire()},
    ]
    for check_in in CheckIn.objects.for_patient(patient).order_by("week_start"):
        week = check_in.week_start.isoformat()
        response_id = _id_for(patient, f"check-in/{week}")
        entries.append(
            {
                "fullUrl": _urn(response_id),
                "resource": questionnaire_response(patient, check_in, response_id),
            }
        )
        for which in PAIN_TEXT:
            observation_id = _id_for(patient, f"check-in/{week}/{which}")
            entries.append(
                {
                    "fullUrl": _urn(observation_id),
                    "resource": pain_observation(
                        patient, check_in, which, observation_id, response_id
                    ),
                }
            )
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": now.isoformat(),
        "entry": entries,
    }
