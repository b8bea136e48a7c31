from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from .forms import LibraryFilterForm
from .models import Exercise

MAX_ROUTINE_ITEMS = 20


@require_safe
def library(request: HttpRequest) -> HttpResponse:
    filters, notes = LibraryFilterForm(request.GET).valid_filters()
    exercises = list(LibraryFilterForm.apply(Exercise.objects.all(), filters))
    context = {
        # Re-bound with the valid values only, so ignored filters show as "Any".
        "form": LibraryFilterForm(filters),
        "exercises": exercises,
        "filtered": bool(filters),
        "notes": notes,
    }
    template = "exercises/library.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = get_object_or_404(
        Exercise.objects.select_related("regression", "progression"), slug=slug
    )
    return render(
        request,
        "exercises/detail.html",
        {"exercise": exercise, "timer_config": json.dumps(exercise.timer_data())},
    )


def routine_slugs(request: HttpRequest) -> list[str]:
    """Read ?items=a,b,c (or repeated ?items=a&items=b), keeping order and repeats."""
    slugs = [slug.strip() for value in request.GET.getlist("items") for slug in value.split(",")]
    return [slug for slug in slugs if slug][:MAX_ROUTINE_ITEMS]


@require_safe
def routine(request: HttpRequest) -> HttpResponse:
    slugs = routine_slugs(request)
    exercises = Exercise.objects.in_slug_order(slugs)
    return render(
        request,
        "exercises/routine.html",
        {
            "exercises": exercises,
            "unknown": len(slugs) - len(exercises),
            "items": ",".join(exercise.slug for exercise in exercises),
            "routine_config": json.dumps([exercise.timer_data() for exercise in exercises]),
        },
    )
