from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms.models import construct_instance
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.exercises.models import Exercise
from apps.screening.triage import Level
from backpain.forms import QuickHiddenInput, QuickInput, input_tag
from backpain.once import TokenField
from backpain.wizard import ANSWER_MESSAGE, YesNoUnsure

from .models import HOURS, CheckIn, FunctionActivity, Reminder, Session, Weekday

PAIN_CHOICES = [(n, str(n)) for n in range(11)]


class QuickNumberInput(QuickInput, forms.NumberInput):
    pass


class PainScale(forms.RadioSelect):
    """0-10 as a row of radio buttons, with words at both ends.

    Eleven equal cells in one row; the end words sit under the ends. Each end radio also
    carries its word (visually hidden) so a screen reader hears "0, no pain"; the words under
    the row repeat that for sighted people and are hidden from screen readers.

    Written out here rather than by a template per button: the weekly check-in has five
    scales, and two templates included for each of their 56 buttons cost it over 10 ms.
    """

    low, high = "No pain", "Worst imaginable"

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        options = [
            option
            for _, group, _ in self.get_context(name, value, attrs)["widget"]["optgroups"]
            for option in group
        ]
        cells = format_html_join(
            "\n",
            '<label class="scale__option"{}>{}<span class="scale__number">{}</span>{}</label>',
            (
                (
                    flatatt({"for": option["attrs"].get("id")}),
                    input_tag(option),
                    option["label"],
                    self._end_word(index, option["value"]),
                )
                for index, option in enumerate(options)
            ),
        )
        return format_html(
            '<div class="scale">\n<div class="scale__row">\n{}\n</div>\n'
            '<div class="scale__ends" aria-hidden="true"><span class="scale__word">{}</span>'
            '<span class="scale__word">{}</span></div>\n</div>',
            cells,
            self.low,
            self.high,
        )

    def _end_word(self, index: int, value: Any) -> SafeString:
        word = self.low if index == 0 and value == 0 else self.high if value == 10 else ""
        return format_html('<span class="visually-hidden">, {}</span>', word) if word else ""


class RadioList(forms.RadioSelect):
    """Django's radio list, the same markup as its radio.html, written out here: the weekly
    check-in asks about every warning sign, three buttons each, and the templates Django
    includes per button made most of the page's time."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            "<div>\n    <label{}>{} {}</label>\n</div>",
            (
                (flatatt({"for": option["attrs"].get("id")}), input_tag(option), option["label"])
                for _, group, _ in widget["optgroups"]
                for option in group
            ),
        )
        return format_html(
            "<div{}>{}\n</div>",
            flatatt({"id": widget["attrs"].get("id"), "class": widget["attrs"].get("class")}),
            options,
        )


def pain_field(label: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=PAIN_CHOICES,
        coerce=int,
        widget=PainScale,
        error_messages={
            "required": "Choose a number from 0 to 10.",
            "invalid_choice": "Choose a number from 0 to 10.",
        },
    )


class SessionForm(forms.ModelForm):
    client_token = TokenField()
    # One score for the whole session, not one per exercise.
    pain_during = pain_field(
        "Pain during the session",
        "One score for the whole session: your back pain while you exercised.",
    )

    class Meta:
        model = Session
        fields = ["performed_on", "pain_during", "note"]
        widgets = {
            # A date input only accepts ISO dates, whatever the locale formats say.
            "performed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"performed_on": "Date", "note": "Note (optional)"}

    def clean_performed_on(self) -> dt.date:
        day = self.cleaned_data["performed_on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError("The date cannot be in the future.")
        if day < today - dt.timedelta(days=60):
            raise forms.ValidationError("Sessions can be logged up to 60 days back.")
        return day


MAX_ENTRIES = 20
AMOUNTS = ("sets", "reps", "hold_seconds")


def _amount(label: str, low: int, high: int, message: str) -> forms.IntegerField:
    """A whole number from `low` to `high` (the database holds the same bounds)."""
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        required=False,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
        widget=QuickNumberInput(attrs={"inputmode": "numeric"}),
    )


def entry_row(exercise: Exercise) -> dict[str, Any]:
    """A new line of the log, ticked, with the library's dose in the fields that apply."""
    return {
        "exercise": exercise.slug,
        "done": True,
        "sets": exercise.sets if exercise.reps or exercise.hold_seconds else None,
        "reps": exercise.reps,
        # Timed moves (breathing, walking) log their duration as the time held.
        "hold_seconds": None
        if exercise.reps
        else exercise.hold_seconds or exercise.duration_seconds,
    }


