"""The clinician's dashboard: every patient sharing with them, the ones needing a look first.

Each row's figures come from subqueries in the one query that lists the page, so the page
costs the same number of queries for 3 patients or 300, with one week of history or a year.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from html import escape
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods

from apps.accounts.models import User
from apps.progress.charts import day_label
from apps.progress.models import CheckIn, Frequency, Plan, PlanItem, PlanKind, Session
from apps.screening.models import Screening
from backpain.page_cache import kept_page

from ..access import clinician_required
from ..alerts import last_active_on
from ..models import (
    ALERT_RANK,
    Alert,
    AuditAction,
    AuditEvent,
    ClinicianPreference,
    alert_rank,
)

PATIENTS_PER_PAGE = 25
# The highest page number looked up before the patients are counted (25 million patients).
MAX_PAGE = 1_000_000
ADHERENCE_DAYS = 14
# The trend compares the latest check-in with the one 4 weeks earlier, or failing that
# the nearest one up to 6 weeks earlier (a missed week does not hide the trend).
TREND_WEEKS = (4, 6)
# One check-in a week at most: the latest 7 hold every week from the latest to 6 before it.
RECENT_CHECK_INS = TREND_WEEKS[1] + 1
# A "2-3 days a week" item plans 3 days: adherence is judged against the upper end.
TWO_THREE_DAYS = 3
# A screening's level in a clinician's words (the patient-facing labels say what to do).
LEVEL_LABELS = {
    "emergency": "Emergency",
    "urgent": "Urgent",
    "soon": "Soon",
    "physio": "Physiotherapist",
    "none": "No warning signs",
}
# Each rank is one kind's (models.ALERT_RANK), so a patient's most pressing open alert's kind
# follows from its rank: one subquery serves both the order and the label.
KIND_OF_RANK = {rank: kind for kind, rank in ALERT_RANK.items()}


class DashboardFilterForm(forms.Form):
    q = forms.CharField(
        label="Search by name or e-mail",
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
    alerts = forms.BooleanField(label="Only patients with open alerts", required=False)

    def filters(self) -> dict[str, Any]:
        """Return the valid filters; a field with an error is left out (and shows why)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = ClinicianPreference
        fields = ["email_alerts"]


def _planned_days_per_week() -> Subquery:
    """Days a week the patient's current plan asks for: its most frequent item's days.

    The current plan is the one `PlanQuerySet.current` returns: a prescription wins over the
    self-built plan, the newest first.
    """
    current_plan = (
        Plan.objects.filter(patient=OuterRef(OuterRef("pk")), active=True)
        .order_by(Case(When(kind=PlanKind.PRESCRIBED, then=0), default=1), "-created_at")
        .values("pk")[:1]
    )
    item_days = Coalesce(
        "days_per_week",
        Case(When(frequency=Frequency.TWO_THREE, then=Value(TWO_THREE_DAYS)), default=Value(7)),
    )
    return Subquery(
        PlanItem.objects.filter(plan=Subquery(current_plan))
        .order_by()
        .values("plan")
        .annotate(days=Max(item_days))
        .values("days")[:1],
        output_field=IntegerField(),
    )


def patient_overview(clinician: User, *, today: dt.date) -> QuerySet[User]:
    """The clinician's patients with what the dashboard shows, ordered for it.

    Patients with open alerts first, the most pressing alert first (an emergency before
    a quiet spell); then by last activity, newest first; patients who never logged anything
    last.
    """
    return _overview_of_the_day(today).filter(pk__in=User.objects.visible_to(clinician))


