from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apps.accounts.decorators import patient_required
from apps.exercises.models import Exercise
from apps.exercises.picker import Change, change_rows, library_search
from apps.exercises.views import routine_slugs
from apps.screening.gate import care_gate, latest_and_gate, latest_screening
from apps.screening.models import Screening
from apps.screening.triage import Urgency
from backpain.page_cache import kept_page

from . import reminders, services
from .forms import (
    MAX_ENTRIES,
    CheckInForm,
    EntryFormSet,
    ReminderForm,
    SessionForm,
    SwapForm,
    entry_row,
)
from .models import (
    EDIT_WINDOW,
    CheckIn,
    FunctionActivity,
    FunctionScore,
    Plan,
    PlanItem,
    PlanKind,
    Reminder,
    Session,
)
from .progress import progress_summary, recent_sessions_html
from .schedule import StrengthDaysForm, day_names, plan_week, strength_days_set


def _plan_page(request: HttpRequest, days_form: StrengthDaysForm | None = None) -> HttpResponse:
    screening, gate = latest_and_gate(request)
    if gate is not None:
        return render(request, "progress/plan.html", {"gate": gate})
    prescribed = Plan.objects.for_patient(request.user).filter(
        kind=PlanKind.PRESCRIBED, active=True
    )
    if screening is None and not prescribed.exists():
        # A self-built plan depends on the answers (bone density) and must not precede the
        # safety check; a clinician's programme is shown, with the check offered above it.
        return render(request, "progress/plan.html", {"needs_screening": True})
    context = _plan_context(request, screening, days_form)
    # Without JavaScript, Remove comes back here with ?removed=<id>: the same Undo the
    # row would have shown, while the session still holds what was removed.
    removed_id = request.GET.get("removed", "")
    context["undo"] = removed_id.isdigit() and _removed(request, int(removed_id))
    return render(request, "progress/plan.html", context)


def _plan_context(
    request: HttpRequest, screening: Screening | None, days_form: StrengthDaysForm | None = None
) -> dict[str, Any]:
    """What the plan page shows of the plan in force (also what htmx row changes update)."""
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
    exercises = list(Exercise.objects.for_swapping())
    # The screening the view already read: no second query for the same row.
    bone_density = bool(screening and screening.bone_density_caution)
    rows = [
        (item, services.swap_choices(item, exercises, bone_density=bone_density)) for item in items
    ]
    return {
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
    }


def _row_changed(request: HttpRequest, **row: Any) -> HttpResponse:
    """The htmx answer to a swap, removal or undo: the one row (swapped in place, so the
    page keeps its scroll position), plus Today and the week, which the change alters."""
    context = _plan_context(request, latest_screening(request.user))
    item = row.get("item")
    if item is not None:
        row["choices"] = next((c for i, c in context["rows"] if i.id == item.id), [])
    return render(request, "progress/plan.html#changed", {**context, **row, "oob": True})


# What Remove took away, kept in the person's own session so Undo can put the item back
# with its days and dose. Not in the Undo form: a form could be edited to add anything.
REMOVED_KEY = "plan_removed"
REMOVED_KEPT = 5


def _removed(request: HttpRequest, item_id: int) -> dict[str, Any] | None:
    return next((r for r in request.session.get(REMOVED_KEY, []) if r["id"] == item_id), None)


def _forget_removed(request: HttpRequest, item_id: int) -> None:
    kept = [r for r in request.session.get(REMOVED_KEY, []) if r["id"] != item_id]
    request.session[REMOVED_KEY] = kept


@require_safe
@login_required
@patient_required
@kept_page
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
        list(Exercise.objects.for_swapping()),
        bone_density=services.has_bone_density_caution(request.user),
    )
    replacement = next(
        (e for e in choices if form.is_valid() and e.slug == form.cleaned_data["exercise"]), None
    )
    if replacement is None:
        problem = f"That exercise cannot replace {item.exercise.name}: choose one from the list."
        return _row_refused(request, problem, item=item)
    old = item.exercise.name
    item.exercise = replacement
    item.save(update_fields=["exercise"])
    return _row_done(request, item, f"Swapped {old} for {replacement.name}.")


