from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apps.screening.gate import latest_and_gate
from backpain.page_cache import kept_page
from backpain.wizard import (
    NotedStepForm,
    Step,
    leave,
    render_step,
    resume_context,
    signed_in_only,
    step_after,
    step_context,
)

from . import notes
from .models import Item, Run, completed_run
from .priorities import TOTAL_POINTS
from .results import Result, score_trends

# Every page here shows someone's answers about their body: no browser or proxy may keep a copy.


@require_safe
@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """Explain the checklist and offer to start it, or to carry on with an unfinished one."""
    current = Run.objects.current(request)
    keys = list(Item.objects.active().values_list("key", flat=True))
    context = resume_context(current, keys, current.answers_by_key() if current else {})
    context |= {
        "total_points": TOTAL_POINTS,
        "latest": Run.objects.for_request(request).completed().newest_first().first(),
    }
    return render(request, "checklist/start.html", context)


@require_POST
@never_cache
def new(request: HttpRequest) -> HttpResponse:
    Run.objects.start(request)
    return redirect("checklist:step", 1)


@require_http_methods(["GET", "POST"])
@never_cache
@kept_page(vary=signed_in_only)
def step(request: HttpRequest, number: int) -> HttpResponse:
    """Show one item, or save its answer and note and move on (the last leads to the result)."""
    items = list(Item.objects.active())
    if not items:
        raise Http404("The checklist items are not loaded.")
    run = Run.objects.current(request)
    if run is None and request.method == "GET":
        return leave(request, reverse("checklist:start"))

    position, notice = Step.within(number, len(items))
    item = items[position.index]
    answers = run.answers_by_key() if run else {}
    saved = answers.get(item.key)
    form = NotedStepForm(
        request.POST if request.method == "POST" else None,
        item=item.key,
        answer=saved.value if saved else None,
        note=saved.note if saved else "",
    )
    if request.method == "POST" and not notice and form.is_valid():
        # A post without a run comes from a session that ended mid-way: keep the answer.
        run = run or Run.objects.start(request)
        run.record(item, form.cleaned_data["answer"], form.cleaned_data["note"])
        following = step_after(position, [i.key for i in items], {*answers, item.key})
        if following is not None:
            return redirect("checklist:step", following)
        run.complete()
        return leave(request, run.get_absolute_url())

    context = step_context(
        position,
        url_name="checklist:step",
        start_url=reverse("checklist:start"),
        unit="Question",  # "Question 3 of 11": the checklist asks 11 questions (13 points)
        name="movement checklist",
    )
    context |= {"item": item, "form": form, "notice": notice}
    return render_step(request, "checklist/step.html", context, url=context["action"])


@require_safe
@never_cache
@kept_page
def result(request: HttpRequest, uuid: UUID) -> HttpResponse:
    run = completed_run(request, uuid)
    if run is None:
        raise Http404("No such checklist result.")
    # An unconfirmed emergency comes first, and no routine is offered until it is confirmed.
    screening, gate = latest_and_gate(request)
    bone_density = bool(screening and screening.bone_density_caution)
    context = {
        "result": Result.for_run(run, bone_density_caution=bone_density),
        "total_points": TOTAL_POINTS,
        "pain_science": notes.pain_science(),
        "gate": gate,
    }
    return render(request, "checklist/result.html", context)


@require_safe
@login_required
@never_cache
def history(request: HttpRequest) -> HttpResponse:
    runs = list(Run.objects.for_request(request).completed().order_by("-completed_at", "-id"))
    return render(
        request,
        "checklist/history.html",
        {"runs": score_trends(runs), "total_points": TOTAL_POINTS},
    )
