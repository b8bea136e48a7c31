from django.urls import path

from backpain import wizard  # noqa: F401  (registers the <signed:...> converter)

from . import views

app_name = "checklist"
urlpatterns = [
    path("", views.start, name="start"),
    path("new/", views.new, name="new"),
    path("step/<signed:number>/", views.step, name="step"),
    path("history/", views.history, name="history"),
    path("<uuid:uuid>/result/", views.result, name="result"),
]
