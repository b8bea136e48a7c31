from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export/", views.export, name="export"),
    path("delete/", views.delete, name="delete"),
    path("sharing/", views.sharing_home, name="sharing"),
    path("sharing/confirm/", views.sharing_confirm, name="sharing_confirm"),
    path("sharing/<uuid:uuid>/revoke/", views.sharing_revoke, name="sharing_revoke"),
]
