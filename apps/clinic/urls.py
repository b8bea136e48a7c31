from django.urls import path

from .views import dashboard, invite, prescribe, reports, review

app_name = "clinic"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("preferences/", dashboard.preferences, name="preferences"),
    path("invite/", invite.invite, name="invite"),
    path("patients/<uuid:uuid>/", review.review, name="review"),
    path("patients/<uuid:uuid>/notes/", review.note, name="note"),
    path(
        "patients/<uuid:uuid>/alerts/<uuid:alert_uuid>/seen/",
        review.alert_seen,
        name="alert_seen",
    ),
    path("patients/<uuid:uuid>/prescribe/", prescribe.prescribe, name="prescribe"),
    path("patients/<uuid:uuid>/report/", reports.report, name="report"),
    path("patients/<uuid:uuid>/export.csv", reports.csv_file, name="csv"),
    path("patients/<uuid:uuid>/fhir.json", reports.fhir_bundle, name="fhir"),
]