@require_POST
@login_required
@patient_required
def plan_item_remove(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _own_self_plan_item(request, item_id)
    snapshot = item.snapshot()
    item.delete()
    kept = [r for r in request.session.get(REMOVED_KEY, []) if r["id"] != item_id]
    request.session[REMOVED_KEY] = [*kept, snapshot][-REMOVED_KEPT:]
    if request.htmx:
        return _row_changed(request, undo=snapshot)
    return redirect(f"{reverse('progress:plan')}?removed={item_id}#plan-undo")


@require_POST
@login_required
@patient_required
def plan_item_restore(request: HttpRequest, item_id: int) -> HttpResponse:
    """Undo a removal: the item comes back to the same plan with its days and dose."""
    snapshot = _removed(request, item_id)
    if snapshot is None:
        raise Http404("Nothing removed to put back.")
    _forget_removed(request, item_id)
    item, problem = services.plan_item_restore(patient=request.user, snapshot=snapshot)
    if item is None:
        return _row_refused(request, problem, undo=snapshot)
    return _row_done(request, item, f"Put {item.exercise.name} back in your plan.")


def _row_done(request: HttpRequest, item: PlanItem, done: str) -> HttpResponse:
    """A row changed: htmx gets the row saying so, a whole page the plan at that row."""
    if request.htmx:
        return _row_changed(request, item=item, row_status=done)
    messages.success(request, done)
    return redirect(f"{reverse('progress:plan')}#plan-item-{item.id}")


def _row_refused(request: HttpRequest, problem: str, **row: Any) -> HttpResponse:
    """A row could not change: htmx gets the row as it was, with the reason in it."""
    if request.htmx:
        return _row_changed(request, row_error=problem, **row)
    messages.error(request, problem)
    return redirect("progress:plan")


# Buttons that change the log's lines (or show it again) instead of saving it. A post
# without any of them saves: the routine player posts the fields alone.
LOG_CHANGES = ("add", "remove", "find", "refresh")


def _find(data: Any, search: dict[str, Any]) -> tuple[str | None, Change | None]:
    """The Add button beside the search box: the one exercise the words name, if one."""
    words = str(data.get("search-q", "")).strip()
    results = search["results"]
    if search["search_notes"]:
        return None, Change(" ".join(search["search_notes"]), "info")
    if not words:
        return None, Change("Type a name to find an exercise.", "info")
    exact = [e for e in results if e.name.casefold() == words.casefold()]
    if len(exact) == 1 or len(results) == 1:
        return (exact or results)[0].slug, None
    if not results:
        return None, Change(f"No exercise matches \u201c{words}\u201d.", "info")
    return None, Change(f"{len(results)} exercises match: choose one below.", "info")


def _entry_rows(
    session: Session | None, slugs: list[str], library: dict[str, Exercise]
) -> list[dict[str, Any]]:
    if session is None:
        return [entry_row(library[slug]) for slug in slugs if slug in library]
    return [
        {
            "exercise": entry.exercise.slug,
            "done": True,
            "sets": entry.sets,
            "reps": entry.reps,
            "hold_seconds": entry.hold_seconds,
        }
        for entry in session.entries.select_related("exercise")
    ]


def _changed_log(
    request: HttpRequest,
    session: Session | None,
    form: SessionForm,
    entries: Any,
    search: dict[str, Any],
) -> tuple[SessionForm, Any, Change | None]:
    """Apply the Add, Add from the search or Remove button; return the log to show again,
    as typed, without messages for what is not finished yet."""
    add = request.POST.get("add")
    found = None
    if "find" in request.POST:
        add, found = _find(request.POST, search)
    rows, change = change_rows(
        entries.draft(),
        add=add,
        remove=request.POST.get("remove"),
        library=entries.form_kwargs["exercises"],
        new_row=entry_row,
        limit=MAX_ENTRIES,
        container="this session",
        too_many=f"A session can hold up to {MAX_ENTRIES} exercises.",
    )
    return (
        SessionForm(instance=session, initial={name: form[name].value() for name in form.fields}),
        EntryFormSet(initial=rows, form_kwargs=entries.form_kwargs, prefix="entries"),
        change or found,
    )


def _session_page(request: HttpRequest, session: Session | None) -> HttpResponse:
    """The log: one line per exercise, lines added from a search and removed, one pain score.

    Like the prescription page (apps/exercises/picker.py), the lines live in the page's
    one form until it is saved; with htmx, Add and Remove swap only the lines.
    """
    library = {exercise.slug: exercise for exercise in Exercise.objects.for_log()}
    data = request.POST if request.method == "POST" else request.GET
    search = library_search(data, library)
    change = None
    if request.method == "POST":
        form = SessionForm(request.POST, instance=session)
        entries = EntryFormSet(request.POST, form_kwargs={"exercises": library}, prefix="entries")
        # The search box asking as the patient types (htmx) only searches.
        searching = bool(request.htmx) and request.htmx.target == "log-results"
        if not searching and not any(name in request.POST for name in LOG_CHANGES):
            if form.is_valid() & entries.is_valid():
                _, created = services.session_save(
                    patient=request.user,
                    token=form.cleaned_data["client_token"],
                    form_data={
                        k: form.cleaned_data[k] for k in ("performed_on", "pain_during", "note")
                    },
                    entries=[entry for entry in (f.entry() for f in entries.forms) if entry],
                    session=session,
                )
                if session is not None:
                    messages.success(request, "Session changed.")
                else:
                    messages.success(
                        request, "Session saved." if created else "That session was already saved."
                    )
                return redirect("progress:home")
        else:
            form, entries, change = _changed_log(request, session, form, entries, search)
    else:
        form = SessionForm(
            instance=session, initial={"client_token": session.client_token} if session else {}
        )
        entries = EntryFormSet(
            initial=_entry_rows(session, routine_slugs(request), library),
            form_kwargs={"exercises": library},
            prefix="entries",
        )
    in_log = {row.exercise_obj for row in entries.forms}
    context = {
        "form": form,
        "entries": entries,
        "recent": recent_sessions_html(Session.objects.for_patient(request.user).recent()),
        "session": session,
        "change": change,
        "finding": "find" in request.POST,
        "in_log": {exercise.slug for exercise in in_log if exercise},
        **search,
    }
    template = "progress/log.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results" if request.htmx.target == "log-results" else "#swap"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
@patient_required
@kept_page
def log(request: HttpRequest) -> HttpResponse:
    gate = care_gate(request)
    if gate is not None:
        return render(request, "progress/log.html", {"gate": gate})
    return _session_page(request, None)


def _editable_session(request: HttpRequest, uuid: uuid.UUID) -> Session | None:
    """The patient's own session (anyone else's is a 404), or None once it is history."""
    session = get_object_or_404(Session.objects.for_patient(request.user), uuid=uuid)
    if session.editable:
        return session
    messages.error(
        request,
        f"The session of {session.performed_on:%-d %B} was logged more than "
        f"{EDIT_WINDOW.days} days ago, so it can no longer be changed or deleted.",
    )
    return None


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
@patient_required
def log_edit(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    session = _editable_session(request, uuid)
    if session is None:
        return redirect("progress:log")
    return _session_page(request, session)


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
@patient_required
def log_delete(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    """Delete a session after a confirmation page (a GET); the POST deletes it."""
    session = _editable_session(request, uuid)
    if session is None:
        return redirect("progress:log")
    back = "progress:home" if request.POST.get("back") == "progress" else "progress:log"
    if request.method == "POST":
        session.delete()
        messages.success(request, f"Deleted the session of {session.performed_on:%A %-d %B}.")
        return redirect(back)
    return render(
        request,
        "progress/log_delete.html",
        {
            "session": session,
            "entries": session.entries.select_related("exercise"),
            "back": request.GET.get("back") == "progress",
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
@patient_required
@kept_page
def check_in(request: HttpRequest) -> HttpResponse:
    week = CheckIn.current_week()
    if request.POST:
        # Most posts are a form sent again (a double click, a phone retrying): known by one
        # read, before the form, its activities and its questions are built.
        digest = services.check_in_digest(request.POST, week)
        token = _posted_token(request.POST)
        if token is not None and (
            resent := services.check_in_resent(patient=request.user, token=token, digest=digest)
        ):
            return _check_in_answer(request, resent)
    this_week = CheckIn.objects.for_patient(request.user).filter(week_start=week)
    activities = list(FunctionActivity.objects.filter(patient=request.user))
    recheck = services.recheck_questions()
    if request.POST:
        # A post is judged on what it carries: the saved check-in and its scores only
        # fill in an empty form, so they are not read unless the form comes back.
        form = CheckInForm(request.POST, activities=activities, scores={}, recheck=recheck)
        if form.is_valid():
            return _check_in_saved(request, form, week, digest)
        existing = this_week.first()
    else:
        # A GET, or a post with no fields at all: this week's check-in to change, if any.
        existing = this_week.first()
        scores = (
            dict(
                FunctionScore.objects.filter(check_in=existing).values_list(
                    "activity__order", "score"
                )
            )
            if existing
            else {}
        )
        form = CheckInForm(instance=existing, activities=activities, scores=scores, recheck=recheck)
    return render(
        request,
        "progress/check_in.html",
        {"form": form, "week": week, "existing": existing},
    )


def _posted_token(post: QueryDict) -> uuid.UUID | None:
    """The form's token as sent, if it is one (the form itself gives a bad one a new one)."""
    try:
        return uuid.UUID(post.get("client_token", "").strip())
    except ValueError:
        return None


def _check_in_saved(
    request: HttpRequest, form: CheckInForm, week: dt.date, digest: str
) -> HttpResponse:
    """Save a valid check-in (once per form token) and say where it leads."""
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
        digest=digest,
    )
    return _check_in_answer(request, screening)


def _check_in_answer(request: HttpRequest, screening: Screening) -> HttpResponse:
    """Where a check-in leads, the first time and every time the same form is sent again."""
    # A sign that needs care today comes before any thanks for checking in.
    if screening.urgency in (Urgency.EMERGENCY, Urgency.URGENT):
        return redirect(screening.get_absolute_url())
    messages.success(request, "Check-in saved. Thank you.")
    return redirect("progress:home")


@require_safe
@login_required
@patient_required
@kept_page
def home(request: HttpRequest) -> HttpResponse:
    context = progress_summary(request.user, timezone.localdate())
    reminder = Reminder.objects.filter(patient=request.user).first()
    return render(request, "progress/home.html", {**context, "reminder": reminder})


@require_http_methods(["GET", "POST"])
@login_required
@patient_required
def reminder(request: HttpRequest) -> HttpResponse:
    existing = Reminder.objects.filter(patient=request.user).first()
    form = ReminderForm(request.POST if request.method == "POST" else None, instance=existing)
    if request.method == "POST" and form.is_valid():
        saved = services.reminder_save(
            patient=request.user,
            **{
                name: form.cleaned_data[name]
                for name in ("enabled", "weekday", "exercise_days", "hour")
            },
        )
        messages.success(request, _reminder_saved(saved))
        return redirect("progress:reminder")
    url = reminders.calendar_url(existing)
    return render(
        request,
        "progress/reminder.html",
        {
            "form": form,
            "reminder": existing,
            "calendar_url": url,
            # Phones open a webcal: link in their calendar app, ready to subscribe.
            "webcal_url": url and "webcal:" + url.split(":", 1)[1],
        },
    )


def _reminder_saved(saved: Reminder) -> str:
    kinds = [
        kind
        for kind, on in (("exercise days", saved.exercise_days), ("check-in", saved.enabled))
        if on
    ]
    if not kinds:
        return "E-mail reminders are off."
    day = f" (check-in on {saved.get_weekday_display()})" if saved.enabled else ""
    return f"Saved: an e-mail on your {' and '.join(kinds)}{day}, from {saved.hour_label()}."


@require_POST
@login_required
@patient_required
def calendar_link(request: HttpRequest) -> HttpResponse:
    reminders.calendar_link_make(patient=request.user)
    messages.success(
        request, "Your calendar address is ready. Any address you had before has stopped working."
    )
    return redirect(f"{reverse('progress:reminder')}#calendar")


@require_POST
@login_required
@patient_required
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    if reminders.calendar_link_revoke(patient=request.user):
        messages.success(request, "Calendar address stopped: calendars using it get nothing more.")
    else:
        messages.info(request, "You had no calendar address.")
    return redirect(f"{reverse('progress:reminder')}#calendar")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The calendar feed, open to whoever has its secret address (calendar apps cannot log
    in). The address is cut out of the logs (backpain/logs.py)."""
    feed = reminders.calendar_feed(token, now=timezone.now())
    if feed is None:
        raise Http404("No such calendar.")
    response = HttpResponse(feed, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="backpain.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
