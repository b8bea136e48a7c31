from django.urls import path

from backpain.views import coming_soon

app_name = "exercises"
urlpatterns = [
    path("", coming_soon, {"title": "Exercise library"}, name="library"),
]