class EntryForm(forms.Form):
    """One line of the log: an exercise, whether it was done, and how much of it.

    Only ticked lines are saved. The line shows the amounts that apply to the exercise
    (sets and reps, sets and a hold, or a time) and any other that has a value.
    """

    # Empty for a line with no exercise: the routine player sends one for a move skipped
    # before any of it was done, and such a line is left out like an unticked one.
    exercise = forms.CharField(max_length=80, widget=QuickHiddenInput, required=False)
    done = forms.BooleanField(label="Done", required=False)
    sets = _amount("Sets", 1, 20, "Enter sets from 1 to 20.")
    reps = _amount("Reps", 1, 200, "Enter reps from 1 to 200.")
    hold_seconds = _amount("Seconds", 1, 3600, "Enter seconds from 1 to 3600.")

    def __init__(self, *args: Any, exercises: dict[str, Exercise], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Names from a dict loaded once: a query per line would grow with the log.
        self.exercises = exercises

    @property
    def exercise_obj(self) -> Exercise | None:
        return self.exercises.get(str(self["exercise"].value() or ""))

    def shown(self) -> list[forms.BoundField]:
        exercise = self.exercise_obj
        if exercise is None:
            applies = set(AMOUNTS)
        elif exercise.reps:
            applies = {"sets", "reps"}
        elif exercise.hold_seconds:
            applies = {"sets", "hold_seconds"}
        else:
            applies = {"hold_seconds"}
        return [
            self[name]
            for name in AMOUNTS
            if name in applies or self[name].value() not in (None, "") or self[name].errors
        ]

    def clean_exercise(self) -> str:
        slug = self.cleaned_data["exercise"]
        if slug and slug not in self.exercises:
            raise forms.ValidationError("That exercise is not in the library.")
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("done") and data.get("exercise") == "":
            raise forms.ValidationError("A ticked line names no exercise: add one from the search.")
        if data.get("done") and not (data.get("reps") or data.get("hold_seconds")):
            exercise = self.exercises.get(data.get("exercise", ""))
            timed = exercise is not None and not exercise.reps
            self.add_error(
                "hold_seconds" if timed else "reps", "Give the reps, or the time in seconds."
            )
        return data

    def entry(self) -> dict[str, Any] | None:
        if not self.cleaned_data.get("done") or not self.cleaned_data.get("exercise"):
            return None
        return {
            "exercise": self.exercises[self.cleaned_data["exercise"]],
            "sets": self.cleaned_data.get("sets") or 1,
            "reps": self.cleaned_data.get("reps"),
            "hold_seconds": self.cleaned_data.get("hold_seconds"),
        }

    def raw(self) -> dict[str, Any]:
        """The line as typed, valid or not, to show it again."""
        return {name: self[name].value() for name in self.fields}


class BaseEntryFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": f"A session can hold up to {MAX_ENTRIES} exercises.",
    }

    def clean(self) -> None:
        if any(self.errors):
            return
        if not any(form.cleaned_data.get("exercise") for form in self.forms):
            raise forms.ValidationError("Add an exercise you did: find it below.")
        if not any(form.entry() for form in self.forms):
            raise forms.ValidationError("Tick Done beside at least one exercise you did.")

    def draft(self) -> list[dict[str, Any]]:
        """The lines as typed, to show again after adding or removing one."""
        if self.is_bound and not self.management_form.is_valid():
            return []
        return [form.raw() for form in self.forms]


EntryFormSet = forms.formset_factory(
    EntryForm,
    formset=BaseEntryFormSet,
    extra=0,
    max_num=MAX_ENTRIES,
    validate_max=True,
    absolute_max=MAX_ENTRIES,
)


