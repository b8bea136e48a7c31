"""The joint-by-joint chain the result's body map draws (source 004).

From the ground up, joints alternate between needing mobility and needing stability; when a
mobile joint stiffens, the stable one next to it moves instead. The result highlights the
regions of the person's priorities on a side-view figure and lists the same in text.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.exercises.models import Region


@dataclass(frozen=True)
class Joint:
    region: Region
    short_label: str
    mobile: bool
    # Where the figure in templates/checklist/result.html puts the marker (SVG user units).
    x: int
    y: int
    # Where its label starts: labels are two lines (name, then role) spaced apart even where
    # joints are close (shoulder and shoulder blades), so none is cut off or overlaps.
    label_y: int
    work_on: bool = False

    @property
    def label(self) -> str:
        return self.region.label

    @property
    def label_x(self) -> int:
        return LABEL_X

    @property
    def leader_x(self) -> int:
        return LABEL_X - 6

    @property
    def leader_y(self) -> int:
        return self.label_y + 4  # between the label's two lines

    @property
    def label_state(self) -> str:
        return f"{self.role} · work on" if self.work_on else self.role

    @property
    def role(self) -> str:
        return "mobile" if self.mobile else "stable"


# The figure's viewBox: wide enough for the longest label line at the label font size, and no
# wider, so on a 320px phone the labels are still 12px or more (tests/e2e check no clipping).
VIEWBOX = (40, 16, 300, 396)
LABEL_X = 182

CHAIN = (
    Joint(Region.SHOULDER, "Shoulder", mobile=True, x=104, y=96, label_y=70),
    Joint(Region.SCAPULA, "Shoulder blades", mobile=False, x=78, y=116, label_y=114),
    Joint(Region.THORACIC_SPINE, "Upper back", mobile=True, x=82, y=148, label_y=158),
    Joint(Region.LUMBAR_SPINE, "Lower back", mobile=False, x=90, y=196, label_y=202),
    Joint(Region.HIP, "Hip", mobile=True, x=100, y=228, label_y=246),
    Joint(Region.KNEE, "Knee", mobile=False, x=110, y=306, label_y=306),
    Joint(Region.ANKLE, "Ankle", mobile=True, x=100, y=384, label_y=366),
)


def body_map_viewbox() -> str:
    return " ".join(str(n) for n in VIEWBOX)


def body_map(regions: Collection[str]) -> list[Joint]:
    """Return the chain, top down, with the joints in `regions` marked to work on."""
    return [replace(joint, work_on=joint.region in regions) for joint in CHAIN]


def body_map_markers(joints: list[Joint]) -> SafeString:
    """The figure's joints, each a marker (mobile a circle, stable a square) and a two-line
    label: written out here, as templates/checklist/result.html would, because a dozen
    variables a joint in the template were a good part of the result page's rendering."""
    return format_html_join(
        "\n",
        '          <g class="bodymap__joint bodymap__joint--{}{}">\n'
        '            <polyline class="bodymap__leader" points="{},{} {},{}"/>\n'
        "            {}\n"
        '            <text class="bodymap__label" x="{}" y="{}">{}<tspan class="bodymap__state" '
        'x="{}" dy="18">{}</tspan></text>\n'
        "          </g>",
        (
            (
                joint.role,
                " bodymap__joint--work" if joint.work_on else "",
                joint.x,
                joint.y,
                joint.leader_x,
                joint.leader_y,
                _marker(joint),
                joint.label_x,
                joint.label_y,
                joint.short_label,
                joint.label_x,
                joint.label_state,
            )
            for joint in joints
        ),
    )


def _marker(joint: Joint) -> SafeString:
    if joint.mobile:
        return format_html(
            '<circle class="bodymap__marker" cx="{}" cy="{}" r="9"/>', joint.x, joint.y
        )
    return format_html(
        '<rect class="bodymap__marker" x="{}" y="{}" width="16" height="16"/>',
        joint.x - 8,
        joint.y - 8,
    )


def body_map_words(joints: list[Joint]) -> SafeString:
    """The same in words, one list item a joint."""
    return format_html_join(
        "\n",
        "            <li>{}: needs to be {}{}</li>",
        (
            (
                joint.label,
                joint.role,
                format_html(". <strong>{}</strong>", "Work on this.") if joint.work_on else "",
            )
            for joint in joints
        ),
    )
