from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from apps.screening.gate import bone_density_caution_for, care_gate
from backpain.page_cache import kept_page

from . import player
from .forms import LibraryFilterForm
from .models import Exercise

MAX_ROUTINE_ITEMS = 20


def screening_context(request: HttpRequest) -> dict[str, Any]:
    """Return what this person's own screening changes on an exercise page.

    `gate` is an emergency result they have not confirmed seeking care for: the page shows
    the care banner first and offers no working start control. `bone_density` shows the
    bone-density notes in full rather than as a marker to open.
    """
    return {"gate": care_gate(request), "bone_density": bone_density_caution_for(request)}


def _unless_searching(request: HttpRequest) -> str | None:
    # Search words are endless: a page per word would push every other page out.
    return None if request.GET.get("q") else ""


@require_safe
@kept_page(vary=_unless_searching)
def library(request: HttpRequest) -> HttpResponse:
    filters, notes = LibraryFilterForm(request.GET).valid_filters()
    matching = LibraryFilterForm.apply(Exercise.objects.all(), filters)
    context = {
        # Re-bound with the valid values only, so ignored filters show as "Any"; built only
        # when the page renders the form rather than taking it from the content cache.
        "form": SimpleLazyObject(lambda: LibraryFilterForm(filters)),
        # Left unevaluated: the page reads them only to render what the content cache does
        # not have yet (the count, the cards).
        "exercises": matching,
        "filtered": bool(filters),
        # Without a search word, the form, the count and the list are one of a few hundred
        # variants, the same for everyone, kept rendered under these choices; with a search
        # word they are rendered each time (words are endless, and a cache of them would push
        # out the rest).
        "choices_key": None if "q" in filters else urlencode(sorted(filters.items())),
        "notes": notes,
        **screening_context(request),
    }
    template = "exercises/library.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
@kept_page
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    # The name alone (the title, and a 404 for an unknown slug): the rest of the page comes from
    # the content cache, and the exercise (a few kilobytes of JSON with its neighbours) is
    # read only to render it when the cache does not have it yet.
    name = get_object_or_404(Exercise.objects.values_list("name", flat=True), slug=slug)
    exercise = SimpleLazyObject(
        lambda: Exercise.objects.select_related("regression", "progression").get(slug=slug)
    )
    context = {"slug": slug, "name": name, "exercise": exercise, **screening_context(request)}
    # While the gate is closed the page ships no timer settings, so the script has nothing to run.
    context["timer_config"] = (
        None if context["gate"] else SimpleLazyObject(lambda: json.dumps(exercise.timer_data()))
    )
    return render(request, "exercises/detail.html", context)


def routine_slugs(request: HttpRequest) -> list[str]:
    """Read ?items=a,b,c (or repeated ?items=a&items=b), keeping order and repeats."""
    slugs = [slug.strip() for value in request.GET.getlist("items") for slug in value.split(",")]
    return [slug for slug in slugs if slug][:MAX_ROUTINE_ITEMS]


@require_safe
def routine(request: HttpRequest) -> HttpResponse:
    slugs = routine_slugs(request)
    exercises = Exercise.objects.in_slug_order(slugs)
    items = ",".join(exercise.slug for exercise in exercises)
    log_url = f"{reverse('progress:log')}?{urlencode({'items': items})}"
    total = player.routine_seconds(exercises)
    context = {
        "exercises": exercises,
        "unknown": len(slugs) - len(exercises),
        "items": items,
        "total_seconds": total,
        "total_text": player.minutes_text(total),
        "tempo": player.DEFAULT_TEMPO,
        "ready": player.DEFAULT_READY,
        "tempo_choices": player.TEMPO_CHOICES,
        "ready_choices": player.READY_CHOICES,
        # The one-tap log at the end: a fresh token per page (the script makes a new one for
        # every run), today's date and the prescribed dose of each exercise.
        "log_entries": player.log_entries(exercises),
        "client_token": uuid.uuid4(),
        "today": timezone.localdate(),
        "pain_scale": range(11),
        "log_url": log_url,
        "login_url": f"{reverse('account_login')}?{urlencode({'next': log_url})}",
        **screening_context(request),
    }
    context["routine_config"] = (
        None if context["gate"] else json.dumps([e.timer_data() for e in exercises])
    )
    return render(request, "exercises/routine.html", context)


@require_safe
def figure_sheet(request: HttpRequest) -> HttpResponse:
    """Every figure at once, animated and still, so staff can check them all in one look.

    Staff only; anyone else gets a 404, as if the page did not exist.
    """
    if not request.user.is_staff:
        raise Http404
    # Imported here: the checklist app depends on this one, not the other way round.
    from apps.checklist.models import Item

    exercises = Exercise.objects.only("slug", "name", "figure").order_by("name")
    items = Item.objects.active().only("key", "title", "figure")
    sheet = [
        ("Exercises", [(exercise.name, exercise.slug, exercise) for exercise in exercises]),
        ("Checklist items", [(item.title, item.key, item) for item in items]),
    ]
    return render(request, "exercises/figures.html", {"sheet": sheet})
