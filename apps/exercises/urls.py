from django.urls import path

from . import views

app_name = "exercises"
urlpatterns = [
    path("", views.library, name="library"),
    path("routine/", views.routine, name="routine"),
    path("figures/", views.figure_sheet, name="figure_sheet"),
    path("<slug:slug>/", views.detail, name="detail"),
]
