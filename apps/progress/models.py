from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Self

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q, Value
from django.urls import reverse
from django.utils import timezone

from apps.exercises.models import Exercise
from backpain.once import token_field

PAIN_HELP = "0 means no pain, 10 the worst pain you can imagine."
# Validators bound the forms; the check constraints below bound the database as well.
UP_TO_10 = [MaxValueValidator(10)]
UP_TO_7 = [MaxValueValidator(7)]


def week_start(day: dt.date) -> dt.date:
    """Return the Monday of the ISO week that holds `day`."""
    return day - dt.timedelta(days=day.weekday())


def score_0_10(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0, f"{field}__lte": 10}), name=name
    )


EVERY_DAY = list(range(7))


def spread_days(count: int) -> list[int]:
    """`count` weekdays (0 = Monday) spread over the week with rest days between them.

    Strength work wants a day off between sessions: 2 gives Monday and Thursday, 3 gives
    Monday, Wednesday and Friday (the default strength days), 7 every day.
    """
    count = max(1, min(7, count))
    return [index * 7 // count for index in range(count)]


class PlanKind(models.TextChoices):
    SELF = "self", "Built from your checklist"
    PRESCRIBED = "prescribed", "Prescribed by your clinician"


class Frequency(models.TextChoices):
    DAILY = "daily", "Every day"
    TWO_THREE = "2-3/week", "2-3 days a week"


class PlanQuerySet(models.QuerySet["Plan"]):
    def for_patient(self, patient: settings.AUTH_USER_MODEL) -> Self:
        return self.filter(patient=patient)

    def in_force_first(self) -> Self:
        """Active plans, the one in force first: a clinician's programme wins over the
        self-built one, the newest first."""
        return self.filter(active=True).order_by(
            models.Case(models.When(kind=PlanKind.PRESCRIBED, then=0), default=1),
            "-created_at",
        )

    def current(self) -> Plan | None:
        """Return the plan in force."""
        return self.in_force_first().first()


class Plan(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plans"
    )
    # The clinician who prescribed it; empty for a self-built plan.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=PlanKind.choices, default=PlanKind.SELF)
    active = models.BooleanField(default=True)
    # Why the builder chose what it chose, shown to the patient.
    reasons = models.JSONField(default=list, blank=True)
    # A prescribing clinician's note to the patient.
    note = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The prescription form's token; a self-built plan has none.
    client_token = token_field()

    objects = PlanQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind"],
                condition=Q(active=True),
                name="plan_one_active_per_kind",
            ),
            models.CheckConstraint(condition=Q(kind__in=PlanKind.values), name="plan_kind_valid"),
        ]
        indexes = [models.Index(fields=["patient", "active"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.patient}"

    def routine_slugs(self) -> list[str]:
        return [item.exercise.slug for item in self.items.all()]

    def items_on(self, day: dt.date) -> list[PlanItem]:
        """The part of the plan scheduled for `day` (uses prefetched items when there)."""
        return [item for item in self.items.all() if item.on(day.weekday())]

    def strength_days(self) -> list[int]:
        """The days of the plan's non-daily work (the first such item's): what a patient moves."""
        return next(
            (list(i.weekdays) for i in self.items.all() if i.frequency != Frequency.DAILY), []
        )

    def week(self) -> list[tuple[int, list[PlanItem]]]:
        """Monday to Sunday, each with the items scheduled that day."""
        items = list(self.items.all())
        return [(weekday, [i for i in items if i.on(weekday)]) for weekday in EVERY_DAY]


class PlanItem(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    # Why this exercise is here ("Start here: spinal mobility").
    reason = models.CharField(max_length=200, blank=True)
    # A prescription's own dosage; empty means the library's dosage for the exercise.
    sets = models.PositiveSmallIntegerField(null=True, blank=True)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    days_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    # The weekly schedule: the days (0 = Monday ... 6 = Sunday) this exercise is for.
    weekdays = ArrayField(models.PositiveSmallIntegerField(), default=list)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sets__gte=1, sets__lte=10) | Q(sets__isnull=True),
                name="plan_item_sets_1_10",
            ),
            models.CheckConstraint(
                condition=Q(reps__gte=1, reps__lte=50) | Q(reps__isnull=True),
                name="plan_item_reps_1_50",
            ),
            models.CheckConstraint(
                condition=Q(hold_seconds__gte=1, hold_seconds__lte=600)
                | Q(hold_seconds__isnull=True),
                name="plan_item_hold_1_600",
            ),
            models.CheckConstraint(
                condition=Q(days_per_week__gte=1, days_per_week__lte=7)
                | Q(days_per_week__isnull=True),
                name="plan_item_days_1_7",
            ),
            models.UniqueConstraint(fields=["plan", "exercise"], name="plan_item_once"),
            models.CheckConstraint(
                condition=Q(weekdays__contained_by=EVERY_DAY, weekdays__len__gte=1),
                name="plan_item_weekdays_valid",
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="plan_item_frequency_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} ({self.get_frequency_display()})"

    # What Undo needs to put a removed item back as it was (kept in the session as JSON).
    SNAPSHOT_FIELDS = (
        "order",
        "frequency",
        "reason",
        "sets",
        "reps",
        "hold_seconds",
        "days_per_week",
    )

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.scheduled()
        super().save(*args, **kwargs)

    def snapshot(self) -> dict[str, Any]:
        """This item as plain data: its plan, exercise, days and dose."""
        return {
            "id": self.id,
            "plan": self.plan_id,
            "exercise": self.exercise_id,
            "name": self.exercise.name,
            "weekdays": list(self.weekdays),
            **{name: getattr(self, name) for name in self.SNAPSHOT_FIELDS},
        }

    def scheduled(self, strength_days: list[int] | None = None) -> Self:
        """Give an unscheduled item its days (before a save or a bulk_create); return it.

        A prescribed number of days is spread over the week; daily work is every day; other
        work goes on `strength_days` (the patient's choice) or Monday, Wednesday and Friday.
        """
        if not self.weekdays:
            if self.days_per_week:
                self.weekdays = spread_days(self.days_per_week)
            elif self.frequency == Frequency.DAILY:
                self.weekdays = list(EVERY_DAY)
            else:
                self.weekdays = list(strength_days or spread_days(3))
        return self

    def on(self, weekday: int) -> bool:
        return weekday in self.weekdays

    @property
    def days_label(self) -> str:
        """The item's days in short ("Mon, Wed, Fri"), or "Every day"."""
        if len(self.weekdays) == len(EVERY_DAY):
            return "Every day"
        return ", ".join(Weekday(day).label[:3] for day in sorted(self.weekdays))


# How long after logging a session the patient can still change or delete it.
EDIT_WINDOW = dt.timedelta(days=7)


class SessionQuerySet(models.QuerySet["Session"]):
    def for_patient(self, patient: settings.AUTH_USER_MODEL) -> Self:
        return self.filter(patient=patient)

    def since(self, day: dt.date) -> Self:
        return self.filter(performed_on__gte=day)

    def recent(self, count: int = 10) -> Self:
        """The latest sessions, each with `exercise_names` in the order logged: all the list
        shows of their exercises, in one query however many (no entry or exercise rows)."""
        # Meta.ordering is not applied to an aggregating query: named again here.
        return self.order_by("-performed_on", "-created_at").annotate(
            exercise_names=ArrayAgg(
                "entries__exercise__name",
                filter=Q(entries__isnull=False),
                order_by="entries__id",
                default=Value([]),
            )
        )[:count]


class Session(models.Model):
    """One exercise session a patient did, logged after the routine player or by hand."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_sessions"
    )
    performed_on = models.DateField(default=timezone.localdate)
    # Made when the form is shown; a double click or a resent form reuses it, so the
    # unique constraint turns the second save into the same session instead of a copy.
    client_token = models.UUIDField(unique=True)
    pain_during = models.PositiveSmallIntegerField(help_text=PAIN_HELP, validators=UP_TO_10)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-performed_on", "-created_at"]
        constraints = [score_0_10("pain_during", "session_pain_0_10")]
        indexes = [models.Index(fields=["patient", "-performed_on"], name="session_patient_day")]

    def __str__(self) -> str:
        return f"Session on {self.performed_on}"

    def get_absolute_url(self) -> str:
        return reverse("progress:log_edit", args=[self.uuid])

    @property
    def editable_until(self) -> dt.datetime:
        return self.created_at + EDIT_WINDOW

    @property
    def editable(self) -> bool:
        """A session can be changed or deleted for a week after it was logged, then it is
        history: the charts and the clinician's review can rely on it."""
        return timezone.now() < self.editable_until


class SessionEntry(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="entries")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    sets = models.PositiveSmallIntegerField(default=1)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(sets__gte=1, sets__lte=20), name="entry_sets_1_20"),
            models.CheckConstraint(
                condition=Q(reps__isnull=True) | Q(reps__gte=1, reps__lte=200),
                name="entry_reps_1_200",
            ),
            models.CheckConstraint(
                condition=Q(hold_seconds__isnull=True)
                | Q(hold_seconds__gte=1, hold_seconds__lte=3600),
                name="entry_hold_1_3600",
            ),
        ]

    def __str__(self) -> str:
        return str(self.exercise)


