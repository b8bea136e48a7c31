"""One question per page, answered Yes / No / Not sure: what every wizard here shares.

The screening and the movement checklist both walk a person through items one step at a
time. The app that owns the items owns the data; this module owns the step arithmetic, the
answer form and the two ways a step is answered, so every wizard behaves the same:

- without JavaScript a step is a form POST followed by a redirect to the next step;
- with htmx the same form posts in the background, the redirect is followed and only the
  `#wizard` partial of the page's own template comes back and is swapped in place
  (`templates/includes/wizard.html` holds its markup).

A page template puts `{% include "includes/wizard.html" ... %}` inside
`{% partialdef wizard inline %}`; its view calls `render_step` for every step it shows,
Django's `redirect` after a saved answer (htmx follows it and gets the partial), and
`leave` to end the wizard on a full page. A start page includes
`includes/wizard_start.html` (carry on, or start) with what `resume_context` returns.

`WizardRun` is the abstract model for one person's pass through a wizard (an account's or
a guest's); `NotedStepForm` adds an optional short note to a step.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Self

from django import forms
from django.conf import settings
from django.db import connection, models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import register_converter, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django_htmx.http import HttpResponseClientRedirect, push_url, replace_url

from backpain.forms import QuickHiddenInput, input_tag
from backpain.guest import guest_id


class YesNoUnsure(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNSURE = "unsure", "Not sure"


class SignedIntConverter:
    """A path converter (`<signed:number>`) that also matches negative numbers, so `step/-1/`
    reaches the view, which explains there is no such step, instead of a bare 404."""

    regex = "-?[0-9]+"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


@dataclass(frozen=True)
class Step:
    """A position in a wizard of `total` steps, numbered from 1 as people count."""

    number: int
    total: int

    @classmethod
    def within(cls, number: int, total: int) -> tuple[Step, str]:
        """Return the nearest real step and, when `number` had to move, a message saying so."""
        if total < 1:
            raise ValueError("A wizard needs at least one step.")
        if number < 1:
            return cls(1, total), "There is no question with that number. Here is the first one."
        if number > total:
            return cls(total, total), f"There are only {total} questions. Here is the last one."
        return cls(number, total), ""

    @property
    def index(self) -> int:
        return self.number - 1

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.total else None

    @property
    def is_last(self) -> bool:
        return self.number == self.total


def first_unanswered(keys: list[str], answered: set[str] | dict[str, Any]) -> int | None:
    """Return the step number of the first key without an answer (None when all have one)."""
    for number, key in enumerate(keys, start=1):
        if key not in answered:
            return number
    return None


def step_after(step: Step, keys: list[str], answered: set[str] | dict[str, Any]) -> int | None:
    """Return the step to show once `step` is answered: the next one, or after the last the
    first one still unanswered; None when every key has an answer and the wizard is done."""
    return step.next if step.next is not None else first_unanswered(keys, answered)


class ChoiceButtons(forms.RadioSelect):
    """The answers as `includes/wizard.html` lays them out, each button then its label,
    written out here: the templates Django renders for each button were a third of a
    step's rendering."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        if attrs and "id" in attrs:
            # The id first, as Django's loop over the buttons (BoundField.subwidgets) has it.
            attrs = {"id": attrs["id"], **attrs}
        widget = self.get_context(name, value, attrs)["widget"]
        return format_html_join(
            "",
            '\n          <div class="choice">{}<label for="{}">{}</label></div>',
            (
                (input_tag(option), option["attrs"].get("id", ""), option["label"])
                for _, group, _ in widget["optgroups"]
                for option in group
            ),
        )


ANSWER_MESSAGE = "Choose yes, no or not sure."
ITEM_MESSAGE = "Your answer did not match this question. Please answer the question below."


class StepForm(forms.Form):
    """One answer, and the key of the item the person saw.

    The key catches a form from another step, an old tab after the questions changed, or a
    forged post: the answer is then not saved and the step shows why.
    """

    item = forms.CharField(
        widget=QuickHiddenInput,
        max_length=64,
        error_messages={"required": ITEM_MESSAGE, "max_length": ITEM_MESSAGE},
    )
    answer = forms.ChoiceField(
        choices=YesNoUnsure.choices,
        widget=ChoiceButtons,
        error_messages={"required": ANSWER_MESSAGE, "invalid_choice": ANSWER_MESSAGE},
    )

    def __init__(self, *args: Any, item: str, answer: str | None = None, **kwargs: Any) -> None:
        kwargs["initial"] = {"item": item, "answer": answer}
        super().__init__(*args, **kwargs)
        self.expected_item = item

    def clean_item(self) -> str:
        if self.cleaned_data["item"] != self.expected_item:
            raise forms.ValidationError(ITEM_MESSAGE, code="other_item")
        return self.cleaned_data["item"]


NOTE_MAX_LENGTH = 280
NOTE_MESSAGE = f"Keep the note to {NOTE_MAX_LENGTH} characters or fewer."


