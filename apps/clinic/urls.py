from django.urls import path

# Each part adds its own import line and its routes under its own comment.
# imports: dashboard
from .views import dashboard as dashboard_views

# imports: invite
from .views import invite

# imports: review
from .views.prescribe import prescribe
from .views.review import alert_seen, note, review

# imports: reports
# isort: split
from .views import reports

app_name = "clinic"
urlpatterns = [
    # routes: dashboard
    path("", dashboard_views.dashboard, name="dashboard"),
    path("preferences/", dashboard_views.preferences, name="preferences"),
    # routes: invite
    path("invite/", invite.invite, name="invite"),
    # routes: review
    path("patients/<uuid:uuid>/", review, name="review"),
    path("patients/<uuid:uuid>/notes/", note, name="note"),
    path(
        "patients/<uuid:uuid>/alerts/<uuid:alert_uuid>/seen/",
        alert_seen,
        name="alert_seen",
    ),
    path("patients/<uuid:uuid>/prescribe/", prescribe, name="prescribe"),
    # routes: reports
    path("patients/<uuid:uuid>/report/", reports.report, name="report"),
    path("patients/<uuid:uuid>/export.csv", reports.csv_file, name="csv"),
    path("patients/<uuid:uuid>/fhir.json", reports.fhir_bundle, name="fhir"),
]