class FunctionActivity(models.Model):
    """An activity the patient named for the Patient-Specific Functional Scale (up to three)."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="function_activities"
    )
    name = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "order"], name="function_activity_slot"),
            models.CheckConstraint(condition=Q(order__lte=2), name="function_activity_max_three"),
        ]

    def __str__(self) -> str:
        return self.name


class CheckInQuerySet(models.QuerySet["CheckIn"]):
    def for_patient(self, patient: settings.AUTH_USER_MODEL) -> Self:
        return self.filter(patient=patient)

    def with_scores(self) -> Self:
        """Annotate each check-in with its activity scores, `score_activities` and
        `score_values` (paired by position): the progress page and the review read them with
        the check-ins, not in a second query over a year of scores."""
        scores = FunctionScore.objects.filter(check_in=models.OuterRef("pk")).order_by(
            "activity_id"
        )
        return self.annotate(
            score_activities=ArraySubquery(scores.values("activity_id")),
            score_values=ArraySubquery(scores.values("score")),
        )


class CheckIn(models.Model):
    """The weekly check-in: one per patient and ISO week, edited in place."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins"
    )
    week_start = models.DateField()
    pain_average = models.PositiveSmallIntegerField(help_text=PAIN_HELP, validators=UP_TO_10)
    pain_worst = models.PositiveSmallIntegerField(help_text=PAIN_HELP, validators=UP_TO_10)
    sleep_nights = models.PositiveSmallIntegerField(
        "nights pain woke you or kept you awake", validators=UP_TO_7
    )
    days_active = models.PositiveSmallIntegerField(
        "days you were active for 30 minutes or more", validators=UP_TO_7
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["week_start"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "week_start"], name="check_in_once_a_week"),
            score_0_10("pain_average", "check_in_average_0_10"),
            score_0_10("pain_worst", "check_in_worst_0_10"),
            models.CheckConstraint(
                condition=Q(pain_worst__gte=models.F("pain_average")),
                name="check_in_worst_at_least_average",
            ),
            models.CheckConstraint(condition=Q(sleep_nights__lte=7), name="check_in_sleep_0_7"),
            models.CheckConstraint(condition=Q(days_active__lte=7), name="check_in_days_0_7"),
            # week_start is always a Monday (ISO weeks); PostgreSQL's isodow counts Monday as 1.
            models.CheckConstraint(
                condition=Q(week_start__iso_week_day=1), name="check_in_week_starts_monday"
            ),
        ]
        # The unique constraint above serves the per-patient lists by week; the dashboard's
        # last activity reads each patient's newest check-in by when it was made.
        indexes = [models.Index(fields=["patient", "-created_at"], name="check_in_patient_made")]

    def __str__(self) -> str:
        return f"Check-in for the week of {self.week_start}"

    @staticmethod
    def current_week() -> dt.date:
        return week_start(timezone.localdate())


