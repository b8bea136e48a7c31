from __future__ import annotations

from django import forms

from .models import Difficulty, Equipment, ExerciseQuerySet, Kind, Region

FILTERS = {
    "q": "search",
    "kind": "kind",
    "region": "body region",
    "equipment": "equipment",
    "difficulty": "difficulty",
}


class LibraryFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": "e.g. bridge, hamstring, breathing"}),
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *Kind.choices]
    )
    region = forms.ChoiceField(
        label="Body region", required=False, choices=[("", "Any region"), *Region.choices]
    )
    equipment = forms.ChoiceField(
        label="Equipment", required=False, choices=[("", "Any equipment"), *Equipment.choices]
    )
    difficulty = forms.ChoiceField(
        label="Difficulty", required=False, choices=[("", "Any difficulty"), *Difficulty.choices]
    )

    def valid_filters(self) -> tuple[dict[str, str], list[str]]:
        """Return the filters that make sense, and a note for each one ignored."""
        self.is_valid()
        notes = [
            f"We ignored the {FILTERS.get(name, name)} filter: that value is not one we know."
            for name in self.errors
        ]
        return {name: value for name, value in self.cleaned_data.items() if value}, notes

    @staticmethod
    def apply(queryset: ExerciseQuerySet, filters: dict[str, str]) -> ExerciseQuerySet:
        if kind := filters.get("kind"):
            queryset = queryset.for_kind(kind)
        if region := filters.get("region"):
            queryset = queryset.for_region(region)
        if equipment := filters.get("equipment"):
            queryset = queryset.with_equipment(equipment)
        if difficulty := filters.get("difficulty"):
            queryset = queryset.filter(difficulty=difficulty)
        return queryset.search(filters.get("q", ""))
