from django.urls import path

from backpain.views import coming_soon

app_name = "screening"
urlpatterns = [
    path("", coming_soon, {"title": "Check for warning signs"}, name="start"),
]
