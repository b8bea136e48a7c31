from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

# The same tiny page as backpain's bare view, greeting whoever asks: a signed-in person's
# request reads their session and user, as every page that shows their data must.
_TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="en"><title>bench</title>'
    "<p>Hello, {{ user.get_username }}.</p></html>"
)


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_TEMPLATE.render({}, request))


urlpatterns = [path("", bare)]
