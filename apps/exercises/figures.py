"""Exercise figures: a simple skeleton posed by joint angles, drawn as inline SVG.

A figure (the `figure` field of an exercise or checklist item, authored in the content fixtures;
docs/figures.md describes the schema) has two or more keyframes. Each keyframe gives joint
angles; the renderer nests one SVG group per bone, each rotated at its joint (forward
kinematics), so the animation is one SMIL <animateTransform> per joint that moves. SMIL needs no
script and no style attribute, so it passes the strict CSP. Colours come from CSS classes only
(app.css, "figures"), so dark mode works.

Everything here is pure: the same figure data always gives the same markup, so rendering is
cached per figure (`render`), not per request.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache, partial

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FLOOR = 104.0  # y of the floor in the 160 x 110 drawing
VIEWBOX = (0.0, 0.0, 160.0, 110.0)
SIZES = ("small", "large")
VIEWS = ("side", "front")
# Keys of a keyframe that are not joint angles.
KEYFRAME_KEYS = {"label", "root", "floor", "breath"}
FIGURE_KEYS = {"view", "props", "moving", "keyframes", "seconds", "box"}
# How far (drawing units, about 1 cm each) a point may be off the floor and still count as on it.
FLOOR_TOLERANCE = 1.5
BUDGET_BYTES = 4096
# Width : height of the drawing, fitted to the poses within these bounds: a person standing
# fills a tall frame, lying down a wide one (the CSS caps the height, so cards stay even).
ASPECT_TALL = 1 / 1.2
ASPECT_WIDE = 2.0
MARGIN = 5.0


@dataclass(frozen=True)
class Bone:
    name: str
    parent: str | None
    offset: tuple[float, float]  # where this bone's joint sits, in the parent's frame
    joint: str  # the keyframe key that turns this bone
    sign: int  # +1 when a positive angle turns the bone clockwise on screen
    start: tuple[float, float]  # the drawn segment, in this bone's own frame
    end: tuple[float, float]
    width: float
    limb: str  # what `moving` names to highlight it
    layer: int  # 0 behind the body, 1 the body, 2 in front
    head: bool = False  # draw a head (circle) at `end`


@dataclass(frozen=True)
class Range:
    low: float
    high: float


# Joint limits keep authored poses anatomical: a knee or elbow never bends backwards.
SIDE_LIMITS = {
    "torso": Range(-180, 180),
    "spine": Range(-35, 45),
    "neck": Range(-50, 60),
    "shoulder": Range(-70, 185),
    "elbow": Range(0, 155),
    "hip": Range(-35, 150),
    "knee": Range(0, 160),
    "ankle": Range(-35, 90),
}
FRONT_LIMITS = {
    "torso": Range(-180, 180),
    "spine": Range(-40, 40),
    "neck": Range(-45, 45),
    "shoulder": Range(-20, 185),
    # Negative turns the forearm up and out: an arm out to the side with the shoulder rotated
    # out and the elbow bent, as when the forearms rest on a door frame ("goal posts").
    "elbow": Range(-120, 155),
    "hip": Range(-30, 100),
    "knee": Range(-30, 140),
    "ankle": Range(-40, 40),
}


def _side_bones() -> tuple[Bone, ...]:
    bones = [
        Bone("pelvis", None, (0, 0), "torso", 1, (0, 0), (0, -14), 13, "trunk", 1),
        Bone("chest", "pelvis", (0, -14), "spine", 1, (0, 0), (0, -18), 13, "trunk", 1),
        Bone("head", "chest", (0, -18), "neck", 1, (0, 0), (1.5, -11), 6, "head", 1, True),
    ]
    for side, layer in (("far", 0), ("near", 2)):
        bones += [
            Bone(f"{side}_thigh", "pelvis", (0, 0), f"{side}_hip", -1, (0, 0), (0, 25), 8,
                 f"{side}_leg", layer),
            Bone(f"{side}_shin", f"{side}_thigh", (0, 25), f"{side}_knee", 1, (0, 0), (0, 25),
                 7, f"{side}_leg", layer),
            Bone(f"{side}_foot", f"{side}_shin", (0, 25), f"{side}_ankle", 1, (-1.5, 2.5),
                 (8, 2.5), 5, f"{side}_leg", layer),
            Bone(f"{side}_upper_arm", "chest", (0, -16), f"{side}_shoulder", -1, (0, 0), (0, 17),
                 6, f"{side}_arm", layer),
            Bone(f"{side}_forearm", f"{side}_upper_arm", (0, 17), f"{side}_elbow", -1, (0, 0),
                 (0, 15), 5.5, f"{side}_arm", layer),
        ]  # fmt: skip
    return tuple(bones)


def _front_bones() -> tuple[Bone, ...]:
    bones = [
        Bone("pelvis", None, (0, 0), "torso", 1, (0, 0), (0, -14), 17, "trunk", 1),
        Bone("chest", "pelvis", (0, -14), "spine", 1, (0, 0), (0, -18), 19, "trunk", 1),
        Bone("head", "chest", (0, -18), "neck", 1, (0, 0), (0, -11), 6, "head", 1, True),
    ]
    # The figure faces the viewer, so its right side is on the viewer's left (x < 0).
    for side, out in (("right", -1), ("left", 1)):
        bones += [
            Bone(f"{side}_thigh", "pelvis", (5 * out, 0), f"{side}_hip", -out, (0, 0), (0, 25),
                 8, f"{side}_leg", 0),
            Bone(f"{side}_shin", f"{side}_thigh", (0, 25), f"{side}_knee", out, (0, 0), (0, 25),
                 7, f"{side}_leg", 0),
            Bone(f"{side}_foot", f"{side}_shin", (0, 25), f"{side}_ankle", -out, (-out, 2.5),
                 (4 * out, 2.5), 5, f"{side}_leg", 0),
            Bone(f"{side}_upper_arm", "chest", (11 * out, -16), f"{side}_shoulder", -out, (0, 0),
                 (0, 17), 6, f"{side}_arm", 2),
            Bone(f"{side}_forearm", f"{side}_upper_arm", (0, 17), f"{side}_elbow", out, (0, 0),
                 (0, 15), 5.5, f"{side}_arm", 2),
        ]  # fmt: skip
    return tuple(bones)


BONES = {"side": _side_bones(), "front": _front_bones()}
SIDES = {"side": ("near", "far"), "front": ("left", "right")}


def _joints(view: str) -> dict[str, Range]:
    limits = SIDE_LIMITS if view == "side" else FRONT_LIMITS
    joints = {bone.joint: limits[bone.joint.split("_")[-1]] for bone in BONES[view]}
    return joints


def _points(view: str) -> dict[str, tuple[str, tuple[float, float], float]]:
    """Named points (bone, position in the bone's frame, radius) for floor checks and straps."""
    points = {
        "head": ("head", BONES[view][2].end, 7.0),
        "shoulders": ("chest", (0, -16), 6.5),
        "waist": ("chest", (0, 0), 6.5),
        "hips": ("pelvis", (0, 0), 6.5),
    }
    for side in SIDES[view]:
        foot = next(bone for bone in BONES[view] if bone.name == f"{side}_foot")
        points |= {
            f"{side}_elbow": (f"{side}_forearm", (0, 0), 3.0),
            f"{side}_hand": (f"{side}_forearm", (0, 15), 2.75),
            f"{side}_knee": (f"{side}_shin", (0, 0), 4.0),
            f"{side}_heel": (f"{side}_foot", foot.start, 2.5),
            f"{side}_toe": (f"{side}_foot", foot.end, 2.5),
        }
    return points


LIMBS = {view: sorted({bone.limb for bone in BONES[view]}) for view in VIEWS}
PROPS = ("mat", "wall", "chair", "strap", "foam_roller", "ball", "doorway")
# Prop keys beyond "type"; which ones each prop takes.
PROP_KEYS = {
    "mat": set(),
    "wall": {"x"},
    "chair": {"x", "facing"},
    "strap": {"from", "to"},
    "foam_roller": {"x", "height"},
    "ball": {"x", "height"},
    "doorway": {"x", "width"},
}
CHAIR_SEAT = 27.0  # seat height above the floor; the figure's knee is about 30
# The top of a door frame: a door is about 2 m, so it clears the head of the figure standing
# (about 105 tall) with room to spare; the drawing's box grows to show it.
DOOR_TOP = FLOOR - 120.0
ROLLER_RADIUS = 6.0
BALL_RADIUS = 4.0


class FigureError(ValueError):
    """A figure in the content does not follow the schema (see docs/figures.md)."""


# -- validation ---------------------------------------------------------------------------


def validate(figure: dict) -> None:
    """Raise FigureError, saying what and where, if `figure` does not follow the schema.

    An empty figure is valid: it means "not drawn yet" and renders as nothing.
    """
    if not figure:
        return
    if not isinstance(figure, dict):
        raise FigureError("a figure is an object with view, props, moving and keyframes")
    unknown = set(figure) - FIGURE_KEYS
    if unknown:
        raise FigureError(f"unknown figure keys {sorted(unknown)}; use {sorted(FIGURE_KEYS)}")
    view = figure.get("view")
    if view not in VIEWS:
        raise FigureError(f'view must be "side" or "front", not {view!r}')
    for index, prop in enumerate(figure.get("props", [])):
        kind = prop.get("type") if isinstance(prop, dict) else None
        if kind not in PROPS:
            raise FigureError(f"props[{index}]: unknown prop {kind!r}; use one of {list(PROPS)}")
        extra = set(prop) - {"type"} - PROP_KEYS[kind]
        if extra:
            raise FigureError(f"props[{index}] ({kind}): unknown keys {sorted(extra)}")
        if "x" in PROP_KEYS[kind] and not isinstance(prop.get("x"), int | float):
            raise FigureError(f"props[{index}] ({kind}): needs x, a number")
        if kind == "strap":
            for end in ("from", "to"):
                if prop.get(end) not in _points(view):
                    raise FigureError(
                        f"props[{index}] (strap): {end} must be one of {sorted(_points(view))}"
                    )
        if kind == "chair" and prop.get("facing", "right") not in ("left", "right"):
            raise FigureError(f'props[{index}] (chair): facing is "left" or "right"')
    for limb in figure.get("moving", []):
        if limb not in LIMBS[view]:
            raise FigureError(f"moving: unknown limb {limb!r}; use {LIMBS[view]}")
    seconds = figure.get("seconds", 5)
    if not isinstance(seconds, int | float) or not 3 <= seconds <= 12:
        raise FigureError("seconds (one loop) must be a number from 3 to 12")
    box = figure.get("box")
    if box is not None and (len(box) != 4 or not all(isinstance(n, int | float) for n in box)):
        raise FigureError("box must be [x, y, width, height]")
    keyframes = figure.get("keyframes", [])
    if len(keyframes) < 2:
        raise FigureError(f"a figure needs at least 2 keyframes, not {len(keyframes)}")
    joints = _joints(view)
    for number, keyframe in enumerate(keyframes, start=1):
        where = f"keyframe {number}"
        unknown = set(keyframe) - KEYFRAME_KEYS - set(joints)
        if unknown:
            raise FigureError(
                f"{where}: unknown joint {sorted(unknown)[0]!r}; {view} view joints are "
                f"{sorted(joints)}"
            )
        if not str(keyframe.get("label", "")).strip():
            raise FigureError(f"{where}: needs a label (plain words, e.g. 'lying on your back')")
        root = keyframe.get("root")
        if not (isinstance(root, list) and len(root) == 2):
            raise FigureError(f"{where}: root must be [x, y], where the hips are in the drawing")
        for joint, limit in joints.items():
            angle = keyframe.get(joint, 0)
            if not isinstance(angle, int | float) or not limit.low <= angle <= limit.high:
                raise FigureError(
                    f"{where}: {joint} is {angle}, outside {limit.low} to {limit.high} degrees"
                )
        breath = keyframe.get("breath", 0)
        if not isinstance(breath, int | float) or not 0 <= breath <= 1:
            raise FigureError(f"{where}: breath is from 0 (out) to 1 (in)")
        _check_floor(view, keyframe, where)


def _check_floor(view: str, keyframe: dict, where: str) -> None:
    points = positions(view, keyframe)
    for name, (_x, y, radius) in points.items():
        below = y + radius - FLOOR
        if below > FLOOR_TOLERANCE:
            raise FigureError(f"{where}: {name} is {below:.1f} below the floor")
    for name in keyframe.get("floor", []):
        if name not in points:
            raise FigureError(f"{where}: floor names unknown point {name!r}; use {sorted(points)}")
        _x, y, radius = points[name]
        gap = FLOOR - (y + radius)
        if abs(gap) > FLOOR_TOLERANCE:
            raise FigureError(
                f"{where}: {name} should be on the floor but is {gap:.1f} "
                f"{'above' if gap > 0 else 'below'} it (move root y by {gap:.1f})"
            )


# -- forward kinematics ---------------------------------------------------------------------


def _angles(view: str, keyframe: dict) -> dict[str, float]:
    """Every joint's angle; a far (or right) joint left out copies the near (or left) one."""
    near, far = SIDES[view]
    angles = {}
    for joint in _joints(view):
        if joint in keyframe:
            angles[joint] = float(keyframe[joint])
        elif joint.startswith(f"{far}_"):
            angles[joint] = float(keyframe.get(joint.replace(far, near, 1), 0))
        else:
            angles[joint] = 0.0
    return angles


def _frames(view: str, keyframe: dict) -> dict[str, tuple[float, float, float]]:
    """World (x, y, angle in degrees) of each bone's joint."""
    angles = _angles(view, keyframe)
    root_x, root_y = keyframe["root"]
    frames: dict[str, tuple[float, float, float]] = {}
    for bone in BONES[view]:
        if bone.parent is None:
            x, y, base = float(root_x), float(root_y), 0.0
        else:
            px, py, base = frames[bone.parent]
            x, y = _turn(bone.offset, base, px, py)
        frames[bone.name] = (x, y, base + bone.sign * angles[bone.joint])
    return frames


def _turn(point: tuple[float, float], angle: float, dx: float, dy: float) -> tuple[float, float]:
    rad = math.radians(angle)
    x, y = point
    return dx + x * math.cos(rad) - y * math.sin(rad), dy + x * math.sin(rad) + y * math.cos(rad)


def positions(view: str, keyframe: dict) -> dict[str, tuple[float, float, float]]:
    """Where each named point (hands, heels, head...) is in the drawing: (x, y, radius)."""
    frames = _frames(view, keyframe)
    result = {}
    for name, (bone, local, radius) in _points(view).items():
        x, y, angle = frames[bone]
        result[name] = (*_turn(local, angle, x, y), radius)
    return result


# -- drawing ----------------------------------------------------------------------------------


Place = Callable[[tuple[float, float]], tuple[float, float]]


def _here(point: tuple[float, float]) -> tuple[float, float]:
    """A point drawn where it is (inside the nested groups that turn it)."""
    return point


def _n(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class Timeline:
    """The loop: each keyframe held a moment, then eased to the next, and back again."""

    poses: tuple[int, ...]  # keyframe index at each value
    times: tuple[float, ...]
    splines: tuple[str, ...]
    seconds: float

    @classmethod
    def for_count(cls, count: int, seconds: float) -> Timeline:
        order = [*range(count), *range(count - 2, -1, -1)]  # 0 1 2 1 0
        hold, move = 0.4, 1.0
        poses, times, splines = [], [], []
        unit = 1 / ((len(order) - 1) * (hold + move))
        clock = 0.0
        for step, index in enumerate(order):
            poses.append(index)
            times.append(clock)
            if step == len(order) - 1:
                break
            clock += hold * unit
            poses.append(index)
            times.append(clock)
            clock += move * unit
            splines += ["0 0 1 1", "0.45 0 0.55 1"]
        times[-1] = 1.0
        return cls(tuple(poses), tuple(times), tuple(splines), seconds)

    def animate(self, attribute: str, kind: str, values: list[str], additive: bool) -> str:
        series = ";".join(values[index] for index in self.poses)
        extra = f' type="{kind}"' if kind else ""
        tag = "animateTransform" if kind else "animate"
        sums = ' additive="sum"' if additive else ""
        return (
            f'<{tag} attributeName="{attribute}"{extra} values="{series}" '
            f'keyTimes="{";".join(_n3(t) for t in self.times)}" calcMode="spline" '
            f'keySplines="{";".join(self.splines)}" dur="{_n(self.seconds)}s" '
            f'repeatCount="indefinite"{sums}/>'
        )


def _n3(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


class _Drawing:
    """Markup for one pose (still) or the whole loop (animated)."""

    def __init__(self, figure: dict, keyframes: list[dict], timeline: Timeline | None) -> None:
        self.view: str = figure["view"]
        self.moving = set(figure.get("moving", []))
        self.keyframes = keyframes
        self.timeline = timeline
        self.angles = [_angles(self.view, keyframe) for keyframe in keyframes]
        self.children: dict[str | None, list[Bone]] = {}
        for bone in BONES[self.view]:
            self.children.setdefault(bone.parent, []).append(bone)

    def _track(self, values: list[str], attribute: str, kind: str, static: str) -> tuple[str, str]:
        """Return (static attribute text, animation element) for values per keyframe."""
        if self.timeline is None or len(set(values)) == 1:
            return static.format(values[0]), ""
        return "", self.timeline.animate(attribute, kind, values, additive=kind == "rotate")

    def bone_group(self, bone: Bone, layer: int, halo: bool = False) -> str:
        if not self._has_layer(bone, layer):
            return ""
        rotations = [_n(bone.sign * angles[bone.joint]) for angles in self.angles]
        static_rotate, animation = self._track(rotations, "transform", "rotate", " rotate({})")
        offset = (
            "" if bone.offset == (0, 0) else f"translate({_n(bone.offset[0])} {_n(bone.offset[1])})"
        )
        transform = (offset + static_rotate).strip()
        attribute = f' transform="{transform}"' if transform else ""
        inner = animation
        if bone.layer == layer:
            inner += self.halo(bone) if halo else self.segment(bone)
        for child in self.children.get(bone.name, []):
            inner += self.bone_group(child, layer, halo)
        return f"<g{attribute}>{inner}</g>"

    def _has_layer(self, bone: Bone, layer: int) -> bool:
        if bone.layer == layer:
            return True
        return any(self._has_layer(child, layer) for child in self.children.get(bone.name, []))

    def segment(self, bone: Bone, place: Place = _here) -> str:
        classes = "fig__bone"
        # Far limbs are paler, so the near side reads in front, moving or not.
        if bone.layer == 0 and self.view == "side":
            classes += " fig__far"
        if bone.limb in self.moving:
            classes += " fig__move"
        (x1, y1), (x2, y2) = place(bone.start), place(bone.end)
        width = _n(bone.width)
        width_animation = ""
        if bone.limb == "trunk":
            # Breathing in widens the trunk a little: the belly and ribs filling.
            grow = 2.5 if bone.name == "pelvis" else 2.0
            widths = [_n(bone.width + grow * float(k.get("breath", 0))) for k in self.keyframes]
            static, width_animation = self._track(widths, "stroke-width", "", "{}")
            width = static or width
        if bone.head:
            (nx1, ny1), (nx2, ny2) = place((0, 0)), place((0, -5))
            neck = (
                f'<line class="{classes}" x1="{_n(nx1)}" y1="{_n(ny1)}" x2="{_n(nx2)}" '
                f'y2="{_n(ny2)}" stroke-width="{width}"/>'
            )
            head = f'<circle class="{classes} fig__head" cx="{_n(x2)}" cy="{_n(y2)}" r="7"/>'
            return neck + head
        ends = f'x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}"'
        if not width_animation:
            return f'<line class="{classes}" {ends} stroke-width="{width}"/>'
        return f'<line class="{classes}" {ends} stroke-width="{width}">{width_animation}</line>'

    def halo(self, bone: Bone, place: Place = _here) -> str:
        """A thin outline in the background colour under a near limb, drawn as a pass of its
        own so it separates the limb from the trunk without cutting between its own bones."""
        (x1, y1), (x2, y2) = place(bone.start), place(bone.end)
        return (
            f'<line class="fig__halo" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f'stroke-width="{_n(bone.width + 2.5)}"/>'
        )

    def flat(self, layer: int, halo: bool = False) -> str:
        """One layer of a still, each bone placed in the drawing's own coordinates.

        The same bones in the same order as the nested groups the moving figure needs (each
        joint turning its children), in about half the markup: a library page of cards is
        mostly its figures.
        """
        frames = _frames(self.view, self.keyframes[0])
        drawn = []
        for bone in self._in_drawing_order(self.children[None][0]):
            if bone.layer != layer:
                continue
            x, y, angle = frames[bone.name]
            place = partial(_turn, angle=angle, dx=x, dy=y)
            drawn.append(self.halo(bone, place) if halo else self.segment(bone, place))
        return "".join(drawn)

    def _in_drawing_order(self, bone: Bone) -> Iterator[Bone]:
        yield bone
        for child in self.children.get(bone.name, []):
            yield from self._in_drawing_order(child)

    def root(self, layer: int, halo: bool = False) -> str:
        translations = [f"{_n(k['root'][0])} {_n(k['root'][1])}" for k in self.keyframes]
        static, animation = self._track(translations, "transform", "translate", "translate({})")
        attribute = f' transform="{static}"' if static else ""
        pelvis = self.children[None][0]
        return f"<g{attribute}>{animation}{self.bone_group(pelvis, layer, halo)}</g>"

    def strap(self, prop: dict) -> str:
        ends = [positions(self.view, keyframe) for keyframe in self.keyframes]
        attributes = ""
        animations = ""
        for axis, (name, index) in {
            "x1": (prop["from"], 0),
            "y1": (prop["from"], 1),
            "x2": (prop["to"], 0),
            "y2": (prop["to"], 1),
        }.items():
            values = [_n(end[name][index]) for end in ends]
            static, animation = self._track(values, axis, "", "{}")
            if static:
                attributes += f' {axis}="{static}"'
            else:
                attributes += f' {axis}="{values[0]}"'
                animations += animation
        return f'<line class="fig__strap"{attributes}>{animations}</line>'

    def svg(self, figure: dict, css_class: str) -> str:
        props = figure.get("props", [])
        box = figure.get("box") or _fit(figure)
        behind = "".join(_prop(prop, box) for prop in props if prop["type"] != "strap")
        straps = "".join(self.strap(prop) for prop in props if prop["type"] == "strap")
        # The halo pass (2, True) goes between the body and the near limbs drawn over it.
        passes = ((0, False), (1, False), (2, True), (2, False))
        draw = self.root if self.timeline else self.flat
        body = "".join(draw(layer, halo) for layer, halo in passes)
        x, y, width, height = box
        box = " ".join(_n(n) for n in (x, y, width, height))
        return (
            f'<svg class="{css_class}" viewBox="{box}" aria-hidden="true" focusable="false">'
            f'<line class="fig__floor" x1="{_n(x)}" y1="{_n(FLOOR)}" x2="{_n(x + width)}" '
            f'y2="{_n(FLOOR)}"/>'
            f"{behind}{body}{straps}</svg>"
        )


def _prop(prop: dict, box: tuple[float, float, float, float]) -> str:
    kind = prop["type"]
    floor = FLOOR
    top = box[1] - 1
    if kind == "mat":
        left, width = box[0] + 3, box[2] - 6
        return (
            f'<rect class="fig__mat" x="{_n(left)}" y="{_n(floor)}" width="{_n(width)}" '
            'height="3.5" rx="1.75"/>'
        )
    if kind == "wall":
        # The wall's face is at x; the wall itself stands on the side away from the middle.
        x = float(prop["x"])
        left = x - 5 if x < VIEWBOX[2] / 2 else x
        return (
            f'<rect class="fig__prop" x="{_n(left)}" y="{_n(top)}" width="5" '
            f'height="{_n(floor - top)}"/>'
        )
    if kind == "chair":
        x = float(prop["x"])
        back = -1 if prop.get("facing", "right") == "right" else 1
        seat = floor - CHAIR_SEAT
        rear = x + back * 24
        legs = f"M{_n(x)} {_n(seat)}V{_n(floor)}M{_n(rear)} {_n(seat)}V{_n(floor)}"
        return (
            f'<path class="fig__prop fig__chair" d="M{_n(x)} {_n(seat)}H{_n(rear)}'
            f'V{_n(seat - 30)}{legs}"/>'
        )
    if kind in ("foam_roller", "ball"):
        radius = ROLLER_RADIUS if kind == "foam_roller" else BALL_RADIUS
        x = float(prop["x"])
        y = floor - float(prop.get("height", radius))
        return f'<circle class="fig__prop" cx="{_n(x)}" cy="{_n(y)}" r="{_n(radius)}"/>'
    if kind == "doorway":
        x = float(prop["x"])
        half = float(prop.get("width", 64)) / 2
        return (
            f'<path class="fig__prop fig__door" d="M{_n(x - half)} {_n(floor)}V{_n(DOOR_TOP)}'
            f'H{_n(x + half)}V{_n(floor)}"/>'
        )
    return ""


def _fit(figure: dict) -> tuple[float, float, float, float]:
    """The part of the drawing to show: the body in every keyframe and its props.

    The frame takes the shape of the poses, from 1:1.2 (standing) to 2:1 (lying down), so the
    person fills it whichever way up they are. Every keyframe gets the same box, so the stills
    line up with the moving figure. Walls and door frames reach up out of the box, so they do
    not count for its height.
    """
    boxes = [
        (x - radius, y - radius, x + radius)
        for keyframe in figure["keyframes"]
        for x, y, radius in positions(figure["view"], keyframe).values()
    ]
    boxes += [_prop_extent(prop) for prop in figure.get("props", [])]
    boxes = [box for box in boxes if box is not None]
    left = min(box[0] for box in boxes) - MARGIN
    right = max(box[2] for box in boxes) + MARGIN
    bottom = FLOOR + 5
    height = bottom - (min(box[1] for box in boxes) - MARGIN)
    width = right - left
    aspect = min(max(width / height, ASPECT_TALL), ASPECT_WIDE)
    # Grow whichever side is short of the aspect; the floor stays at the bottom.
    width, height = max(width, height * aspect), max(height, width / aspect)
    return ((left + right - width) / 2, bottom - height, width, height)


def _prop_extent(prop: dict) -> tuple[float, float, float] | None:
    """(left, top, right) of a prop, or None for those that size themselves to the box."""
    kind = prop["type"]
    x = float(prop.get("x", 0))  # every prop measured here has an x (see validate)
    if kind == "chair":
        rear = x + (-24 if prop.get("facing", "right") == "right" else 24)
        return (min(x, rear), FLOOR - CHAIR_SEAT - 30, max(x, rear))
    if kind in ("foam_roller", "ball"):
        radius = ROLLER_RADIUS if kind == "foam_roller" else BALL_RADIUS
        centre = FLOOR - float(prop.get("height", radius))
        return (x - radius, centre - radius, x + radius)
    if kind == "wall":
        return (x - 5, FLOOR, x + 5)
    if kind == "doorway":
        half = float(prop.get("width", 64)) / 2
        return (x - half - 2, DOOR_TOP, x + half + 2)
    return None


# -- the figure as a whole ----------------------------------------------------------------


def describe(figure: dict) -> str:
    """The accessible name: where the movement starts and where it ends."""
    keyframes = figure["keyframes"]
    start, end = keyframes[0]["label"], keyframes[-1]["label"]
    return f"Figure. Start: {start}. End: {end}."


@lru_cache(maxsize=512)
def _render(data: str, size: str) -> str:
    figure = json.loads(data)
    keyframes = figure["keyframes"]
    timeline = Timeline.for_count(len(keyframes), float(figure.get("seconds", 5)))
    animated = _Drawing(figure, keyframes, timeline).svg(figure, "fig__anim")
    # Each still has a short visible caption. It is hidden from assistive technology: the
    # figure's accessible name already says "Start: ... End: ...".
    stills = "".join(
        f'<div class="fig__frame">'
        f"{_Drawing(figure, [keyframe], None).svg(figure, f'fig__still fig__still--{which}')}"
        f'<span class="fig__caption" aria-hidden="true">{caption}</span></div>'
        for which, caption, keyframe in (
            ("start", "Start", keyframes[0]),
            ("end", "End", keyframes[-1]),
        )
    )
    return (
        f'<div class="fig fig--{size} fig--{figure["view"]}" role="img" '
        f'aria-label="{escape(describe(figure))}">{animated}'
        f'<div class="fig__stills">{stills}</div></div>'
    )


@lru_cache(maxsize=512)
def _still(data: str) -> str:
    figure = json.loads(data)
    start = figure["keyframes"][0]
    drawing = _Drawing(figure, [start], None).svg(figure, "fig__still fig__still--start")
    label = f"Figure. Start: {start['label']}."
    return (
        f'<div class="fig fig--small fig--{figure["view"]}" role="img" '
        f'aria-label="{escape(label)}">{drawing}</div>'
    )


def still(figure: dict | None) -> SafeString:
    """The figure's start pose alone, for an exercise card: about a quarter of the markup of
    the moving figure with its stills (a library of cards is the heaviest page otherwise), and
    a list of cards is easier to scan when it does not move. The exercise page has the rest.
    """
    if not figure:
        return SafeString("")
    # Safe for the same reason as render().
    return mark_safe(_still(json.dumps(figure, sort_keys=True)))  # noqa: S308


def render(figure: dict | None, size: str = "small") -> SafeString:
    """The figure's markup, or nothing for an item without a figure yet.

    Cached on the figure's JSON: figures are content, the same for everyone, so each one is
    drawn once per process and content version.
    """
    if not figure or size not in SIZES:
        return SafeString("")
    # Safe: _render builds the SVG from numbers and fixed class names, and escapes the one
    # piece of text in it (the labels, in the accessible name).
    return mark_safe(_render(json.dumps(figure, sort_keys=True), size))  # noqa: S308


def compressed_size(markup: str) -> int:
    return len(gzip.compress(markup.encode()))
