from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.utils import timezone

from apps.progress.models import Reminder


class Command(BaseCommand):
    help = (
        "E-mail the weekly check-in reminder to patients who chose today and have not checked "
        "in this week. Safe to run several times a day (a scheduler such as cron runs it)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the app is served, for the link.",
        )

    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        today = timezone.localdate()
        sent = 0
        for reminder in Reminder.objects.due(today):
            context = {
                "patient": reminder.patient,
                "url": f"{base_url.rstrip('/')}/progress/check-in/",
            }
            send_mail(
                subject="Your weekly backpain check-in",
                message=render_to_string("progress/reminder_email.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[reminder.patient.email],
            )
            # Stamped per message, so a failure part-way does not resend to the earlier ones.
            Reminder.objects.filter(pk=reminder.pk).update(last_sent_on=today)
            sent += 1
        if options["verbosity"] > 0:
            self.stdout.write(f"Sent {sent} reminder{'s' if sent != 1 else ''}.")