class FunctionScore(models.Model):
    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="function_scores")
    activity = models.ForeignKey(FunctionActivity, on_delete=models.CASCADE, related_name="scores")
    # PSFS: 0 = unable to do the activity, 10 = able to do it as before the problem.
    score = models.PositiveSmallIntegerField(validators=UP_TO_10)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["check_in", "activity"], name="function_score_once"),
            score_0_10("score", "function_score_0_10"),
        ]

    def __str__(self) -> str:
        return f"{self.activity}: {self.score}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


def _hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


HOURS = [(hour, _hour_label(hour)) for hour in range(24)]


class ReminderQuerySet(models.QuerySet["Reminder"]):
    def for_hour(self, now: dt.datetime) -> Self:
        """Reminders that may send at `now` (local time): on, the chosen hour come, none
        sent today, the patient active, and today something to remind of.

        Each row is annotated with `check_in_due` (the check-in e-mail is on, today is its
        day and this week has no check-in yet) and `logged_today` (a session is already
        logged today); whether today is an exercise day needs the plan, see
        apps/progress/reminders.py.
        """
        today = timezone.localdate(now)
        check_in_due = Q(enabled=True, weekday=today.weekday()) & ~models.Exists(
            CheckIn.objects.filter(patient=models.OuterRef("patient"), week_start=week_start(today))
        )
        return (
            self.filter(hour__lte=timezone.localtime(now).hour, patient__is_active=True)
            .filter(Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=today))
            .annotate(
                check_in_due=models.ExpressionWrapper(check_in_due, models.BooleanField()),
                logged_today=models.Exists(
                    Session.objects.filter(patient=models.OuterRef("patient"), performed_on=today)
                ),
            )
            .filter(Q(check_in_due=True) | Q(exercise_days=True))
        )


