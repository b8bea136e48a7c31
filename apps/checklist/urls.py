from django.urls import path

from backpain.views import coming_soon

app_name = "checklist"
urlpatterns = [
    path("", coming_soon, {"title": "Movement checklist"}, name="start"),
]
