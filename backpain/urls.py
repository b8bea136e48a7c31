from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import bench, pwa, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("offline/saved/", pwa.offline_saved, name="offline_saved"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("apps.accounts.urls")),
    path("screening/", include("apps.screening.urls")),
    path("checklist/", include("apps.checklist.urls")),
    path("exercises/", include("apps.exercises.urls")),
    path("", include("apps.progress.urls")),
    path("clinic/", include("apps.clinic.urls")),
    path("admin/", admin.site.urls),
]

# The benchmark's yardstick (bench/run.sh); absent unless BENCH_BARE_VIEW=true.
if settings.BENCH_BARE_VIEW:
    urlpatterns.append(path("bench/bare/", bench.bare, name="bench_bare"))

handler400 = "backpain.views.bad_request"
handler404 = "backpain.views.not_found"
handler500 = "backpain.views.server_error"
