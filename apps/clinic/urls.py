from django.urls import path

from backpain.views import coming_soon

# Each part adds its own import line and its routes under its own comment.
# imports: dashboard
# imports: invite
# imports: review
# imports: reports

app_name = "clinic"
urlpatterns = [
    # routes: dashboard
    path("", coming_soon, {"title": "Clinic"}, name="dashboard"),
    # routes: invite
    # routes: review
    # routes: reports
]
