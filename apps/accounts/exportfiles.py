"""What the export's files hold: one definition per file, read by the ZIP, README and page.

Each `ExportFile` is one CSV in the ZIP and one list in `data.json`: a kind of record the
person owns (a model in `owndata.OWNER`), its columns with a spreadsheet header, a JSON key
and a plain-words explanation, and optionally a `Part` (the rows inside each record: the
exercises of a session, the answers of a check). The CSV has one line per part row, with the
record's columns repeated; the JSON nests the part rows in their record.

Every stored field of a model is either read by a column (`Column.reads`) or listed in
`left_out` with the reason. Tests check both ways, so a new field (a reminder's time, say) or
a new model with personal data fails loudly until someone decides how it is exported. Secrets
(password hash, form tokens, invite codes), internal ids and web-address uuids are left out.

Labels, not imports, as in `owndata`: `accounts` must not import the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Model, Prefetch

from .owndata import OWNER

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Reasons a stored field is not in the export, shared by many definitions.
ID = "the database's internal number for the row"
UUID = "a random identifier used in web addresses, meaningless outside the app"
TOKEN = "a one-off form token that stops a double click saving twice"
OWNER_IS_YOU = "you: every row in your export is yours"
IN_ITS_RECORD = "the row is listed inside its record"
LISTED_IN_ORDER = "the rows are listed in this order"
GUEST = "the random id a check had before you logged in; empty once it is yours"


@dataclass(frozen=True, eq=False)
class Column:
    header: str  # the CSV header, in plain words
    key: str  # the key in data.json
    help: str  # what it means, for README.txt and the export page
    reads: tuple[str, ...]  # the model fields it shows
    get: Callable[[Any], Any]  # row -> a date, time, number, text, yes/no, list or None


def col(
    name: str, header: str, key: str, help: str, shown: Callable[[Any], Any] | None = None
) -> Column:
    """A column showing one field, as stored or as `shown(value)`."""

    def get(row: Any) -> Any:
        value = getattr(row, name)
        return shown(value) if shown is not None and value is not None else value

    return Column(header, key, help, (name,), get)


def choice(name: str, header: str, key: str, help: str) -> Column:
    """A column showing a field with choices by its label ("Prescribed by your clinician")."""

    def get(row: Any) -> Any:
        return getattr(row, f"get_{name}_display")() if getattr(row, name) is not None else None

    return Column(header, key, help, (name,), get)


def person(user: Any) -> str:
    """Name a person as the app does: their name to show, else their e-mail address."""
    return str(user) if user is not None else ""


def days(weekdays: Iterable[int]) -> list[str]:
    return [WEEKDAYS[day] for day in sorted(weekdays)]


@dataclass(frozen=True, eq=False)
class Part:
    """The rows inside each record of a file (a session's exercises)."""

    model: str
    related: str  # the parent's related name for them
    key: str  # their list's key inside each JSON record
    columns: tuple[Column, ...]
    left_out: Mapping[str, str]
    select: tuple[str, ...] = ()
    order: tuple[str, ...] = ("pk",)


@dataclass(frozen=True, eq=False)
class ExportFile:
    name: str  # the CSV's file name
    key: str  # the list's key in data.json
    about: str  # one or two sentences: what a line is
    model: str  # the records' model label, a key of owndata.OWNER
    columns: tuple[Column, ...]
    left_out: Mapping[str, str]
    part: Part | None = None
    # Where the part's columns go among the record's in the CSV (after this many).
    part_at: int = 0
    select: tuple[str, ...] = ()
    order: tuple[str, ...] = ("pk",)
    # Work before the columns are read, with a fixed number of queries (names for keys).
    prepare: Callable[[list[Any]], None] | None = None
    clinicians: bool = False  # only a clinician's account has these records
    csv_columns: tuple[Column, ...] = field(init=False)

    def __post_init__(self) -> None:
        at = self.part_at if self.part else len(self.columns)
        inside = self.part.columns if self.part else ()
        object.__setattr__(self, "csv_columns", (*self.columns[:at], *inside, *self.columns[at:]))

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.csv_columns]

    def rows(self, user: Model) -> list[Any]:
        """This person's records (with their part rows): one query, two with a part."""
        model = apps.get_model(self.model)
        # The base manager, as in owndata, so that no custom manager hides a row.
        found = (
            model._base_manager.filter(**{OWNER[self.model]: user.pk})
            .select_related(*self.select)
            .order_by(*self.order)
        )
        if self.part is not None:
            inner = apps.get_model(self.part.model)._base_manager
            found = found.prefetch_related(
                Prefetch(
                    self.part.related,
                    queryset=inner.select_related(*self.part.select).order_by(*self.part.order),
                )
            )
        rows = list(found)
        if self.prepare is not None:
            self.prepare(rows)
        return rows

    def inside(self, row: Any) -> list[Any]:
        return list(getattr(row, self.part.related).all()) if self.part else []


