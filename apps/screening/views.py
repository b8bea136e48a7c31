from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backpain.page_cache import kept_page
from backpain.wizard import (
    Step,
    StepForm,
    leave,
    render_step,
    resume_context,
    signed_in_only,
    step_after,
    step_context,
)

from . import advice
from .forms import AcknowledgeForm
from .gate import care_gate, latest_and_gate, note_care_gate
from .models import Question, Screening
from .triage import Urgency, ends_check

# Every page here shows someone's health answers: no browser or proxy may keep a copy.


@require_safe
@never_cache
@kept_page
def start(request: HttpRequest) -> HttpResponse:
    """Explain the check and offer to start it, or to carry on with an unfinished one."""
    current, answered, _ = Screening.objects.current_with_answers(request)
    keys = list(Question.objects.active().values_list("key", flat=True))
    context = resume_context(current, keys, answered)
    context["latest"], context["gate"] = latest_and_gate(request)
    return render(request, "screening/start.html", context)


@require_POST
@never_cache
def new(request: HttpRequest) -> HttpResponse:
    # An unconfirmed emergency is not answered away: confirm seeking care first.
    if gate := care_gate(request):
        return redirect(gate.get_absolute_url() + "#next-steps")
    Screening.objects.start(request)
    return redirect("screening:step", 1)


@require_http_methods(["GET", "POST"])
@never_cache
@kept_page(vary=signed_in_only)
def step(request: HttpRequest, number: int) -> HttpResponse:
    """Show one question, or save its answer and move on (the last one leads to the result)."""
    questions = list(Question.objects.active())
    if not questions:
        raise Http404("The screening questions are not loaded.")
    screening, answers, gate = Screening.objects.current_with_answers(request, with_gate=True)
    note_care_gate(request, closed=gate is not None)
    if gate is not None:
        return leave(request, gate.get_absolute_url() + "#next-steps")
    if screening is None and request.method == "GET":
        return leave(request, reverse("screening:start"))

    position, notice = Step.within(number, len(questions))
    question = questions[position.index]
    form = StepForm(
        request.POST if request.method == "POST" else None,
        item=question.key,
        answer=answers.get(question.key),
    )
    if request.method == "POST" and not notice and form.is_valid():
        # A post without a screening comes from a session that ended mid-way: keep the answer.
        screening = screening or Screening.objects.start(request)
        screening.record(question, form.cleaned_data["answer"])
        following = step_after(position, [q.key for q in questions], {*answers, question.key})
        if ends_check(question.level, form.cleaned_data["answer"]):
            following = None
        if following is not None:
            return redirect("screening:step", following)
        screening.complete()
        return leave(request, screening.get_absolute_url())

    context = step_context(
        position,
        url_name="screening:step",
        start_url=reverse("screening:start"),
        unit="Question",
        name="check for warning signs",
    )
    context |= {"question": question, "form": form, "notice": notice}
    return render_step(request, "screening/step.html", context, url=context["action"])


def _result_context(screening: Screening, form: AcknowledgeForm | None) -> dict[str, Any]:
    reasons = screening.answers_for(screening.trigger_keys)
    # The answers that set the level; when every one was "not sure", the page says so.
    deciding = [answer for answer in reasons if answer.question.level == screening.urgency]
    return {
        "screening": screening,
        "advice": screening.advice,
        "reasons": reasons,
        "deciding": deciding,
        "only_unsure": bool(deciding) and all(a.value == "unsure" for a in deciding),
        "form": form,
        "bone_density": advice.note("bone_density") if screening.bone_density_caution else None,
        "unsure_note": advice.note("unsure"),
        "disclaimer": advice.disclaimer(),
        "sources": advice.sources(),
    }


@require_safe
@never_cache
def result(request: HttpRequest, uuid: UUID) -> HttpResponse:
    screening = get_object_or_404(Screening.objects.for_request(request).completed(), uuid=uuid)
    form = AcknowledgeForm() if screening.needs_acknowledgement else None
    if form is not None:
        # The gate has just closed: tell the service worker before the next page does.
        note_care_gate(request, closed=True)
    return render(request, "screening/result.html", _result_context(screening, form))


@require_POST
@never_cache
def acknowledge(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Record that the person sought care for an emergency result; then the way on opens."""
    screening = get_object_or_404(
        Screening.objects.for_request(request).filter(urgency=Urgency.EMERGENCY), uuid=uuid
    )
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        screening.acknowledge()
        return redirect(screening.get_absolute_url() + "#next-steps")
    return render(request, "screening/result.html", _result_context(screening, form))


@require_safe
@login_required
@never_cache
def history(request: HttpRequest) -> HttpResponse:
    screenings = Screening.objects.for_request(request).latest_completed_first()
    return render(request, "screening/history.html", {"screenings": screenings})
