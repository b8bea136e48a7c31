"""Build a personal plan from the checklist's priorities and the person's pain.

Pure functions over plain data, so the rules can be tested without a database:
- the plan starts with the first checklist priority, or with spinal mobility when there is
  no checklist yet (000: start with the biggest missing piece; if unsure, the spine);
- while pain is high (weekly average 6 or more, or not known yet), the plan holds gentle
  stretches, mobility and breathing; strength work waits, except isometric holds, which
  ease pain (002 orders it so; 000 starts loading with isometrics);
- as pain eases, core strength joins, 2-3 days a week; stretching stays daily (001);
- a day's plan aims for 15-30 minutes in total (001), at least 15 of them every day;
- with low bone density, exercises flagged for loaded spinal bending or twisting are left
  out (000), and a gentle unflagged move takes the place of each one the plan wanted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HIGH_PAIN = 6
DAILY_MINUTES_MIN = 15
DAILY_MINUTES_MAX = 30
# When nothing says where to start: spinal mobility first (000).
SPINAL_MOBILITY = ["cat-cow", "angry-cat"]
# With it, before the checklist says more: ribcage breathing and hip mobility.
DEFAULT_EXTRAS = ["ribcage-360-breathing", "hip-mobility-lunge"]
PAIN_RELIEF_STRENGTH = ["isometric-holds"]
CORE_STRENGTH = ["bridge", "bird-dog", "dead-bug", "plank"]
BREATHING = ["ribcage-360-breathing", "diaphragmatic-breathing", "breathing-90-90"]
# Stand-ins for moves low bone density leaves out: gentle, and none of them bends, twists
# or puts weight through the spine.
BONE_SAFE = [
    "pelvic-tilt",
    "breathing-90-90",
    "hips-over-heels-standing",
    "ankle-hip-thoracic-drills",
    "neutral-pelvis-sitting",
]
# Tried in order until the day reaches its minimum; the flagged ones are skipped for people
# with low bone density, and the unflagged ones after them cover the day without them.
GENTLE_FILLERS = [
    "pelvic-tilt",
    "childs-pose",
    "cat-cow",
    "piriformis-stretch",
    "hips-over-heels-standing",
    "calf-stretch",
    "neutral-pelvis-sitting",
    "walking-break",
    "ankle-hip-thoracic-drills",
    "hip-flexor-stretch",
    "hamstring-stretch-belt",
    "big-toe-mobility",
    "breathing-90-90",
    "sky-high-stretch",
    "chin-tuck",
    "shoulder-blade-squeeze",
]
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
    lead: list[str] = []  # what the plan starts with: the first priority, or spinal mobility
    stand_ins: dict[str, str] = {}  # a bone-safe move -> the flagged one it replaces
    lead_stand_ins: list[str] = []  # the stand-ins for what the plan wanted to start with

    def add(slug: str, frequency: str, reason: str) -> str:
        """Add one exercise if it suits this person and fits the day; say what happened."""
        candidate = library.get(slug)
        if candidate is None or slug in draft.slugs():
            return "skipped"
        if bone_density and candidate.bone_density_caution:
            return "flagged"
        if high and candidate.kind == "strength" and slug not in PAIN_RELIEF_STRENGTH:
            return "skipped"
        if high and candidate.difficulty == "harder":
            return "skipped"
        if minutes["daily"] + minutes["2-3/week"] + candidate.minutes > DAILY_MINUTES_MAX:
            return "skipped"
        minutes[frequency] += candidate.minutes
        draft.items.append(PlannedItem(slug, frequency, reason))
        return "added"

    def add_chosen(slugs: list[str], reason: str, *, leading: bool) -> None:
        """Add chosen exercises; for each one low bone density rules out, a safe stand-in.

        Stand-ins come after the chosen ones, so a safe move that was chosen anyway counts
        as chosen, not as a stand-in.
        """
        flagged = []
        for slug in slugs:
            outcome = add(slug, "daily", reason)
            if outcome == "added" and leading:
                lead.append(slug)
            elif outcome == "flagged":
                flagged.append(slug)
        for slug in flagged:
            if slug not in draft.left_out:
                draft.left_out.append(slug)
            name = library[slug].name
            for alternative in BONE_SAFE:
                if add(alternative, "daily", f"A gentler move in place of {name}") == "added":
                    stand_ins[alternative] = slug
                    if leading:
                        lead_stand_ins.append(alternative)
                    break

    for index, priority in enumerate(priorities[:3]):
        add_chosen(
            priority.slugs[:2], f"For your checklist point: {priority.label}", leading=index == 0
        )
    if not priorities:
        add_chosen(SPINAL_MOBILITY, "Spinal mobility: the usual first step", leading=True)
        add_chosen(DEFAULT_EXTRAS, "A good general start until you do the checklist", leading=False)
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
        if minutes["daily"] >= DAILY_MINUTES_MIN:
            break
        add(slug, "daily", "Gentle movement to round off the day's plan")

    def position(item: PlannedItem) -> tuple[int, int]:
        kind = library[item.slug].kind
        if item.slug in lead and kind != "strength":
            group = 0
        elif item.slug in lead_stand_ins:
            group = 1
        else:
            group = 2
        return group, KIND_ORDER.get(kind, 9)

    draft.items.sort(key=position)
    draft.reasons = [
        _pain_reason(high, pain_average),
        _start_reason(priorities, draft, library, lead, lead_stand_ins, stand_ins),
    ]
    if bone_density:
        draft.reasons.append(_bone_density_reason(draft, library, stand_ins, lead_stand_ins))
    daily = minutes["daily"]
    if minutes["2-3/week"]:
        with_core = daily + minutes["2-3/week"]
        draft.reasons.append(f"About {daily:.0f} minutes a day, {with_core:.0f} on core days.")
    else:
        draft.reasons.append(f"About {daily:.0f} minutes a day.")
    return draft


def _names(slugs: list[str], library: dict[str, Candidate]) -> str:
    names = [library[slug].name for slug in slugs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _pain_reason(high: bool, pain_average: float | None) -> str:
    if pain_average is None:
        return (
            "We do not know your pain level yet, so the plan keeps to gentle work. "
            "Your weekly check-in will let it grow."
        )
    if high:
        return (
            f"Your average pain last week was {pain_average:g} out of 10, so the plan keeps to "
            "stretches, mobility and breathing. Strength work joins as your pain eases."
        )
    return (
        f"Your average pain last week was {pain_average:g} out of 10, so core strength work "
        "has joined the stretches: 2-3 days a week, with stretching every day."
    )


def _start_reason(
    priorities: list[Priority],
    draft: PlanDraft,
    library: dict[str, Candidate],
    lead: list[str],
    lead_stand_ins: list[str],
    stand_ins: dict[str, str],
) -> str:
    """Say what the plan starts with, naming only exercises it holds, in their order."""
    slugs = draft.slugs()
    first = slugs[0] if slugs else None
    # Strength work comes last in the plan, so a chosen strength move is named as later.
    leading = [slug for slug in slugs if slug in lead and library[slug].kind != "strength"]
    later = [slug for slug in slugs if slug in lead and library[slug].kind == "strength"]
    afterwards = (
        f" {_names(later, library)}, for the same point, comes later with the strength work."
        if later
        else ""
    )
    standing_in = [slug for slug in slugs if slug in lead_stand_ins]
    one = len(standing_in) == 1
    replaced = _names([stand_ins[slug] for slug in standing_in], library) if standing_in else ""
    moves = "a gentler move in its place" if one else "gentler moves in their place"
    instead = (
        f"so with low bone density the plan starts with {moves}: {_names(standing_in, library)}."
        if standing_in
        else ""
    )
    bend = "bends" if one else "bend"
    if priorities:
        label = priorities[0].label
        if first is not None and first in leading:
            names = _names(leading, library)
            return f"It starts with your first checklist priority, {label}: {names}.{afterwards}"
        if first is not None and first in standing_in:
            return (
                f"Your first checklist priority is {label}. {replaced} {bend} or "
                f"{'loads' if one else 'load'} the spine, {instead}{afterwards}"
            )
        if leading or later:
            return (
                f"Your first checklist priority, {label}, is in the plan: "
                f"{_names(leading + later, library)}."
            )
        return (
            f"Your first checklist priority is {label}. None of its exercises suits you "
            "today, so the plan holds gentle work for now."
        )
    if first is not None and first in leading:
        return (
            "You have not done the movement checklist yet, so it starts with spinal mobility: "
            f"{_names(leading, library)}."
        )
    if first is not None and first in standing_in:
        return (
            "You have not done the movement checklist yet. Spinal mobility is the usual first "
            f"step, but {replaced} {bend} the spine, {instead}"
        )
    return (
        "You have not done the movement checklist yet, so the plan keeps to gentle, general "
        "work. The checklist will show where to focus."
    )


def _bone_density_reason(
    draft: PlanDraft,
    library: dict[str, Candidate],
    stand_ins: dict[str, str],
    lead_stand_ins: list[str],
) -> str:
    if not draft.left_out:
        return (
            "Your screening noted low bone density. None of the exercises chosen for you "
            "bends, twists or puts weight through the spine."
        )
    reason = (
        "Your screening noted low bone density, so exercises that bend, twist or put weight "
        f"through the spine are left out: {_names(draft.left_out, library)}."
    )
    # Stand-ins the plan starts with are named in the sentence about its start.
    placed = [slug for slug in draft.slugs() if slug in stand_ins and slug not in lead_stand_ins]
    if placed:
        reason += f" Gentler moves take their place: {_names(placed, library)}."
    return reason
