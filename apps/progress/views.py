from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apps.accounts.decorators import patient_required
from apps.exercises.models import Exercise
from apps.exercises.views import routine_slugs
from apps.screening.gate import care_gate, latest_screening
from apps.screening.triage import Urgency

from . import services
from .forms import CheckInForm, EntryFormSet, ReminderForm, SessionForm, SwapForm
from .models import (
    CheckIn,
    FunctionActivity,
    FunctionScore,
    Plan,
    PlanItem,
    PlanKind,
    Reminder,
    Session,
    SessionEntry,
)
from .progress import progress_summary
from .schedule import StrengthDaysForm, day_names, plan_week, strength_days_set


def _plan_page(request: HttpRequest, days_form: StrengthDaysForm | None = None) -> HttpResponse:
    gate = care_gate(request)
    if gate is not None:
        return render(request, "progress/plan.html", {"gate": gate})
    screening = latest_screening(request.user)
    prescribed = Plan.objects.for_patient(request.user).filter(
        kind=PlanKind.PRESCRIBED, active=True
    )
    if screening is None and not prescribed.exists():
        # A self-built plan depends on the answers (bone density) and must not precede the
        # safety check; a clinician's programme is shown, with the check offered above it.
        return render(request, "progress/plan.html", {"needs_screening": True})
    current = services.plan_current(patient=request.user)
    prefetch_related_objects(
        [current], Prefetch("items", queryset=PlanItem.objects.select_related("exercise"))
    )
    items = list(current.items.all())
    today = timezone.localdate()
    today_items = current.items_on(today)
    strength_days = current.strength_days()
    if days_form is None and strength_days and current.kind == PlanKind.SELF:
        days_form = StrengthDaysForm(initial={"days": strength_days})
    exercises = list(Exercise.objects.all())
    # The screening the view already read: no second query for the same row.
    bone_density = bool(screening and screening.bone_density_caution)
    in_plan = {item.exercise_id for item in items}
    rows = [
        (
            item,
            [
                e
                for e in services.swap_choices(item, exercises, bone_density=bone_density)
                if e.id not in in_plan
            ],
        )
        for item in items
    ]
    return render(
        request,
        "progress/plan.html",
        {
            "plan": current,
            "rows": rows,
            "routine_items": ",".join(item.exercise.slug for item in today_items),
            "today_items": today_items,
            "today": today,
            "week": plan_week(current, today),
            "days_form": days_form,
            "bone_density": bone_density,
            "care_first": screening is not None and screening.urgency == Urgency.URGENT,
            "check_first": screening is None,
        },
    )


@require_safe
@login_required
@patient_required
def plan(request: HttpRequest) -> HttpResponse:
    return _plan_page(request)


@require_POST
@login_required
@patient_required
def plan_days(request: HttpRequest) -> HttpResponse:
    """Move the strength days of the patient's own plan (a prescription's are fixed)."""
    current = Plan.objects.for_patient(request.user).current()
    if current is None or current.kind != PlanKind.SELF:
        raise Http404("No plan of your own to change.")
    form = StrengthDaysForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, form)
    days = form.cleaned_data["days"]
    if strength_days_set(plan=current, days=days):
        messages.success(request, f"Your strength days are now {day_names(days)}.")
    else:
        messages.info(request, "Your plan has no strength work to move yet.")
    return redirect("progress:plan")


@require_POST
@login_required
@patient_required
def plan_rebuild(request: HttpRequest) -> HttpResponse:
    services.plan_build(patient=request.user)
    messages.success(request, "Your plan has been rebuilt from your latest answers.")
    return redirect("progress:plan")


def _own_self_plan_item(request: HttpRequest, item_id: int) -> PlanItem:
    # Only the patient's own, self-built, active plan can be edited:
    # a prescription is the clinician's.
    return get_object_or_404(
        PlanItem.objects.select_related("plan", "exercise"),
        id=item_id,
        plan__patient=request.user,
        plan__active=True,
        plan__kind="self",
    )