class Reminder(models.Model):
    """The patient's reminders: e-mails on exercise days and on the check-in day, at the
    hour they chose, and the secret address of their calendar feed.

    The feed's token is stored as it is, not hashed, so the patient can copy the address
    again whenever they add another calendar: the feed shows only exercise names and times,
    which the same database holds in the clear anyway, and a new address revokes the old.
    """

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder"
    )
    enabled = models.BooleanField("E-mail me on my check-in day", default=False)
    weekday = models.PositiveSmallIntegerField(
        "Weekly check-in day", choices=Weekday.choices, default=Weekday.MONDAY
    )
    exercise_days = models.BooleanField("E-mail me on my exercise days", default=False)
    hour = models.PositiveSmallIntegerField(
        "Time of day", choices=HOURS, default=18, validators=[MaxValueValidator(23)]
    )
    # Makes the sending command safe to run often: one e-mail a day at most.
    last_sent_on = models.DateField(null=True, blank=True)
    # The calendar feed's secret (secrets.token_urlsafe(32)); empty while there is no feed.
    calendar_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    calendar_made_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="reminder_weekday_valid"),
            models.CheckConstraint(
                condition=Q(hour__gte=0, hour__lte=23), name="reminder_hour_0_23"
            ),
            models.CheckConstraint(
                condition=Q(calendar_token__isnull=True, calendar_made_at__isnull=True)
                | Q(calendar_token__isnull=False, calendar_made_at__isnull=False),
                name="reminder_calendar_token_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminders for {self.patient}"

    def hour_label(self) -> str:
        return _hour_label(self.hour)
