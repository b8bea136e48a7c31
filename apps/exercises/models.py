from __future__ import annotations

from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import TrigramStrictWordSimilarity
from django.db import models
from django.db.models import Q

from backpain.shell import reverse_kept

# The source pages every exercise and checklist item is attributed to (see ../shared/seeds).
SOURCES = {
    "000": "13 ways to relieve back pain with movement",
    "001": "10 back pain relief exercises that actually work",
    "002": "Exercises for back pain (a physiotherapist's guide)",
    "003": "4 moves to ease chronic back pain",
    "004": "The joint-by-joint approach to back pain",
}


class Kind(models.TextChoices):
    BREATHING = "breathing", "Breathing"
    STRETCH = "stretch", "Stretch"
    MOBILITY = "mobility", "Mobility"
    STRENGTH = "strength", "Strength"
    YOGA = "yoga", "Yoga"
    FOAM_ROLLING = "foam_rolling", "Foam rolling"
    POSTURE = "posture", "Posture"
    ALIGNMENT = "alignment", "Alignment"
    ACTIVITY = "activity", "Activity"


class Region(models.TextChoices):
    """Body regions of the joint-by-joint view, from the ground up."""

    ANKLE = "ankle", "Ankle"
    KNEE = "knee", "Knee"
    HIP = "hip", "Hip"
    LUMBAR_SPINE = "lumbar_spine", "Lower back (lumbar spine)"
    THORACIC_SPINE = "thoracic_spine", "Upper back and ribcage (thoracic spine)"
    SCAPULA = "scapula", "Shoulder blades"
    SHOULDER = "shoulder", "Shoulder"
    NECK = "neck", "Neck"


class Equipment(models.TextChoices):
    NONE = "none", "No equipment"
    BAND = "band", "Belt or band"
    FOAM_ROLLER = "foam_roller", "Foam roller"
    BALL = "ball", "Ball"
    CHAIR = "chair", "Chair"
    WALL = "wall", "Wall"
    DOORWAY = "doorway", "Doorway"


class Difficulty(models.TextChoices):
    GENTLE = "gentle", "Gentle"
    MODERATE = "moderate", "Moderate"
    HARDER = "harder", "Harder"


class ExerciseQuerySet(models.QuerySet["Exercise"]):
    def for_kind(self, kind: str) -> ExerciseQuerySet:
        return self.filter(kind=kind)

    def for_region(self, region: str) -> ExerciseQuerySet:
        return self.filter(regions__contains=[region])

    def with_equipment(self, equipment: str) -> ExerciseQuerySet:
        return self.filter(equipment__contains=[equipment])

    def search(self, text: str) -> ExerciseQuerySet:
        """Match name, purpose and steps, case-insensitively, forgiving small typos."""
        text = text.strip()
        if not text:
            return self
        # Trigram word similarity catches "brige" for "bridge"; icontains keeps exact
        # substrings (short words score low on trigrams) in the results.
        return (
            self.annotate(similarity=TrigramStrictWordSimilarity(text, "search_text"))
            .filter(Q(search_text__icontains=text) | Q(similarity__gte=0.4))
            .order_by("-similarity", "name")
        )

    def for_log(self) -> ExerciseQuerySet:
        """Only what the session log shows and fills in: names, kinds and doses. The steps,
        figures and variants are most of each row, and the log loads the whole library."""
        return self.only("slug", "name", "kind", "sets", "reps", "hold_seconds", "duration_seconds")

    def for_swapping(self) -> ExerciseQuerySet:
        """Only what `swap_choices` compares and a swap list shows: the library's long
        text (steps, cues, figures) stays in the database."""
        return self.only("id", "slug", "name", "kind", "regions", "bone_density_caution")

    def in_slug_order(self, slugs: list[str]) -> list[Exercise]:
        """Return the exercises for these slugs in the order given, unknown slugs dropped."""
        by_slug = {exercise.slug: exercise for exercise in self.filter(slug__in=slugs)}
        return [by_slug[slug] for slug in slugs if slug in by_slug]