@require_POST
@login_required
@patient_required
def plan_item_swap(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _own_self_plan_item(request, item_id)
    form = SwapForm(request.POST)
    choices = services.swap_choices(
        item,
        list(Exercise.objects.all()),
        bone_density=services.has_bone_density_caution(request.user),
    )
    replacement = next(
        (e for e in choices if form.is_valid() and e.slug == form.cleaned_data["exercise"]), None
    )
    if replacement is None:
        messages.error(
            request, f"That exercise cannot replace {item.exercise.name}: choose one from the list."
        )
        return redirect("progress:plan")
    old = item.exercise.name
    item.exercise = replacement
    item.save(update_fields=["exercise"])
    messages.success(request, f"Swapped {old} for {replacement.name}.")
    return redirect("progress:plan")


@require_POST
@login_required
@patient_required
def plan_item_remove(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _own_self_plan_item(request, item_id)
    item.delete()
    messages.success(request, f"Removed {item.exercise.name} from your plan.")
    return redirect("progress:plan")


def _entry_initial(slugs: list[str], library: dict[str, Exercise]) -> list[dict[str, Any]]:
    return [
        {
            "exercise": slug,
            "sets": library[slug].sets,
            "reps": library[slug].reps,
            # Timed moves (breathing, walking) log their duration as the time held.
            "hold_seconds": library[slug].hold_seconds or library[slug].duration_seconds,
        }
        for slug in slugs
        if slug in library
    ]


def _session_page(request: HttpRequest, session: Session | None) -> HttpResponse:
    library = {exercise.slug: exercise for exercise in Exercise.objects.all()}
    recent = Session.objects.for_patient(request.user).prefetch_related(
        Prefetch("entries", queryset=SessionEntry.objects.select_related("exercise"))
    )[:10]
    if request.method == "POST":
        form = SessionForm(request.POST, instance=session)
        entries = EntryFormSet(request.POST, form_kwargs={"exercises": library}, prefix="entries")
        if form.is_valid() and entries.is_valid():
            saved, created = services.session_save(
                patient=request.user,
                token=form.cleaned_data["client_token"],
                form_data={
                    k: form.cleaned_data[k] for k in ("performed_on", "pain_during", "note")
                },
                entries=[entry for entry in (f.entry() for f in entries.forms) if entry],
                session=session,
            )
            messages.success(
                request,
                "Session saved." if created or session else "That session was already saved.",
            )
            return redirect("progress:home")
    else:
        initial = {"client_token": session.client_token} if session else {}
        form = SessionForm(instance=session, initial=initial)
        if session:
            initial = [
                {
                    "exercise": e.exercise.slug,
                    "sets": e.sets,
                    "reps": e.reps,
                    "hold_seconds": e.hold_seconds,
                }
                for e in session.entries.select_related("exercise")
            ]
        else:
            initial = _entry_initial(routine_slugs(request), library)
        # Two empty rows after whatever was prefilled, for anything done beyond the plan.
        entries = EntryFormSet(
            initial=[*initial, {}, {}], form_kwargs={"exercises": library}, prefix="entries"
        )
    return render(
        request,
        "progress/log.html",
        {"form": form, "entries": entries, "recent": recent, "session": session},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
@patient_required
def log(request: HttpRequest) -> HttpResponse:
    gate = care_gate(request)
    if gate is not None:
        return render(request, "progress/log.html", {"gate": gate})
    return _session_page(request, None)


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
@patient_required
def log_edit(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    session = get_object_or_404(Session.objects.for_patient(request.user), uuid=uuid)
    if not session.editable:
        messages.error(request, "A session can only be changed on the day you logged it.")
        return redirect("progress:log")
    return _session_page(request, session)


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
@patient_required
def check_in(request: HttpRequest) -> HttpResponse:
    week = CheckIn.current_week()
    existing = CheckIn.objects.for_patient(request.user).filter(week_start=week).first()
    activities = list(FunctionActivity.objects.filter(patient=request.user))
    scores = (
        dict(
            FunctionScore.objects.filter(check_in=existing).values_list("activity__order", "score")
        )
        if existing
        else {}
    )
    recheck = services.recheck_questions()
    form = CheckInForm(
        request.POST or None,
        instance=existing,
        activities=activities,
        scores=scores,
        recheck=recheck,
    )
    if request.method == "POST" and form.is_valid():
        screening = services.check_in_submit(
            patient=request.user,
            token=form.cleaned_data["client_token"],
            week=week,
            values={
                name: form.cleaned_data[name]
                for name in ("pain_average", "pain_worst", "sleep_nights", "days_active", "note")
            },
            activity_names=form.activity_names(),
            scores=form.scores(),
            answers=form.recheck_answers(),
        )
        # A sign that needs care today comes before any thanks for checking in.
        if screening.urgency in (Urgency.EMERGENCY, Urgency.URGENT):
            return redirect(screening.get_absolute_url())
        messages.success(request, "Check-in saved. Thank you.")
        return redirect("progress:home")
    return render(
        request,
        "progress/check_in.html",
        {"form": form, "week": week, "existing": existing},
    )


def _home(request: HttpRequest, reminder_form: ReminderForm) -> HttpResponse:
    context = progress_summary(request.user, timezone.localdate())
    return render(request, "progress/home.html", {**context, "reminder_form": reminder_form})


@require_safe
@login_required
@patient_required
def home(request: HttpRequest) -> HttpResponse:
    reminder = Reminder.objects.filter(patient=request.user).first()
    return _home(request, ReminderForm(instance=reminder))


@require_POST
@login_required
@patient_required
def reminder(request: HttpRequest) -> HttpResponse:
    form = ReminderForm(
        request.POST, instance=Reminder.objects.filter(patient=request.user).first()
    )
    if not form.is_valid():
        return _home(request, form)
    saved = services.reminder_save(
        patient=request.user,
        enabled=form.cleaned_data["enabled"],
        weekday=form.cleaned_data["weekday"],
    )
    if saved.enabled:
        messages.success(
            request, f"We will e-mail you a check-in reminder every {saved.get_weekday_display()}."
        )
    else:
        messages.success(request, "Check-in reminders are off.")
    return redirect("progress:home")
