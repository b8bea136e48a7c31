from django.urls import path

from backpain.views import coming_soon

app_name = "clinic"
urlpatterns = [
    path("", coming_soon, {"title": "Clinic"}, name="dashboard"),
]