class CheckInForm(forms.ModelForm):
    client_token = TokenField()
    pain_average = pain_field("Your average pain this week")
    pain_worst = pain_field("Your worst pain this week")

    class Meta:
        model = CheckIn
        fields = ["pain_average", "pain_worst", "sleep_nights", "days_active", "note"]
        widgets = {
            "sleep_nights": forms.NumberInput(attrs={"min": 0, "max": 7}),
            "days_active": forms.NumberInput(attrs={"min": 0, "max": 7}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "sleep_nights": "Nights this week that pain woke you or kept you awake (0-7)",
            "days_active": "Days this week you were active for 30 minutes or more (0-7)",
            "note": "Anything else about this week (optional)",
        }

    def __init__(
        self,
        *args: Any,
        activities: list[FunctionActivity],
        scores: dict[int, int],
        recheck: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.activity_slots = []
        named = {activity.order: activity for activity in activities}
        for order in range(3):
            activity = named.get(order)
            score_name, name_name = f"activity_{order}_score", f"activity_{order}_name"
            if activity is None:
                self.fields[name_name] = forms.CharField(
                    label=f"Activity {order + 1} (optional)",
                    max_length=80,
                    required=False,
                    help_text=(
                        "Something back pain makes hard, e.g. putting on socks, "
                        "sitting through a film."
                    ),
                )
            self.fields[score_name] = forms.TypedChoiceField(
                label="How well can you do it now?"
                if activity is None
                else f"{activity.name}: how well can you do it now?",
                choices=[("", "Not scored")] + PAIN_CHOICES if activity is None else PAIN_CHOICES,
                coerce=int,
                empty_value=None,
                required=activity is not None,
                initial=scores.get(order),
                widget=FunctionScale,
                error_messages={
                    "required": "Choose a number from 0 to 10.",
                    "invalid_choice": "Choose a number from 0 to 10.",
                },
            )
            self.activity_slots.append(
                (order, activity, name_name if activity is None else None, score_name)
            )
        self.recheck_keys = []
        for question in recheck:
            name = f"recheck_{question.key}"
            self.fields[name] = forms.ChoiceField(
                label=question.trigger,
                choices=YesNoUnsure.choices,
                widget=RadioList,
                error_messages={
                    "required": ANSWER_MESSAGE,
                    "invalid_choice": ANSWER_MESSAGE,
                },
            )
            self.recheck_keys.append((question.key, name, question.level))

    def _post_clean(self) -> None:
        """ModelForm's model validation, less the check constraints' queries.

        Django checks each of CheckIn's check constraints with a query of its own (five a
        post); this form already holds each one (the choices 0 to 10, the model's 0 to 7
        validators, worst at least average in `clean`), and the database enforces them on
        save all the same. The unique week is the view's to keep, not the form's.
        """
        self.instance = construct_instance(self, self.instance, self._meta.fields)
        try:
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(),
                validate_unique=False,
                validate_constraints=False,
            )
        except forms.ValidationError as error:
            self._update_errors(error)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        average, worst = data.get("pain_average"), data.get("pain_worst")
        if average is not None and worst is not None and worst < average:
            self.add_error("pain_worst", "Your worst pain cannot be lower than your average pain.")
        for _order, _activity, name_field, score_field in self.activity_slots:
            if name_field and data.get(score_field) is not None and not data.get(name_field):
                self.add_error(name_field, "Name the activity you scored.")
        return data

    def activity_names(self) -> dict[int, str]:
        return {
            order: self.cleaned_data[name_field].strip()
            for order, _, name_field, _ in self.activity_slots
            if name_field and self.cleaned_data.get(name_field)
        }

    def scores(self) -> dict[int, int]:
        return {
            order: self.cleaned_data.get(score_field)
            for order, _, _, score_field in self.activity_slots
        }

    def recheck_answers(self) -> dict[str, str]:
        return {key: self.cleaned_data[name] for key, name, _ in self.recheck_keys}

    def field_groups(self) -> dict[str, list[forms.BoundField]]:
        return {
            "activities": [
                self[name]
                for _, _, name, score in self.activity_slots
                for name in (name, score)
                if name
            ],
            "recheck_emergency": [
                self[name] for _, name, level in self.recheck_keys if level == Level.EMERGENCY
            ],
            "recheck_urgent": [
                self[name] for _, name, level in self.recheck_keys if level == Level.URGENT
            ],
        }


class FunctionScale(PainScale):
    """0 = cannot do it at all, 10 = as well as before the back problem."""

    low, high = "Cannot do it", "As well as before"


class SwapForm(forms.Form):
    exercise = forms.SlugField(label="Swap for")


class ReminderForm(forms.ModelForm):
    # The model's choices bound both (0-6, 0-23), and so do its check constraints.
    weekday = forms.TypedChoiceField(
        label="Weekly check-in day",
        choices=Weekday.choices,
        coerce=int,
        help_text="Your calendar shows the check-in on this day too.",
        error_messages={
            "required": "Choose the day of your weekly check-in.",
            "invalid_choice": "Choose a day from Monday to Sunday.",
        },
    )
    hour = forms.TypedChoiceField(
        label="Time of day",
        choices=HOURS,
        coerce=int,
        help_text="E-mails are sent in the hour after this time; calendar alarms ring at it.",
        error_messages={
            "required": "Choose a time of day.",
            "invalid_choice": "Choose a time from 00:00 to 23:00.",
        },
    )

    class Meta:
        model = Reminder
        fields = ["exercise_days", "enabled", "weekday", "hour"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A ModelForm without an instance starts empty, and the two fields above replace the
        # model's, so a new reminder would show 00:00; it starts at the model's defaults (18:00).
        # A saved reminder's own values come from the instance as usual.
        if self.instance.pk is None:
            for name in ("weekday", "hour"):
                self.initial.setdefault(name, getattr(self.instance, name))
