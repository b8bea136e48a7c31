"""Workflows that span several models: building plans, logging sessions, weekly check-ins."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import NamedTuple

from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.http import Http404, QueryDict

from apps.accounts.models import User
from apps.checklist.results import latest_priorities
from apps.exercises.models import Exercise
from apps.screening.gate import latest_screening
from apps.screening.models import Question, Screening
from apps.screening.triage import Level
from backpain import content_cache, prepared
from backpain.once import create_once
from backpain.prepared import Prepared

from .models import (
    CheckIn,
    Frequency,
    FunctionActivity,
    FunctionScore,
    Plan,
    PlanItem,
    PlanKind,
    Reminder,
    Session,
    SessionEntry,
)
from .planner import Candidate, Priority, build_plan, estimate_minutes


def exercise_candidates(exercises: list[Exercise]) -> dict[str, Candidate]:
    return {
        exercise.slug: Candidate(
            slug=exercise.slug,
            name=exercise.name,
            kind=exercise.kind,
            difficulty=exercise.difficulty,
            bone_density_caution=exercise.bone_density_caution,
            minutes=estimate_minutes(
                sets=exercise.sets,
                reps=exercise.reps,
                hold=exercise.hold_seconds,
                duration=exercise.duration_seconds,
                rest=exercise.rest_seconds,
                per_side=exercise.per_side,
            ),
        )
        for exercise in exercises
    }


def checklist_priorities(patient: User) -> list[Priority]:
    """The latest completed checklist's priorities, with the exercises each one links."""
    return [
        Priority(item.key, item.title, list(item.exercise_slugs))
        for item in latest_priorities(patient)
    ]


def latest_pain_average(patient: User) -> int | None:
    return (
        CheckIn.objects.for_patient(patient)
        .order_by("-week_start")
        .values_list("pain_average", flat=True)
        .first()
    )


def has_bone_density_caution(patient: User) -> bool:
    screening = latest_screening(patient)
    return bool(screening and screening.bone_density_caution)


def _lock_plans(patient: User) -> None:
    """Make this patient's other plan changes wait until this transaction ends.

    Two tabs, or a double click, would otherwise both find no active plan and both insert
    one, and the second would fail on `plan_one_active_per_kind`.
    """
    User.objects.select_for_update().filter(pk=patient.pk).first()


@transaction.atomic
def plan_build(*, patient: User) -> Plan:
    """Build (or rebuild) the patient's own plan from their latest answers."""
    _lock_plans(patient)
    library = exercise_candidates(list(Exercise.objects.all()))
    draft = build_plan(
        priorities=checklist_priorities(patient),
        pain_average=latest_pain_average(patient),
        bone_density=has_bone_density_caution(patient),
        library=library,
    )
    previous = Plan.objects.filter(patient=patient, kind=PlanKind.SELF, active=True).first()
    # A rebuild keeps the strength days the patient chose.
    strength_days = previous.strength_days() if previous else None
    Plan.objects.filter(patient=patient, kind=PlanKind.SELF, active=True).update(active=False)
    plan = Plan.objects.create(patient=patient, kind=PlanKind.SELF, reasons=draft.reasons)
    ids = dict(Exercise.objects.filter(slug__in=draft.slugs()).values_list("slug", "id"))
    PlanItem.objects.bulk_create(
        PlanItem(
            plan=plan,
            exercise_id=ids[item.slug],
            order=index,
            frequency=item.frequency,
            reason=item.reason,
        ).scheduled(strength_days)
        for index, item in enumerate(draft.items)
    )
    return plan


def plan_current(*, patient: User) -> Plan:
    """Return the plan in force, building the patient's own on their first visit."""
    current = Plan.objects.for_patient(patient).current()
    if current is not None:
        return current
    with transaction.atomic():
        _lock_plans(patient)
        # A request that held the lock first may have built it meanwhile.
        return Plan.objects.for_patient(patient).current() or plan_build(patient=patient)


def plan_item_restore(*, patient: User, snapshot: dict) -> tuple[PlanItem | None, str]:
    """Put a removed item back (Undo) from its `PlanItem.snapshot()`; return the new item,
    or None and why not. Only into the patient's own self-built plan, still in force, and
    only while it is still safe for them and not already back (a second tab, a swap)."""
    name = snapshot["name"]
    plan = Plan.objects.filter(
        id=snapshot["plan"], patient=patient, active=True, kind=PlanKind.SELF
    ).first()
    if plan is None:
        return None, f"Your plan has changed since, so {name} cannot be put back."
    exercise = Exercise.objects.filter(id=snapshot["exercise"]).first()
    if exercise is None or (exercise.bone_density_caution and has_bone_density_caution(patient)):
        return None, f"{name} is no longer one we suggest for you, so it was not put back."
    fields = {key: snapshot[key] for key in PlanItem.SNAPSHOT_FIELDS}
    weekdays = snapshot["weekdays"]
    if fields["frequency"] != Frequency.DAILY:
        # Strength days moved since the removal: the item joins the plan's days as they are now.
        weekdays = plan.strength_days() or weekdays
    try:
        with transaction.atomic():
            item = plan.items.create(exercise=exercise, weekdays=weekdays, **fields)
    except IntegrityError:
        return None, f"{name} is already in your plan."
    return item, ""


