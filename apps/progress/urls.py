from django.urls import path

from . import views

app_name = "progress"
urlpatterns = [
    path("plan/", views.plan, name="plan"),
    path("plan/days/", views.plan_days, name="plan_days"),
    path("plan/rebuild/", views.plan_rebuild, name="plan_rebuild"),
    path("plan/items/<int:item_id>/swap/", views.plan_item_swap, name="plan_item_swap"),
    path("plan/items/<int:item_id>/remove/", views.plan_item_remove, name="plan_item_remove"),
    path("plan/items/<int:item_id>/restore/", views.plan_item_restore, name="plan_item_restore"),
    path("progress/", views.home, name="home"),
    path("progress/log/", views.log, name="log"),
    path("progress/log/<uuid:uuid>/", views.log_edit, name="log_edit"),
    path("progress/log/<uuid:uuid>/delete/", views.log_delete, name="log_delete"),
    path("progress/check-in/", views.check_in, name="check_in"),
    path("progress/reminder/", views.reminder, name="reminder"),
    path("progress/reminder/feed/", views.calendar_link, name="calendar_link"),
    path("progress/reminder/feed/stop/", views.calendar_revoke, name="calendar_revoke"),
    # The feed's secret is cut out of the logs: see backpain/logs.py when moving it.
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