class NotedStepForm(StepForm):
    """A step that also takes an optional short note (`includes/wizard.html` shows the box
    when the form has this field)."""

    note = forms.CharField(
        label="Your note (optional)",
        help_text=f"Anything you noticed, in up to {NOTE_MAX_LENGTH} characters.",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": NOTE_MESSAGE},
    )

    def __init__(self, *args: Any, note: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["note"] = note


class WizardRunQuerySet(models.QuerySet):
    def for_request(self, request: HttpRequest) -> Self:
        """Return the runs of whoever makes this request: their account's, or as a guest
        their browser session's. Views start here, so nobody reaches another person's."""
        if request.user.is_authenticated:
            return self.filter(user=request.user)
        owner = guest_id(request)
        return self.filter(guest_id=owner) if owner else self.none()

    def owner(self, request: HttpRequest) -> tuple[str, Any] | None:
        """Whose runs this request may see, as the column and its value (`for_request` as
        the prepared queries take it); None for a guest who has never started one."""
        if request.user.is_authenticated:
            return "user_id", request.user.pk
        owner = guest_id(request)
        return ("guest_id", owner) if owner else None

    def completed(self) -> Self:
        return self.filter(completed_at__isnull=False)

    def in_progress(self) -> Self:
        return self.filter(completed_at__isnull=True)

    def newest_first(self) -> Self:
        return self.order_by("-started_at", "-id")

    def latest_completed_first(self) -> Self:
        """Completed runs, the most recently finished first (a run started earlier may finish
        later, so the latest result is not the latest start)."""
        return self.completed().order_by("-completed_at", "-id")

    def current(self, request: HttpRequest) -> Any:
        """Return this person's unfinished run, if any."""
        return self.for_request(request).in_progress().newest_first().first()


class WizardRunManager(models.Manager.from_queryset(WizardRunQuerySet)):  # type: ignore[misc]
    def start(self, request: HttpRequest) -> Any:
        """Start a fresh run for this person, discarding any they left unfinished.

        Starts are serialised per person, so two at once (a double click, two tabs) leave
        one run under way: the second discards the first instead of missing it.
        """
        if request.user.is_authenticated:
            owner: dict[str, Any] = {"user": request.user}
            key = f"user:{request.user.pk}"
        else:
            owner = {"guest_id": guest_id(request, create=True)}
            key = f"guest:{owner['guest_id']}"
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Held until the transaction ends; PostgreSQL's, as the app's database is.
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                    [f"{self.model._meta.label}:{key}"],
                )
            self.for_request(request).in_progress().delete()
            return self.create(**owner)


class WizardRun(models.Model):
    """One pass through a wizard, by an account or by a guest (exactly one of the two).

    A guest's runs move to their account when they log in in the same browser: the app
    connects `backpain.guest.claim_guest_rows` to `user_logged_in` with its own queryset.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="%(app_label)s_%(class)ss",
    )
    # A guest's random id from their session (backpain.guest); moves to `user` on login.
    guest_id = models.UUIDField(null=True, blank=True, db_index=True)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = WizardRunManager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, guest_id__isnull=True)
                    | models.Q(user__isnull=True, guest_id__isnull=False)
                ),
                name="%(app_label)s_%(class)s_one_owner",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-started_at"], name="%(app_label)s_%(class)s_started"),
            # latest_completed_first() per person: the dashboard's latest screening level, the
            # review's timeline and every care gate read the newest finished run first.
            models.Index(
                fields=["user", "-completed_at", "-id"],
                condition=models.Q(completed_at__isnull=False),
                name="%(app_label)s_%(class)s_completed",
            ),
        ]

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class WizardAnswer(models.Model):
    """One answer in a run; the concrete model adds the foreign keys to its run and item."""

    value = models.CharField(max_length=6, choices=YesNoUnsure.choices)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__in=YesNoUnsure.values),
                name="%(app_label)s_%(class)s_value_valid",
            ),
        ]


def step_context(
    step: Step, *, url_name: str, start_url: str, unit: str, name: str
) -> dict[str, Any]:
    """Return what `includes/wizard.html` needs about a step besides its form and item:
    title, step, unit, action, back_url (the start page from the first step), submit_label."""
    url = reverse(url_name, args=[step.number])
    return {
        "title": f"{unit} {step.number} of {step.total}: {name}",
        "step": step,
        "unit": unit,
        "action": url,
        "back_url": reverse(url_name, args=[step.previous]) if step.previous else start_url,
        "submit_label": "See my result" if step.is_last else "Next",
    }


def resume_context(
    current: WizardRun | None, keys: list[str], answered: set[str] | dict[str, Any]
) -> dict[str, Any]:
    """Return what `includes/wizard_start.html` needs to offer carrying on with `current` (the
    person's unfinished run, if any): current, total, answered_count and resume_at."""
    return {
        "current": current,
        "total": len(keys),
        "answered_count": sum(key in answered for key in keys),
        "resume_at": first_unanswered(keys, answered) or len(keys),
    }


def render_step(
    request: HttpRequest, template: str, context: dict[str, Any], *, url: str
) -> HttpResponse:
    """Render a step: the whole page, or for htmx just the page's `wizard` partial.

    `url` is the address of the step shown. htmx puts it in the address bar (a new entry
    when moving to a step, the same entry when a post is re-shown with a message), so
    Back, reload and bookmarks land on the step the person sees.
    """
    if request.htmx:
        response = render(request, f"{template}#wizard", context)
        if request.method == "GET":
            push_url(response, url)
        else:
            replace_url(response, url)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def signed_in_only(request: HttpRequest, *args: Any, **kwargs: Any) -> str | None:
    """`kept_page`'s vary for a step: kept for an account only. A step's GET writes nothing
    and shows only the person's own run, whose every change raises their data version; a
    guest's run is their session's, which no key can name."""
    return "" if request.user.is_authenticated else None


def leave(request: HttpRequest, url: str) -> HttpResponse:
    """End the wizard on a full page (a result): htmx must load it whole, not swap it in."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


# Registered here, once, because every wizard's urls.py imports this module first.
register_converter(SignedIntConverter, "signed")
