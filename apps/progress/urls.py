from django.urls import path

from backpain.views import coming_soon

app_name = "progress"
urlpatterns = [
    path("plan/", coming_soon, {"title": "Your plan"}, name="plan"),
    path("progress/", coming_soon, {"title": "Your progress"}, name="home"),
]