def swap_choices(
    item: PlanItem, exercises: list[Exercise], *, bone_density: bool
) -> list[Exercise]:
    """Exercises that could replace this one: same kind, a shared body region, not in the plan."""
    in_plan = {other.exercise_id for other in item.plan.items.all()}
    regions = set(item.exercise.regions)
    return [
        exercise
        for exercise in exercises
        if exercise.kind == item.exercise.kind
        and not regions.isdisjoint(exercise.regions)
        and exercise.id not in in_plan
        and not (bone_density and exercise.bone_density_caution)
    ]


def session_save(
    *,
    patient: User,
    token: uuid.UUID,
    form_data: dict,
    entries: list[dict],
    session: Session | None = None,
) -> tuple[Session, bool]:
    """Save a session once per form token; return it and whether it was new.

    A double click or a resent form carries the same token: the second save finds the
    first session instead of creating another. An edit saves in place.
    """

    def write(session: Session) -> Session:
        for name, value in form_data.items():
            setattr(session, name, value)
        session.save()
        session.entries.all().delete()
        SessionEntry.objects.bulk_create(
            SessionEntry(session=session, **entry) for entry in entries
        )
        return session

    if session is not None:
        with transaction.atomic():
            return write(session), False
    return create_once(
        Session,
        token,
        {"patient": patient},
        lambda: write(Session(patient=patient, client_token=token)),
    )


@transaction.atomic
def check_in_save(
    *,
    patient: User,
    week: dt.date,
    values: dict,
    activity_names: dict[int, str],
    scores: dict[int, int],
) -> CheckIn:
    """Create or update this week's check-in and its function scores.

    The same answers sent again (the form shown anew and saved unchanged) write nothing:
    the check-in is as it was, so its alerts were raised when it was last saved.
    """
    check_in = CheckIn.objects.select_for_update().filter(patient=patient, week_start=week).first()
    if check_in is None:
        # update_or_create: a twin request creating it meanwhile is no error.
        check_in, _ = CheckIn.objects.update_or_create(
            patient=patient, week_start=week, defaults=values
        )
    elif any(getattr(check_in, name) != value for name, value in values.items()):
        # The patient we have: the alerts the save raises (apps/clinic/signals.py) need
        # not read the account again.
        check_in.patient = patient
        for name, value in values.items():
            setattr(check_in, name, value)
        check_in.save(update_fields=[*values, "updated_at"])
    activities = {
        activity.order: activity for activity in FunctionActivity.objects.filter(patient=patient)
    }
    for order, name in activity_names.items():
        if order not in activities and name:
            activities[order] = FunctionActivity.objects.create(
                patient=patient, name=name, order=order
            )
    saved = dict(
        FunctionScore.objects.filter(check_in=check_in).values_list("activity__order", "score")
    )
    # One upsert for the (at most three) changed scores, not a lookup and a write for each;
    # none when they are as saved, so the form sent again changes nothing.
    FunctionScore.objects.bulk_create(
        [
            FunctionScore(check_in=check_in, activity=activities[order], score=score)
            for order, score in scores.items()
            if order in activities and score is not None and saved.get(order) != score
        ],
        update_conflicts=True,
        unique_fields=["check_in", "activity"],
        update_fields=["score"],
    )
    return check_in


def reminder_save(
    *, patient: User, enabled: bool, weekday: int, exercise_days: bool, hour: int
) -> Reminder:
    """Create or change the patient's one reminder.

    `update_or_create` locks the row it finds and, when two first saves race, takes the
    other's row instead of failing on the unique patient: both end with the same reminder.
    """
    reminder, _ = Reminder.objects.update_or_create(
        patient=patient,
        defaults={
            "enabled": enabled,
            "weekday": weekday,
            "exercise_days": exercise_days,
            "hour": hour,
        },
    )
    return reminder


def check_in_digest(post: QueryDict, week: dt.date) -> str:
    """What a posted check-in form holds, in 32 hex digits: every field as sent (but the
    CSRF token, which need not be the same for the same form), for this week and this
    release of the questions. The same digest means the same form sent again."""
    fields = sorted((k, post.getlist(k)) for k in post if k != "csrfmiddlewaretoken")
    held = json.dumps([week.isoformat(), content_cache.version(), fields])
    return hashlib.blake2b(held.encode(), digest_size=16).hexdigest()


