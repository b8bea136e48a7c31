"""Build a personal plan from the checklist's priorities and the person's pain.

Pure functions over plain data, so the rules can be tested without a database:
- while pain is high (weekly average 6 or more, or not known yet), the plan holds gentle
  stretches, mobility and breathing; strength work waits, except isometric holds, which
  ease pain (source 002 orders it so; 000 starts loading with isometrics);
- as pain eases, core strength joins, 2-3 days a week; stretching stays daily (001);
- a day's plan aims for 15-30 minutes in total (001);
- with low bone density, exercises flagged for loaded spinal bending or twisting are left
  out (000).
"""

from __future__ import annotations

from dataclasses import dataclass, field

HIGH_PAIN = 6
DAILY_MINUTES_MIN = 15
DAILY_MINUTES_MAX = 30
# When nothing says where to start, the sources say: spinal mobility first (000).
DEFAULT_FOCUS = ["cat-cow", "angry-cat", "ribcage-360-breathing", "hip-mobility-lunge"]
PAIN_RELIEF_STRENGTH = ["isometric-holds"]
CORE_STRENGTH = ["bridge", "bird-dog", "dead-bug", "plank"]
BREATHING = ["ribcage-360-breathing", "diaphragmatic-breathing", "breathing-90-90"]
GENTLE_FILLERS = ["pelvic-tilt", "childs-pose", "cat-cow", "piriformis-stretch", "walking-break"]
KIND_ORDER = {
    "breathing": 0,
    "mobility": 1,
    "alignment": 2,
    "foam_rolling": 3,
    "stretch": 4,
    "yoga": 4,
    "posture": 5,
    "strength": 6,
    "activity": 7,
}


@dataclass(frozen=True)
class Candidate:
    """What the planner needs to know about one exercise."""

    slug: str
    name: str
    kind: str
    difficulty: str
    bone_density_caution: bool
    minutes: float


@dataclass(frozen=True)
class Priority:
    key: str
    label: str
    slugs: list[str]


@dataclass(frozen=True)
class PlannedItem:
    slug: str
    frequency: str  # "daily" or "2-3/week"
    reason: str


@dataclass
class PlanDraft:
    items: list[PlannedItem] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)

    def slugs(self) -> list[str]:
        return [item.slug for item in self.items]


def estimate_minutes(
    *,
    sets: int,
    reps: int | None,
    hold: int | None,
    duration: int | None,
    rest: int,
    per_side: bool,
) -> float:
    """Rough time for one exercise as dosed, with half a minute to get into position."""
    sides = 2 if per_side else 1
    if duration:
        seconds = duration * sets * sides
    else:
        seconds = sets * sides * (reps or 1) * ((hold or 3) + rest)
    return round(seconds / 60 + 0.5, 1)


def is_high_pain(pain_average: float | None) -> bool:
    return pain_average is None or pain_average >= HIGH_PAIN


def build_plan(
    *,
    priorities: list[Priority],
    pain_average: float | None,
    bone_density: bool,
    library: dict[str, Candidate],
) -> PlanDraft:
    """Return the exercises for a personal plan, in the order to do them, with reasons."""
    draft = PlanDraft()
    high = is_high_pain(pain_average)
    minutes = {"daily": 0.0, "2-3/week": 0.0}

    def add(slug: str, frequency: str, reason: str) -> None:
        candidate = library.get(slug)
        if candidate is None or slug in draft.slugs():
            return
        if bone_density and candidate.bone_density_caution:
            if slug not in draft.left_out:
                draft.left_out.append(slug)
            return
        if high and candidate.kind == "strength" and slug not in PAIN_RELIEF_STRENGTH:
            return
        if high and candidate.difficulty == "harder":
            return
        if minutes["daily"] + minutes["2-3/week"] + candidate.minutes > DAILY_MINUTES_MAX:
            return
        minutes[frequency] += candidate.minutes
        draft.items.append(PlannedItem(slug, frequency, reason))

    for priority in priorities[:3]:
        for slug in priority.slugs[:2]:
            add(slug, "daily", f"For your checklist point: {priority.label}")
    if not priorities:
        for slug in DEFAULT_FOCUS:
            add(slug, "daily", "Spinal mobility first: where the sources say to start")
    if not any(library[item.slug].kind == "breathing" for item in draft.items):
        for slug in BREATHING:
            add(slug, "daily", "Breathing to calm the system and give the spine room")
            if any(library[item.slug].kind == "breathing" for item in draft.items):
                break
    if high:
        for slug in PAIN_RELIEF_STRENGTH:
            add(slug, "daily", "Holding still against gentle effort can ease pain")
    else:
        for slug in CORE_STRENGTH[: 3 if pain_average and pain_average >= 3 else 4]:
            add(slug, "2-3/week", "Core strength, 2-3 days a week")
    for slug in GENTLE_FILLERS:
        if minutes["daily"] + minutes["2-3/week"] >= DAILY_MINUTES_MIN:
            break
        add(slug, "daily", "Gentle movement to round off the day's plan")

    draft.items.sort(key=lambda item: KIND_ORDER.get(library[item.slug].kind, 9))
    draft.reasons = _reasons(high, pain_average, bone_density, priorities, draft, library, minutes)
    return draft


def _reasons(
    high: bool,
    pain_average: float | None,
    bone_density: bool,
    priorities: list[Priority],
    draft: PlanDraft,
    library: dict[str, Candidate],
    minutes: dict[str, float],
) -> list[str]:
    reasons = []
    if pain_average is None:
        reasons.append(
            "We do not know your pain level yet, so the plan starts gently. "
            "Your weekly check-in will let it grow."
        )
    elif high:
        reasons.append(
            f"Your average pain last week was {pain_average:g} out of 10, so the plan keeps to "
            "stretches, mobility and breathing. Strength work joins as your pain eases."
        )
    else:
        reasons.append(
            f"Your average pain last week was {pain_average:g} out of 10, so core strength work "
            "has joined the stretches: 2-3 days a week, with stretching every day."
        )
    if priorities:
        reasons.append(f"It starts with your first checklist priority: {priorities[0].label}.")
    else:
        reasons.append(
            "You have not done the movement checklist yet, so it starts with spinal mobility, "
            "where the sources suggest beginning."
        )
    if bone_density:
        left = ", ".join(library[slug].name for slug in draft.left_out) or "none were needed"
        reasons.append(
            "Your screening noted low bone density, so exercises that bend or twist the spine "
            f"under load are left out ({left})."
        )
    daily = minutes["daily"]
    with_core = daily + minutes["2-3/week"]
    if minutes["2-3/week"]:
        reasons.append(f"About {daily:.0f} minutes a day, {with_core:.0f} on core days.")
    else:
        reasons.append(f"About {daily:.0f} minutes a day.")
    return reasons
