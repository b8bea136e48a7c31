"""Forms of the patient review: a private note, and a prescribed programme with its dosage."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from apps.accounts.models import User
from apps.exercises.models import Exercise
from apps.progress.models import Frequency, Plan, PlanItem, PlanKind
from backpain.once import TokenField, create_once

from .models import Note

MAX_ITEMS = 20
DEFAULT_DAYS_PER_WEEK = 7
# Days a week from which the old two-way frequency reads "every day" rather than "2-3 days".
DAILY_FROM = 4


class NoteForm(forms.ModelForm):
    client_token = TokenField()

    class Meta:
        model = Note
        fields = ["text"]
        labels = {"text": "New note"}
        help_texts = {"text": "Only you can see your notes. Up to 4000 characters."}
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "text": {
                "required": "Write something before saving the note.",
                "max_length": "A note can be up to %(limit_value)d characters (this one has "
                "%(show_value)d).",
            }
        }


def _bounded(label: str, low: int, high: int, *, message: str, required: bool) -> Any:
    """A whole number from `low` to `high`; every way of getting it wrong gets `message`."""
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        required=required,
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ItemForm(forms.Form):
    """One exercise of the programme and how much of it to do."""

    exercise = forms.SlugField(max_length=80, widget=forms.HiddenInput)
    sets = _bounded("Sets", 1, 10, required=True, message="Enter the sets, from 1 to 10.")
    reps = _bounded(
        "Reps", 1, 50, required=False, message="Enter reps from 1 to 50, or leave it empty."
    )
    hold_seconds = _bounded(
        "Hold (seconds)",
        1,
        600,
        required=False,
        message="Enter a hold of 1 to 600 seconds, or leave it empty.",
    )
    days_per_week = _bounded(
        "Days a week", 1, 7, required=True, message="Enter the days a week, from 1 to 7."
    )

    def __init__(self, *args: Any, library: dict[str, Exercise], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.library = library

    @property
    def exercise_obj(self) -> Exercise | None:
        return self.library.get(str(self["exercise"].value() or ""))

    def clean_exercise(self) -> str:
        slug = self.cleaned_data["exercise"]
        if slug not in self.library:
            raise forms.ValidationError("That exercise is not in the library.")
        return slug

    def raw(self) -> dict[str, Any]:
        """The row as typed, valid or not, to show it again."""
        return {name: self[name].value() for name in self.fields}


class BaseItemFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": f"A programme can hold up to {MAX_ITEMS} exercises.",
    }

    def clean(self) -> None:
        if any(self.errors):
            return
        slugs = [form.cleaned_data["exercise"] for form in self.forms]
        if not slugs:
            raise forms.ValidationError("Add at least one exercise to the programme.")
        if len(set(slugs)) != len(slugs):
            raise forms.ValidationError("Each exercise can be in the programme once.")


ItemFormSet = forms.formset_factory(
    ItemForm,
    formset=BaseItemFormSet,
    extra=0,
    max_num=MAX_ITEMS,
    absolute_max=MAX_ITEMS,
    validate_max=True,
)


def default_row(exercise: Exercise) -> dict[str, Any]:
    """A new row with the library's dosage, bounded as a prescription is."""
    return {
        "exercise": exercise.slug,
        "sets": min(exercise.sets, 10),
        "reps": min(exercise.reps, 50) if exercise.reps else None,
        "hold_seconds": min(hold, 600) if (hold := exercise.hold_seconds) else None,
        "days_per_week": DEFAULT_DAYS_PER_WEEK,
    }


def plan_rows(plan: Plan) -> list[dict[str, Any]]:
    """The rows of a prescribed plan, to start the next programme from it."""
    return [
        {
            "exercise": item.exercise.slug,
            "sets": item.sets,
            "reps": item.reps,
            "hold_seconds": item.hold_seconds,
            "days_per_week": item.days_per_week,
        }
        for item in plan.items.all()
    ]


class PrescriptionForm(forms.Form):
    """A programme: its rows (a formset) and a note to the patient.

    `rows` is bound to the same data, so one `is_valid` checks both and nothing typed is lost
    when the page comes back with a message.
    """

    client_token = TokenField()
    note = forms.CharField(
        label="Note to the patient",
        required=False,
        max_length=2000,
        help_text="The patient reads this with the programme. Up to 2000 characters.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "The note can be up to %(limit_value)d characters."},
    )

    def __init__(
        self,
        data: Any = None,
        *,
        library: dict[str, Exercise],
        rows: Iterable[dict[str, Any]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.library = library
        self.rows = ItemFormSet(
            data, initial=list(rows), prefix="rows", form_kwargs={"library": library}
        )

    def is_valid(self) -> bool:
        # Both halves, always: each shows its own messages.
        rows_valid = self.rows.is_valid()
        return super().is_valid() and rows_valid

    def draft(self) -> tuple[list[dict[str, Any]], str]:
        """The rows and note as typed, to show again after adding or removing a row."""
        if not self.rows.is_bound or self.rows.management_form.is_valid():
            rows = [form.raw() for form in self.rows.forms]
        else:
            rows = []
        return rows, str(self["note"].value() or "")

    def slugs(self) -> list[str]:
        return [str(form["exercise"].value() or "") for form in self.rows.forms]

    def save_for(self, *, patient: User, author: User) -> tuple[Plan, bool]:
        """Make this the patient's programme, once per form token; return it and whether
        it is new. The programme before stays, inactive, as history."""
        return create_once(
            Plan,
            self.cleaned_data["client_token"],
            {"patient": patient, "author": author},
            lambda: self._save(patient=patient, author=author),
        )

    def _save(self, *, patient: User, author: User) -> Plan:
        # Serialise prescriptions for one patient: only one prescribed plan may be active.
        User.objects.select_for_update().filter(pk=patient.pk).first()
        Plan.objects.filter(patient=patient, kind=PlanKind.PRESCRIBED, active=True).update(
            active=False
        )
        plan = Plan.objects.create(
            patient=patient,
            author=author,
            kind=PlanKind.PRESCRIBED,
            note=self.cleaned_data["note"],
            client_token=self.cleaned_data["client_token"],
        )
        PlanItem.objects.bulk_create(
            PlanItem(
                plan=plan,
                exercise=self.library[row["exercise"]],
                order=index,
                frequency=(
                    Frequency.DAILY if row["days_per_week"] >= DAILY_FROM else Frequency.TWO_THREE
                ),
                sets=row["sets"],
                reps=row["reps"],
                hold_seconds=row["hold_seconds"],
                days_per_week=row["days_per_week"],
            ).scheduled()
            for index, row in enumerate(form.cleaned_data for form in self.rows.forms)
        )
        return plan