# The re-check a form token names, read by its unique index: the whole check of a resend.
_BY_TOKEN = Prepared(
    lambda token: Screening.objects.filter(client_token=token), token=prepared.UUID
)


def check_in_resent(*, patient: User, token: uuid.UUID, digest: str) -> Screening | None:
    """The re-check of the form accepted last with this token, when this is that form sent
    again (a double click, a phone retrying); None when it is anything else.

    One read: that form was saved and its answers checked when it was accepted, so sending
    it again changes nothing and is answered with the same re-check. A token of somebody
    else's row is a 404, as in `create_once`.
    """
    found = next(iter(_BY_TOKEN(token=token)), None)
    if found is not None and found.user_id != patient.pk:
        raise Http404
    return found if found is not None and found.form_digest == digest else None


def check_in_submit(
    *,
    patient: User,
    token: uuid.UUID,
    week: dt.date,
    values: dict,
    activity_names: dict[int, str],
    scores: dict[int, int],
    answers: dict[str, str],
    digest: str = "",
) -> Screening:
    """Save the week's check-in and record its re-check, once per form token.

    The re-check is a screening of its own (the questions it did not ask keep the
    patient's earlier answers), so it never deletes or weakens their unfinished or
    completed checks. A form sent again as it was (a double click, a phone retrying) returns
    the re-check the first one recorded, so the patient sees the same result and no alert is
    raised twice. A form changed after it was sent (Back, an edit, send again) carries the
    same token, but is not the same form: what it says is saved, and when its re-check
    answers differ they are checked afresh, so a sign added then is never answered with the
    first form's result. The token then names that new re-check, and `digest` (see
    `check_in_digest`) the form last accepted, so that form sent again is known at once
    (`check_in_resent`) and is not checked yet again.
    """

    def save() -> None:
        check_in_save(
            patient=patient,
            week=week,
            values=values,
            activity_names=activity_names,
            scores=scores,
        )

    def submit() -> Screening:
        save()
        return Screening.objects.record_recheck(
            user=patient, answers=answers, token=token, digest=digest
        )

    screening, created = create_once(Screening, token, {"user": patient}, submit)
    if created:
        return screening
    # A re-check's answers never change once recorded, so this reading holds for both steps.
    same_answers = screening.answered(answers)
    if same_answers and check_in_unchanged(
        patient=patient, week=week, values=values, activity_names=activity_names, scores=scores
    ):
        return screening  # the same form: read, not locked or written
    with transaction.atomic():
        # This week's check-in is locked from here: a twin of this changed form waits, and
        # then finds the token already moved to the re-check made here (read again below).
        save()
        latest = Screening.objects.filter(client_token=token).first()
        if latest is not None and latest.answered(answers):
            Screening.objects.filter(pk=latest.pk).update(form_digest=digest)
            return latest
        try:
            with transaction.atomic():
                Screening.objects.filter(client_token=token).update(client_token=None)
                return Screening.objects.record_recheck(
                    user=patient, answers=answers, token=token, digest=digest
                )
        except IntegrityError:
            # A twin took the token first (the week's first check-in, not yet there to
            # lock): these answers are checked all the same, in a re-check of their own.
            return Screening.objects.record_recheck(user=patient, answers=answers)


def check_in_unchanged(
    *,
    patient: User,
    week: dt.date,
    values: dict,
    activity_names: dict[int, str],
    scores: dict[int, int],
) -> bool:
    """Whether `check_in_save` with these would change nothing (it adds missing activities
    and sets the scores given; it renames none)."""
    check_in = CheckIn.objects.filter(patient=patient, week_start=week).first()
    if check_in is None or any(getattr(check_in, name) != value for name, value in values.items()):
        return False
    saved = dict(
        FunctionScore.objects.filter(check_in=check_in).values_list("activity__order", "score")
    )
    orders = set(FunctionActivity.objects.filter(patient=patient).values_list("order", flat=True))
    return all(order in orders for order, name in activity_names.items() if name) and all(
        saved.get(order) == score
        for order, score in scores.items()
        if order in orders and score is not None
    )


class RecheckQuestion(NamedTuple):
    """What the check-in form asks of a warning sign: its key, its words and its level."""

    key: str
    trigger: str
    level: str


def recheck_questions() -> list[RecheckQuestion]:
    """The signs re-asked every week: every emergency and urgent question, in order.

    Content, the same for everyone, that changes only when content is loaded: read once per
    content version into this process's `content` cache (backpain/content_cache.py), not
    on every check-in."""
    key = f"recheck-questions:{content_cache.version()}"
    questions = caches["content"].get(key)
    if questions is None:
        questions = [
            RecheckQuestion(question.key, question.trigger, question.level)
            for question in Question.objects.active()
            .filter(level__in=[Level.EMERGENCY, Level.URGENT])
            .order_by("order")
        ]
        caches["content"].set(key, questions, None)
    return questions