@functools.lru_cache(maxsize=1)
def _overview_of_the_day(today: dt.date) -> QuerySet[User]:
    """Every account with the dashboard's figures as of `today`, ordered: only ever narrowed
    (to one clinician's patients) and run as a copy, never run itself.

    Building these subqueries is about 5 ms of Python, a fifth of the page's, and they depend
    on nothing but the day: each process builds them once a day. A queryset is never changed
    in place (every method returns a copy), so requests can share it; it holds no rows.
    """
    # The latest check-ins, newest first, as two arrays (weeks and pains): enough for the
    # latest pain and the one 4 to 6 weeks before it (`pain_figures`), in two subqueries
    # rather than five to compile for every page (the latest pain, its week, and the earlier
    # pain with the latest week twice inside it).
    recent = CheckIn.objects.filter(patient=OuterRef("pk")).order_by("-week_start")
    sessions_done = (
        Session.objects.filter(
            patient=OuterRef("pk"),
            performed_on__gt=today - dt.timedelta(days=ADHERENCE_DAYS),
            performed_on__lte=today,
        )
        .order_by()
        .values("patient")
        # Days with a session: two sessions on one day are one planned day done.
        .annotate(days=Count("performed_on", distinct=True))
        .values("days")
    )
    open_alerts = Alert.objects.open().filter(patient=OuterRef("pk")).order_by().values("patient")
    return (
        User.objects.all()
        # What a row shows of the account itself (not the password hash and the rest).
        .only("uuid", "email", "display_name")
        .annotate(
            recent_weeks=ArraySubquery(recent.values("week_start")[:RECENT_CHECK_INS]),
            recent_pains=ArraySubquery(recent.values("pain_average")[:RECENT_CHECK_INS]),
            sessions_done=Coalesce(Subquery(sessions_done, output_field=IntegerField()), 0),
            sessions_planned=Coalesce(_planned_days_per_week(), 0) * (ADHERENCE_DAYS // 7),
            last_active=last_active_on(),
            screening_level=Subquery(
                Screening.objects.filter(user=OuterRef("pk"))
                .latest_completed_first()
                .values("urgency")[:1]
            ),
            open_alerts=Coalesce(
                Subquery(open_alerts.annotate(n=Count("pk")).values("n")),
                0,
                output_field=IntegerField(),
            ),
            top_alert_rank=Subquery(
                open_alerts.annotate(rank=Min(alert_rank())).values("rank"),
                output_field=IntegerField(),
            ),
        )
        .order_by(
            F("top_alert_rank").asc(nulls_last=True),
            F("last_active").desc(nulls_last=True),
            Lower("display_name"),
            "email",
        )
    )


def pain_figures(weeks: list[dt.date], pains: list[int]) -> tuple[int | None, int | None]:
    """The latest average pain and the earlier one its trend compares with: the newest
    check-in 4 to 6 weeks (`TREND_WEEKS`) before the latest. `weeks` and `pains` are the
    latest check-ins' (at least `RECENT_CHECK_INS` of them), newest first."""
    if not weeks:
        return None, None
    newest, oldest = (weeks[0] - dt.timedelta(weeks=n) for n in TREND_WEEKS)
    earlier = next(
        (pain for week, pain in zip(weeks, pains, strict=True) if oldest <= week <= newest),
        None,
    )
    return pains[0], earlier


def pain_trend(latest: int | None, earlier: int | None) -> str | None:
    """Return "up", "down" or "same" for the latest average pain against the earlier one."""
    if latest is None or earlier is None:
        return None
    return "up" if latest > earlier else "down" if latest < earlier else "same"


def adherence_percent(done: int, planned: int) -> int | None:
    """Days with a session as a share of the days planned, at most 100; None without a plan."""
    return min(100, done * 100 // planned) if planned else None


# The trend beside the latest average pain, by `pain_trend`: {} is the earlier pain.
TREND_HTML = {
    "up": '<span class="change change--worse">up from {}</span>',
    "down": '<span class="change change--improved">down from {}</span>',
    "same": '<span class="change">no change</span>',
    None: '<span class="small">too early for a trend</span>',
}
# Any uuid, to make the review's URL once a page and put each patient's in it.
SOME_UUID = uuid.UUID(int=0)


def describe(patient: User, review_url: str | None = None) -> User:
    """Add what is worked out from the row's own figures (no queries): trend, adherence and
    labels, and the row drawn with them. Done in Python for the rows on the page, so the SQL
    computes each figure once. `review_url` is the review's URL for `SOME_UUID`."""
    patient.latest_pain, patient.earlier_pain = pain_figures(
        patient.recent_weeks or [], patient.recent_pains or []
    )
    patient.trend = pain_trend(patient.latest_pain, patient.earlier_pain)
    patient.adherence = adherence_percent(patient.sessions_done, patient.sessions_planned)
    patient.level_label = LEVEL_LABELS.get(patient.screening_level, "")
    kind = KIND_OF_RANK.get(patient.top_alert_rank)
    patient.top_alert = kind or ""
    patient.top_alert_label = kind.label if kind else ""
    patient.review_url = (
        review_url.replace(str(SOME_UUID), str(patient.uuid))
        if review_url
        else reverse("clinic:review", args=[patient.uuid])
    )
    patient.row = _row(patient)
    return patient


def _row(patient: User) -> SafeString:
    """The patient's row of the table as HTML (templates/clinic/dashboard.html has the table
    around it). Written here, a row is one template variable rather than a few dozen nodes of
    conditions and filters, which were most of the time spent drawing the page; and with
    f-strings, every text value through `escape` (what the template's autoescaping and
    format_html do too), since format_html's lazy-aware escaping cost as much again."""
    alerts, done, planned = patient.open_alerts, patient.sessions_done, patient.sessions_planned
    if alerts:
        more = f", and {alerts - 1} more" if alerts > 1 else ""
        alerts_cell = (
            f'<span class="alert-flag alert-flag--{escape(str(patient.top_alert))}">'
            f"{alerts} open</span> "
            f'<span class="small">{escape(str(patient.top_alert_label))}{more}</span>'
        )
    else:
        alerts_cell = "None"
    if patient.latest_pain is None:
        pain_cell = "No check-in yet"
    else:
        trend = TREND_HTML[patient.trend].format(patient.earlier_pain)
        pain_cell = f"{patient.latest_pain} out of 10 {trend}"
    if planned:
        sessions_cell = f"{done} of {planned} planned days ({patient.adherence}%)"
    else:
        sessions_cell = f"{done} day{'' if done == 1 else 's'}, no plan"
    last_active = day_label(patient.last_active) if patient.last_active else "Nothing logged"
    if patient.screening_level:
        level = escape(patient.screening_level)
        screening_cell = f'<span class="level level--{level}">{escape(patient.level_label)}</span>'
    else:
        screening_cell = "Not done"
    adherence = "" if patient.adherence is None else patient.adherence
    return SafeString(
        f'<tr data-patient="{patient.uuid}">'
        f'<th scope="row"><a href="{escape(patient.review_url)}">{escape(str(patient))}</a> '
        f'<span class="small patients__email">{escape(patient.email)}</span></th>'
        f'<td data-open-alerts="{alerts}">{alerts_cell}</td>'
        f'<td data-trend="{patient.trend or ""}">{pain_cell}</td>'
        f'<td data-adherence="{adherence}">{sessions_cell}</td>'
        f"<td>{last_active}</td>"
        f"<td>{screening_cell}</td>"
        "</tr>\n"
    )


def filter_overview(patients: QuerySet[User], filters: dict[str, Any]) -> QuerySet[User]:
    if q := filters.get("q"):
        patients = patients.filter(Q(display_name__icontains=q) | Q(email__icontains=q))
    if filters.get("alerts"):
        patients = patients.filter(Exists(Alert.objects.open().filter(patient=OuterRef("pk"))))
    return patients


def overview_page(patients: QuerySet[User], number: str | None) -> Page:
    """The page of patients `number` names, as `Paginator.get_page` picks it (the first for
    anything not a number, the last past the end), with the rows loaded.

    The count comes with the rows, a window over the filtered patients in the same query,
    rather than from a COUNT query of its own: one query for the page, not two. Only a page
    past the end (or no patients at all) is counted apart, then paged as usual.
    """
    paginator = Paginator(patients, PATIENTS_PER_PAGE)
    try:
        wanted = int(number)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        wanted = 1
    # Beyond any real caseload (an OFFSET past PostgreSQL's bigint fails): counted first.
    if 1 <= wanted <= MAX_PAGE:
        start = (wanted - 1) * PATIENTS_PER_PAGE
        rows = list(patients.annotate(total=Window(Count("pk")))[start : start + PATIENTS_PER_PAGE])
        if rows:
            # Paginator.count is a cached property: this is the count it would have run.
            paginator.count = rows[0].total
            return Page(rows, wanted, paginator)
    page = paginator.get_page(number)
    page.object_list = list(page.object_list)
    return page


def _patients_versions(request: HttpRequest, versions: str | None) -> str | None:
    """What the dashboard shows besides the clinician's own data: their patients' data, which
    moves each patient's version, and who the patients are (a new or ended link changes the
    count and raises the clinician's version too). Read by `dashboard`; None: not kept."""
    return versions


@require_http_methods(["GET", "HEAD"])
@clinician_required
def dashboard(request: HttpRequest) -> HttpResponse:
    # Every look at the list is audited, also when the page comes from the kept copy. For a
    # page that may be kept (a GET, not htmx: see page_key), the event is written by the
    # statement that reads the patients' versions its key needs: one round trip, not two.
    versions = None
    if request.method == "GET" and not request.htmx:
        patients, total = AuditEvent.record_with_versions(
            request, AuditAction.VIEW, object_ref="dashboard"
        )
        versions = f"{patients}.{total}"
    else:
        AuditEvent.record(request, AuditAction.VIEW, object_ref="dashboard")
    return _dashboard_page(request, versions)


@kept_page(vary=_patients_versions)
def _dashboard_page(request: HttpRequest, versions: str | None) -> HttpResponse:
    form = DashboardFilterForm(request.GET)
    filters = form.filters()
    patients = filter_overview(patient_overview(request.user, today=timezone.localdate()), filters)
    page = overview_page(patients, request.GET.get("page"))
    review_url = reverse("clinic:review", args=[SOME_UUID])
    page.object_list = [describe(patient, review_url) for patient in page.object_list]
    preference = ClinicianPreference.objects.filter(clinician=request.user).first()
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters),
        # Page links keep the filters that were applied (not a rejected search).
        "query": urlencode({k: "on" if v is True else v for k, v in filters.items()}),
        "preferences": PreferencesForm(instance=preference),
    }
    template = "clinic/dashboard.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#patients"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["POST"])
@clinician_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Save the clinician's alert e-mail choice (their own setting: no audit event)."""
    preference = ClinicianPreference.objects.filter(clinician=request.user).first()
    form = PreferencesForm(
        request.POST, instance=preference or ClinicianPreference(clinician=request.user)
    )
    if form.is_valid():
        saved = form.save()
        messages.success(
            request,
            "Alert e-mails are on: you will get one for each new emergency or urgent alert."
            if saved.email_alerts
            else "Alert e-mails are off.",
        )
    return redirect("clinic:dashboard")
