from django.urls import path

# Each part adds its own import line and its routes under its own comment.
# imports: dashboard
from .views import dashboard as dashboard_views

# imports: invite
# imports: review
# imports: reports

app_name = "clinic"
urlpatterns = [
    # routes: dashboard
    path("", dashboard_views.dashboard, name="dashboard"),
    path("preferences/", dashboard_views.preferences, name="preferences"),
    # routes: invite
    # routes: review
    # routes: reports
]
