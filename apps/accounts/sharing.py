"""Sharing: clinicians hand out invite codes, patients redeem them for a CareLink and revoke it.

The rules live here so the clinic's invite page and the patient's sharing page apply the same
ones: what makes a code usable, how guessing is limited, and how a code becomes exactly one
link even when it is confirmed twice at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import INVITE_ALPHABET, INVITE_LENGTH, CareLink, InviteCode, Role, User

# A clinician rarely needs more codes in hand than this; a stolen clinician session cannot
# flood the code space (31^8 codes) with live ones either.
MAX_UNUSED_CODES = 20

# Guessing: wrong codes per rolling hour, per account and per IP address. The IP limit is
# higher because a clinic's waiting room or a household can share one address.
GUESS_WINDOW_SECONDS = 60 * 60
GUESSES_PER_ACCOUNT = 10
GUESSES_PER_IP = 30

UNKNOWN_CODE = (
    "That code does not work. It may be mistyped, already used or more than 14 days old. "
    "Check it with your clinician, or ask them for a new one."
)


class TooManyUnusedCodes(Exception):
    """The clinician already holds the most unused codes allowed at once."""


class ShareRefused(Exception):
    """A code that cannot start a share, with the sentence to show the patient.

    `wrong_guess` is true when the attempt counts towards the guessing limit: codes that
    match nothing usable. A code the patient already used, or one from a clinician they
    already share with, is not a guess.
    """

    def __init__(self, message: str, *, wrong_guess: bool) -> None:
        super().__init__(message)
        self.message = message
        self.wrong_guess = wrong_guess


# Clinician side -----------------------------------------------------------------------------


def invites_for(clinician: User) -> models.QuerySet[InviteCode]:
    """Return the clinician's codes, newest first, with who used each and whether that
    patient still shares (through that code's link)."""
    return (
        InviteCode.objects.filter(clinician=clinician)
        .select_related("used_by")
        .annotate(
            still_sharing=models.Exists(
                CareLink.objects.active().filter(invite=models.OuterRef("pk"))
            )
        )
        .order_by("-created_at", "-pk")
    )


def invite_create(*, clinician: User) -> InviteCode:
    """Make a new code for this clinician, unless they already hold too many unused ones."""
    with transaction.atomic():
        # Lock the clinician's row so two quick clicks cannot both pass the count.
        User.objects.select_for_update().filter(pk=clinician.pk).first()
        if InviteCode.objects.filter(clinician=clinician).usable().count() >= MAX_UNUSED_CODES:
            raise TooManyUnusedCodes
        # 31^8 possible codes: a clash with an existing one is not worth a retry loop.
        return InviteCode.objects.create(clinician=clinician)


# Patient side -------------------------------------------------------------------------------


def code_format_error(code: str) -> str | None:
    """Return what is wrong with the shape of a normalised code, or None if it could be one.

    A code of the wrong shape cannot match any code, so it is not counted as a guess.
    """
    if len(code) != INVITE_LENGTH:
        return (
            f"Codes have {INVITE_LENGTH} letters and numbers, like ABCD-EF23. "
            f"You typed {len(code)}."
        )
    if any(ch not in INVITE_ALPHABET for ch in code):
        return (
            "Codes use letters and the numbers 2 to 9 only: never O, 0, I, 1 or L. "
            "Check the code and type it again."
        )
    return None


def _clinician_name(clinician: User) -> str:
    return f"{clinician} ({clinician.email})" if clinician.display_name else clinician.email


def invite_check(*, code: str, patient: User, lock: bool = False) -> InviteCode:
    """Return the usable invite for this normalised code, or raise ShareRefused.

    Unknown codes, codes someone else used and expired codes get one message, so a guesser
    learns nothing. With `lock` (inside a transaction) the code's row stays locked until
    the transaction ends, so only one confirmation can use it.
    """
    codes = InviteCode.objects.select_related("clinician").filter(
        code=code, clinician__role=Role.CLINICIAN, clinician__is_active=True
    )
    if lock:
        codes = codes.select_for_update(of=("self",))
    invite = codes.first()
    if invite is None:
        raise ShareRefused(UNKNOWN_CODE, wrong_guess=True)
    name = _clinician_name(invite.clinician)
    if invite.used_at is not None and invite.used_by_id == patient.pk:
        if CareLink.objects.active().filter(patient=patient, clinician=invite.clinician).exists():
            message = f"You have already used this code: you share your data with {name}."
        else:
            message = (
                f"You have already used this code, and codes work only once. To share with "
                f"{name} again, ask them for a new code."
            )
        raise ShareRefused(message, wrong_guess=False)
    if not invite.is_usable:
        raise ShareRefused(UNKNOWN_CODE, wrong_guess=True)
    if CareLink.objects.active().filter(patient=patient, clinician=invite.clinician).exists():
        raise ShareRefused(
            f"You already share your data with {name}, so you do not need this code.",
            wrong_guess=False,
        )
    return invite


def share_start(*, patient: User, code: str) -> CareLink:
    """Use the code and start sharing with its clinician: one link per code, ever.

    The code's row is locked while it is checked and marked used, so two confirmations of
    the same code (two tabs, a double click, two people) make one link; the other is
    refused as already used. Raises ShareRefused.
    """
    try:
        with transaction.atomic():
            invite = invite_check(code=code, patient=patient, lock=True)
            now = timezone.now()
            # The lock already serialises confirmations; the condition is a second guard.
            claimed = InviteCode.objects.filter(pk=invite.pk, used_at__isnull=True).update(
                used_at=now, used_by=patient
            )
            if not claimed:
                raise ShareRefused(UNKNOWN_CODE, wrong_guess=False)
            return CareLink.objects.create(
                patient=patient, clinician=invite.clinician, invite=invite, created_at=now
            )
    except IntegrityError:
        # Another code from the same clinician was confirmed at the same moment: the
        # one-active-link constraint kept the first, and this transaction left no trace.
        raise ShareRefused(
            "You already share your data with this clinician, so you do not need this code.",
            wrong_guess=False,
        ) from None


def share_revoke(*, patient: User, uuid: UUID) -> CareLink:
    """Stop one of the patient's shares now; revoking twice changes nothing. 404 if the link
    is not the patient's."""
    link = get_object_or_404(
        CareLink.objects.select_related("clinician"), patient=patient, uuid=uuid
    )
    link.revoke()
    return link


@dataclass(frozen=True)
class Shares:
    active: list[CareLink]
    past: list[CareLink]


def shares_for(patient: User) -> Shares:
    """Return the patient's current shares and the ended ones, newest first, in one query."""
    links = list(
        CareLink.objects.filter(patient=patient)
        .select_related("clinician")
        .order_by("-created_at", "-pk")
    )
    return Shares(
        active=[link for link in links if link.revoked_at is None],
        past=[link for link in links if link.revoked_at is not None],
    )


# Guessing limit -----------------------------------------------------------------------------
# Kept in Django's cache (the database cache here), so every worker sees the same counts. Each
# key holds the times of the latest wrong guesses; only the last `limit` are ever needed.


def _guess_keys(request: HttpRequest) -> list[tuple[str, int]]:
    # allauth's idea of the client's address, so login and code limits agree behind a proxy.
    ip = get_adapter(request).get_client_ip(request)
    return [
        (f"invite-guesses:user:{request.user.pk}", GUESSES_PER_ACCOUNT),
        (f"invite-guesses:ip:{ip}", GUESSES_PER_IP),
    ]


def _recent(stamps: object, now: float) -> list[float]:
    if not isinstance(stamps, list):
        return []
    return [t for t in stamps if isinstance(t, float) and t > now - GUESS_WINDOW_SECONDS]


def _last(stamps: list[float], n: int) -> list[float]:
    return stamps[max(0, len(stamps) - n) :]


def guessing_blocked_until(request: HttpRequest) -> datetime | None:
    """Return when this account and address may try codes again, or None if they may now."""
    now = time.time()
    keys = _guess_keys(request)
    stored = cache.get_many([key for key, _ in keys])
    until = 0.0
    for key, limit in keys:
        stamps = _recent(stored.get(key), now)
        if len(stamps) >= limit:
            until = max(until, stamps[-limit] + GUESS_WINDOW_SECONDS)
    return datetime.fromtimestamp(until, tz=UTC) if until else None


def wrong_guess_record(request: HttpRequest) -> None:
    """Count one wrong code against this account and this address."""
    now = time.time()
    keys = _guess_keys(request)
    stored = cache.get_many([key for key, _ in keys])
    cache.set_many(
        {key: [*_last(_recent(stored.get(key), now), limit - 1), now] for key, limit in keys},
        timeout=GUESS_WINDOW_SECONDS,
    )
