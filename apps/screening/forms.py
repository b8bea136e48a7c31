from __future__ import annotations

from django import forms


class AcknowledgeForm(forms.Form):
    """The confirmation an emergency result asks for before it leads on to exercise."""

    confirmed = forms.BooleanField(
        label=(
            "I have called 999 or gone to A&E, or a doctor has already seen me about these signs."
        ),
        error_messages={
            "required": (
                "Tick the box to confirm you have sought care. If you have not, call 999 now."
            )
        },
    )