class Exercise(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    regions = ArrayField(models.CharField(max_length=20, choices=Region.choices), default=list)
    equipment = ArrayField(models.CharField(max_length=20, choices=Equipment.choices), default=list)
    difficulty = models.CharField(max_length=10, choices=Difficulty.choices)
    purpose = models.CharField(max_length=200)
    steps = ArrayField(models.TextField(), default=list)
    cues = ArrayField(models.TextField(), default=list, blank=True)
    mistakes = ArrayField(models.TextField(), default=list, blank=True)
    cautions = ArrayField(models.TextField(), default=list, blank=True)
    # Dosage: what the timer runs. Hold and duration are seconds.
    sets = models.PositiveSmallIntegerField(default=1)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    per_side = models.BooleanField(default=False)
    duration_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    rest_seconds = models.PositiveSmallIntegerField(default=0)
    dosage_text = models.CharField(max_length=300)
    # The sources' own dosages side by side: [{"source": "001", "text": "..."}].
    variants = models.JSONField(default=list, blank=True)
    # Breathing drills only: seconds per phase {"inhale", "hold", "exhale", "hold_after"}.
    breathing = models.JSONField(null=True, blank=True)
    bone_density_caution = models.BooleanField(default=False)
    bone_density_note = models.CharField(max_length=300, blank=True)
    regression = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    progression = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sources = ArrayField(models.CharField(max_length=3), default=list)
    # The animated figure: keyframes of joint angles (apps/exercises/figures.py, docs/figures.md).
    figure = models.JSONField(default=dict, blank=True)
    # Name, purpose and steps in one column, so search is one indexed expression.
    search_text = models.TextField(editable=False, default="")

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="exercise_kind_valid"),
            models.CheckConstraint(
                condition=Q(difficulty__in=Difficulty.values), name="exercise_difficulty_valid"
            ),
            models.CheckConstraint(
                condition=Q(sets__gte=1, sets__lte=10), name="exercise_sets_1_10"
            ),
            models.CheckConstraint(
                condition=Q(reps__isnull=True) | Q(reps__gte=1, reps__lte=100),
                name="exercise_reps_1_100",
            ),
            models.CheckConstraint(
                condition=Q(hold_seconds__isnull=True)
                | Q(hold_seconds__gte=1, hold_seconds__lte=600),
                name="exercise_hold_1_600",
            ),
            models.CheckConstraint(
                condition=Q(duration_seconds__isnull=True)
                | Q(duration_seconds__gte=1, duration_seconds__lte=3600),
                name="exercise_duration_1_3600",
            ),
            models.CheckConstraint(condition=Q(rest_seconds__lte=120), name="exercise_rest_0_120"),
        ]
        indexes = [
            models.Index(fields=["kind"]),
            models.Index(fields=["difficulty"]),
            # The library's order (Meta.ordering).
            models.Index(fields=["name"], name="exercise_name"),
            GinIndex(fields=["regions"], name="exercise_regions_gin"),
            GinIndex(fields=["equipment"], name="exercise_equipment_gin"),
            GinIndex(
                name="exercise_search_trgm", fields=["search_text"], opclasses=["gin_trgm_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = " ".join([self.name, self.purpose, *self.steps])
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        # Remembered: the library, the plan and the checklist result link a dozen or more.
        return reverse_kept("exercises:detail", self.slug)

    @property
    def is_timed(self) -> bool:
        return bool(self.hold_seconds or self.duration_seconds)

    def region_labels(self) -> list[str]:
        return [Region(region).label for region in self.regions]

    def equipment_labels(self) -> list[str]:
        return [Equipment(item).label for item in self.equipment]

    def source_names(self) -> list[str]:
        """Return the titles of the pages this exercise comes from, for the page's credits."""
        return [SOURCES.get(source, source) for source in self.sources]

    def variant_rows(self) -> list[tuple[str, str]]:
        """Return each source's own dosage as (source title, dosage), for the variants table."""
        return [
            (SOURCES.get(variant["source"], variant["source"]), variant["text"])
            for variant in self.variants
        ]

    def timer_data(self) -> dict[str, Any]:
        """The dosage as the timer script reads it (see static/js/timer.js)."""
        return {
            "slug": self.slug,
            "name": self.name,
            "sets": self.sets,
            "reps": self.reps,
            "hold": self.hold_seconds,
            "duration": self.duration_seconds,
            "rest": self.rest_seconds,
            "perSide": self.per_side,
            "breathing": self.breathing,
            "url": self.get_absolute_url(),
            "dosage": self.dosage_text,
        }