# ---- work done before reading: names for the keys a row stores ------------------------------


def name_warning_signs(rows: list[Any]) -> None:
    """Give each warning-signs check the signs it found in words (one query, or none)."""
    keys = {key for row in rows for key in (*row.trigger_keys, *row.unsure_keys)}
    words = dict(
        apps.get_model("screening.Question")
        ._base_manager.filter(key__in=keys)
        .values_list("key", "trigger")
        if keys
        else []
    )
    for row in rows:
        row.export_triggers = [words.get(key, key) for key in row.trigger_keys]
        row.export_unsure = [words.get(key, key) for key in row.unsure_keys]


def name_priorities(rows: list[Any]) -> None:
    """Give each checklist run its priorities as the items' titles (one query, or none)."""
    keys = {key for row in rows for key in row.priority_keys}
    titles = dict(
        apps.get_model("checklist.Item")
        ._base_manager.filter(key__in=keys)
        .values_list("key", "title")
        if keys
        else []
    )
    for row in rows:
        row.export_priorities = [titles.get(key, key) for key in row.priority_keys]


# ---- the files ---------------------------------------------------------------------------

PAIN = "0 means no pain, 10 the worst pain you can imagine"

FILES: tuple[ExportFile, ...] = (
    ExportFile(
        name="profile.csv",
        key="profile",
        about="Your account: one line.",
        model="accounts.User",
        columns=(
            col("email", "E-mail address", "email", "The address you log in with."),
            col("display_name", "Name to show", "name_to_show", "The name the app shows."),
            choice("role", "Account type", "account_type", "Patient or clinician."),
            col("date_joined", "Joined", "joined", "When the account was made."),
            col("last_login", "Last logged in", "last_logged_in", "Empty if never."),
            col("is_active", "Account active", "active", "Yes while the account can log in."),
            col("is_staff", "Site staff", "site_staff", "Yes for the people who run the site."),
            col(
                "is_superuser",
                "Site administrator",
                "site_administrator",
                "Yes for the site's administrators.",
            ),
        ),
        left_out={
            "id": ID,
            "uuid": UUID,
            "password": "the password is stored as a one-way hash, a secret even to you",
            "data_version": "a counter of changes the app uses to know when to redraw your pages",
        },
    ),
    ExportFile(
        name="email-addresses.csv",
        key="email_addresses",
        about="Your e-mail addresses: one line each.",
        model="account.EmailAddress",
        columns=(
            col("email", "E-mail address", "email", "The address."),
            col("primary", "Main address", "main", "Yes for the address you log in with."),
            col("verified", "Confirmed", "confirmed", "Yes once you opened the link we sent."),
        ),
        left_out={"id": ID, "user": OWNER_IS_YOU},
    ),
    ExportFile(
        name="warning-sign-checks.csv",
        key="warning_sign_checks",
        about=(
            "Your warning-signs checks: one line per answer, with the check's result repeated "
            "on each of its lines (a check you have not answered yet has one line)."
        ),
        model="screening.Screening",
        columns=(
            col("started_at", "Started", "started", "When you began the check."),
            col("completed_at", "Finished", "finished", "Empty if you have not finished it."),
            choice("kind", "Kind", "kind", "The full check, or the short weekly re-check."),
            choice("urgency", "Result", "result", "What the answers meant you should do."),
            Column(
                "Warning signs found",
                "warning_signs_found",
                "The signs your answers showed, in a few words each.",
                ("trigger_keys",),
                lambda row: row.export_triggers,
            ),
            Column(
                "Not sure about",
                "not_sure_about",
                "The signs you answered 'Not sure' about.",
                ("unsure_keys",),
                lambda row: row.export_unsure,
            ),
            col(
                "bone_density_caution",
                "Bone density caution",
                "bone_density_caution",
                "Yes when your answers asked for care with some exercises.",
            ),
            col(
                "acknowledged_at",
                "Care sought confirmed",
                "care_sought_confirmed",
                "When you confirmed you had sought care after an emergency result.",
            ),
        ),
        part=Part(
            model="screening.Answer",
            related="answers",
            key="answers",
            columns=(
                Column(
                    "Question",
                    "question",
                    "The question as it was asked.",
                    ("question",),
                    lambda answer: answer.question.text,
                ),
                choice("value", "Your answer", "answer", "Yes, No or Not sure."),
                col("answered_at", "Answered", "answered", "When you last gave this answer."),
            ),
            left_out={"id": ID, "screening": IN_ITS_RECORD},
            select=("question",),
            order=("question__order", "question__key"),
        ),
        part_at=8,
        order=("started_at", "pk"),
        prepare=name_warning_signs,
        left_out={
            "id": ID,
            "uuid": UUID,
            "user": OWNER_IS_YOU,
            "guest_id": GUEST,
            "client_token": TOKEN,
            "form_digest": TOKEN,
        },
    ),
    ExportFile(
        name="movement-checklist.csv",
        key="movement_checklists",
        about=(
            "Your movement checklists: one line per answer, with the checklist's score "
            "repeated on each of its lines."
        ),
        model="checklist.Run",
        columns=(
            col("started_at", "Started", "started", "When you began the checklist."),
            col("completed_at", "Finished", "finished", "Empty if you have not finished it."),
            col("score", "Score (out of 13)", "score", "Points of the 13-point checklist."),
            Column(
                "Work on first",
                "work_on_first",
                "What the result suggested you work on, most important first.",
                ("priority_keys",),
                lambda row: row.export_priorities,
            ),
        ),
        part=Part(
            model="checklist.Answer",
            related="answers",
            key="answers",
            columns=(
                Column(
                    "Checklist item",
                    "item",
                    "The checklist item, in a few words.",
                    ("item",),
                    lambda answer: answer.item.title,
                ),
                choice("value", "Your answer", "answer", "Yes, No or Not sure."),
                col("note", "Your note", "note", "What you noted, if anything."),
                col("answered_at", "Answered", "answered", "When you last gave this answer."),
            ),
            left_out={"id": ID, "run": IN_ITS_RECORD},
            select=("item",),
            order=("item__order", "item__key"),
        ),
        part_at=4,
        order=("started_at", "pk"),
        prepare=name_priorities,
        left_out={"id": ID, "uuid": UUID, "user": OWNER_IS_YOU, "guest_id": GUEST},
    ),
    ExportFile(
        name="plans.csv",
        key="plans",
        about=(
            "Your exercise plans, the one you built and any your clinician prescribed: one "
            "line per exercise, in the order of the routine, with the plan's details repeated."
        ),
        model="progress.Plan",
        columns=(
            col("created_at", "Plan made", "made", "When the plan was made."),
            choice("kind", "Plan", "plan", "Built from your checklist, or prescribed."),
            Column(
                "Prescribed by",
                "prescribed_by",
                "The clinician who prescribed it; empty for your own plan.",
                ("author",),
                lambda row: person(row.author) or None,
            ),
            col("active", "In use", "in_use", "Yes for a plan you follow now."),
            col("reasons", "Why this plan", "why_this_plan", "Why these exercises were chosen."),
            col("note", "Clinician's note", "clinicians_note", "A note from your clinician."),
        ),
        part=Part(
            model="progress.PlanItem",
            related="items",
            key="exercises",
            columns=(
                Column(
                    "Exercise",
                    "exercise",
                    "The exercise's name, as in the exercise library.",
                    ("exercise",),
                    lambda item: item.exercise.name,
                ),
                choice("frequency", "How often", "how_often", "Every day, or 2-3 days a week."),
                col("weekdays", "Days", "days", "The days of the week it is planned for.", days),
                col("sets", "Sets", "sets", "Sets prescribed; empty: as the library says."),
                col("reps", "Reps", "reps", "Repetitions per set; empty: as the library says."),
                col(
                    "hold_seconds",
                    "Hold or time (seconds)",
                    "hold_or_time_seconds",
                    "Seconds to hold or keep going; empty: as the library says.",
                ),
                col(
                    "days_per_week",
                    "Days a week",
                    "days_a_week",
                    "How many days a week it was prescribed for, if it was.",
                ),
                Column(
                    "Library dosage",
                    "library_dosage",
                    "How much the exercise library suggests.",
                    ("exercise",),
                    lambda item: item.exercise.dosage_text,
                ),
                col("reason", "Why this exercise", "why_this_exercise", "Why it is in the plan."),
            ),
            left_out={"id": ID, "plan": IN_ITS_RECORD, "order": LISTED_IN_ORDER},
            select=("exercise",),
            order=("order", "pk"),
        ),
        part_at=2,
        select=("author",),
        order=("created_at", "pk"),
        left_out={"id": ID, "uuid": UUID, "patient": OWNER_IS_YOU, "client_token": TOKEN},
    ),
    ExportFile(
        name="exercise-sessions.csv",
        key="exercise_sessions",
        about=(
            "The exercise sessions you logged: one line per exercise done, with the session's "
            "pain score and note repeated on each of its lines. Deleted sessions are gone."
        ),
        model="progress.Session",
        columns=(
            col("performed_on", "Date", "date", "The day you did the session."),
            col(
                "pain_during",
                "Pain during session (0-10)",
                "pain_during_session",
                f"How much it hurt during the session: {PAIN}.",
            ),
            col("note", "Note", "note", "Your note about the session."),
            col("created_at", "Logged", "logged", "When you logged it."),
            col("updated_at", "Last changed", "last_changed", "When you last changed it."),
        ),
        part=Part(
            model="progress.SessionEntry",
            related="entries",
            key="exercises",
            columns=(
                Column(
                    "Exercise",
                    "exercise",
                    "The exercise's name, as in the exercise library.",
                    ("exercise",),
                    lambda entry: entry.exercise.name,
                ),
                col("sets", "Sets", "sets", "How many sets you did."),
                col("reps", "Reps", "reps", "Repetitions per set; empty for a hold."),
                col(
                    "hold_seconds",
                    "Hold or time (seconds)",
                    "hold_or_time_seconds",
                    "Seconds you held or kept going; empty for repetitions.",
                ),
            ),
            left_out={"id": ID, "session": IN_ITS_RECORD},
            select=("exercise",),
            order=("pk",),
        ),
        part_at=1,
        order=("performed_on", "created_at", "pk"),
        left_out={"id": ID, "uuid": UUID, "patient": OWNER_IS_YOU, "client_token": TOKEN},
    ),
    ExportFile(
        name="weekly-check-ins.csv",
        key="weekly_check_ins",
        about="Your weekly check-ins: one line per week.",
        model="progress.CheckIn",
        columns=(
            col("week_start", "Week starting", "week_starting", "The Monday of the week."),
            col("pain_average", "Average pain (0-10)", "average_pain", f"{PAIN}."),
            col("pain_worst", "Worst pain (0-10)", "worst_pain", f"{PAIN}."),
            col(
                "sleep_nights",
                "Nights woken by pain (0-7)",
                "nights_woken_by_pain",
                "Nights pain woke you or kept you awake that week.",
            ),
            col(
                "days_active",
                "Active days (0-7)",
                "active_days",
                "Days you were active for 30 minutes or more.",
            ),
            col("note", "Note", "note", "Your note about the week."),
            col("created_at", "Saved", "saved", "When you first saved it."),
            col("updated_at", "Last changed", "last_changed", "When you last changed it."),
        ),
        order=("week_start", "pk"),
        left_out={"id": ID, "patient": OWNER_IS_YOU},
    ),
    ExportFile(
        name="everyday-activities.csv",
        key="everyday_activities",
        about="The everyday activities you chose to score each week (up to three).",
        model="progress.FunctionActivity",
        columns=(
            col("name", "Activity", "activity", "The activity, in your words."),
            col("created_at", "Added", "added", "When you added it."),
        ),
        order=("order", "pk"),
        left_out={"id": ID, "patient": OWNER_IS_YOU, "order": LISTED_IN_ORDER},
    ),
    ExportFile(
        name="activity-scores.csv",
        key="activity_scores",
        about="How well you could do each everyday activity: one line per activity and week.",
        model="progress.FunctionScore",
        columns=(
            Column(
                "Week starting",
                "week_starting",
                "The Monday of the check-in's week.",
                ("check_in",),
                lambda score: score.check_in.week_start,
            ),
            Column(
                "Activity",
                "activity",
                "The activity, in your words.",
                ("activity",),
                lambda score: score.activity.name,
            ),
            col(
                "score",
                "Score (0-10)",
                "score",
                "0 means you could not do it, 10 as well as before your back pain.",
            ),
        ),
        select=("check_in", "activity"),
        order=("check_in__week_start", "activity__order", "pk"),
        left_out={"id": ID},
    ),
    ExportFile(
        name="reminders.csv",
        key="reminders",
        about="Your reminder settings: one line once you have set them.",
        model="progress.Reminder",
        columns=(
            col("enabled", "Weekly check-in e-mail", "weekly_check_in_email", "Yes when on."),
            choice("weekday", "Day", "day", "The day of the week it is sent."),
            col(
                "exercise_days",
                "Exercise-day e-mails",
                "exercise_day_emails",
                "Yes when you get an e-mail on the days your plan has exercises.",
            ),
            choice("hour", "Time", "time", "The hour of the day reminders are sent."),
            col(
                "calendar_made_at",
                "Calendar address made",
                "calendar_address_made",
                "When you made the address of your calendar feed; empty if you have none.",
            ),
            col("last_sent_on", "Last sent", "last_sent", "The day the last one was sent."),
        ),
        left_out={
            "id": ID,
            "patient": OWNER_IS_YOU,
            "calendar_token": "the secret part of your calendar address: a key, like a password",
        },
    ),
    ExportFile(
        name="sharing.csv",
        key="sharing",
        about="The clinicians you share your data with, or did: one line per share.",
        model="accounts.CareLink",
        columns=(
            Column(
                "Clinician",
                "clinician",
                "Their name (or e-mail address, if they gave no name).",
                ("clinician",),
                lambda link: person(link.clinician),
            ),
            Column(
                "Clinician's e-mail",
                "clinicians_email",
                "Their e-mail address.",
                (),
                lambda link: link.clinician.email,
            ),
            col("created_at", "Sharing since", "sharing_since", "When you started sharing."),
            col("revoked_at", "Stopped", "stopped", "When you stopped; empty while you share."),
        ),
        select=("clinician",),
        order=("created_at", "pk"),
        left_out={
            "id": ID,
            "uuid": UUID,
            "patient": OWNER_IS_YOU,
            "invite": "the clinician's invite code that started it: theirs, and a secret",
        },
    ),
    ExportFile(
        name="clinic-alerts.csv",
        key="clinic_alerts",
        about="What the app flagged to your clinicians in your answers: one line per alert.",
        model="clinic.Alert",
        columns=(
            col("created_at", "Raised", "raised", "When the alert was raised."),
            choice("kind", "Alert", "alert", "What was flagged."),
            col("detail", "Detail", "detail", "More about it, when there is more."),
            col("seen_at", "Seen by the clinic", "seen_by_the_clinic", "Empty until seen."),
        ),
        order=("created_at", "pk"),
        left_out={
            "id": ID,
            "uuid": UUID,
            "patient": OWNER_IS_YOU,
            "source": "an internal reference to what raised it; 'Detail' says it in words",
            "seen_by": "which clinician marked it seen is the clinic's working record",
        },
    ),
    ExportFile(
        name="invite-codes.csv",
        key="invite_codes",
        about="Clinicians: the invite codes you made, one line each (not the codes).",
        model="accounts.InviteCode",
        columns=(
            col("created_at", "Made", "made", "When you made the code."),
            col("expires_at", "Expires", "expires", "When it stops working if unused."),
            col("used_at", "Used", "used", "When a patient used it; empty if unused."),
        ),
        order=("created_at", "pk"),
        left_out={
            "id": ID,
            "uuid": UUID,
            "clinician": OWNER_IS_YOU,
            "code": "the code is a key that links a patient to you: a copy must not work",
            "used_by": "which patient used it is theirs to tell",
        },
        clinicians=True,
    ),
    ExportFile(
        name="clinic-notes.csv",
        key="clinic_notes",
        about="Clinicians: your private notes about patients, one line each.",
        model="clinic.Note",
        columns=(
            col("created_at", "Written", "written", "When you wrote it."),
            Column(
                "About",
                "about",
                "The patient's name (or e-mail address, if they gave no name).",
                ("patient",),
                lambda note: person(note.patient),
            ),
            col("text", "Note", "note", "The note."),
        ),
        select=("patient",),
        order=("created_at", "pk"),
        left_out={"id": ID, "uuid": UUID, "clinician": OWNER_IS_YOU, "client_token": TOKEN},
        clinicians=True,
    ),
    ExportFile(
        name="clinic-settings.csv",
        key="clinic_settings",
        about="Clinicians: your clinic settings, one line once you have set them.",
        model="clinic.ClinicianPreference",
        columns=(
            col(
                "email_alerts",
                "E-mail alerts",
                "email_alerts",
                "Yes to be e-mailed when a patient has an emergency or urgent alert.",
            ),
        ),
        left_out={"id": ID, "clinician": OWNER_IS_YOU},
        clinicians=True,
    ),
)


def file_for(model: str) -> ExportFile | None:
    """The file whose records or part rows are this model's (None: not exported)."""
    for definition in FILES:
        if model in {definition.model, definition.part.model if definition.part else None}:
            return definition
    return None
