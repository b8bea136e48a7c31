"""The joint-by-joint chain the result's body map draws (source 004).

From the ground up, joints alternate between needing mobility and needing stability; when a
mobile joint stiffens, the stable one next to it moves instead. The result highlights the
regions of the person's priorities on a side-view figure and lists the same in text.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from apps.exercises.models import Region


@dataclass(frozen=True)
class Joint:
    region: Region
    short_label: str
    mobile: bool
    # Where the figure in templates/checklist/result.html puts the marker (SVG user units).
    x: int
    y: int
    work_on: bool = False

    @property
    def label(self) -> str:
        return self.region.label

    @property
    def role(self) -> str:
        return "mobile" if self.mobile else "stable"


CHAIN = (
    Joint(Region.SHOULDER, "Shoulder", mobile=True, x=104, y=96),
    Joint(Region.SCAPULA, "Shoulder blades", mobile=False, x=78, y=116),
    Joint(Region.THORACIC_SPINE, "Upper back", mobile=True, x=82, y=148),
    Joint(Region.LUMBAR_SPINE, "Lower back", mobile=False, x=90, y=196),
    Joint(Region.HIP, "Hip", mobile=True, x=100, y=228),
    Joint(Region.KNEE, "Knee", mobile=False, x=110, y=306),
    Joint(Region.ANKLE, "Ankle", mobile=True, x=100, y=384),
)


def body_map(regions: Collection[str]) -> list[Joint]:
    """Return the chain, top down, with the joints in `regions` marked to work on."""
    return [replace(joint, work_on=joint.region in regions) for joint in CHAIN]
