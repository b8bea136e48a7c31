from __future__ import annotations

from django.templatetags.static import static
from django.test import override_settings
from django.urls import clear_script_prefix, reverse, set_script_prefix

from backpain.shell import fixed_static, fixed_url


def test_fixed_url_follows_the_script_prefix():
    assert fixed_url("progress:plan") == reverse("progress:plan")
    set_script_prefix("/sub/")
    try:
        assert fixed_url("progress:plan") == "/sub/plan/" == reverse("progress:plan")
    finally:
        clear_script_prefix()
    assert fixed_url("progress:plan") == "/plan/"


def test_fixed_static_follows_a_changed_static_url():
    assert fixed_static("css/app.css") == static("css/app.css")
    with override_settings(STATIC_URL="/elsewhere/"):
        assert fixed_static("css/app.css") == static("css/app.css")
        assert fixed_static("css/app.css").startswith("/elsewhere/")
    assert fixed_static("css/app.css") == static("css/app.css")


def test_the_shell_links_are_the_reversed_urls(client, db):
    body = client.get("/").content.decode()
    for name in ("home", "screening:start", "checklist:start", "account_login", "manifest"):
        assert f'href="{reverse(name)}"' in body
    assert f'src="{static("django_htmx/htmx-2.min.js")}" defer nonce="' in body
