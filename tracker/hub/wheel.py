"""Geometry of the hub's circle: Patient at the centre, the other five sections round it.

Worked out here because templates cannot do trigonometry; the template only draws it.
Segments go clockwise from the top, in the same order as the links are tabbed through.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import cos, radians, sin

SIZE = 600
CENTRE = SIZE / 2
OUTER = 296
INNER = 122
CORE = 112
LINE_HEIGHT = 27
# NHS.UK palette colours that all keep white text above 7:1 contrast, one per segment.
FILLS = ("#005eb8", "#330072", "#00703c", "#7c2855", "#425563")
CORE_FILL = "#003087"
# Where each long title breaks onto a second or third line inside its segment.
LINES = {
    "Staff": ("Staff",),
    "Leadership and management": ("Leadership", "and", "management"),
    "Relevant frameworks": ("Relevant", "frameworks"),
    "Training and elearning": ("Training and", "elearning"),
    "Resources and more information": ("Resources", "and more", "information"),
}


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Segment:
    slug: str
    title: str
    path: str
    fill: str
    labels: tuple[Label, ...]


def _point(radius: float, degrees: float) -> tuple[float, float]:
    # 0 degrees is straight up, angles grow clockwise.
    angle = radians(degrees - 90)
    return round(CENTRE + radius * cos(angle), 2), round(CENTRE + radius * sin(angle), 2)


def _ring_sector(start: float, end: float) -> str:
    ox1, oy1 = _point(OUTER, start)
    ox2, oy2 = _point(OUTER, end)
    ix2, iy2 = _point(INNER, end)
    ix1, iy1 = _point(INNER, start)
    return (f"M {ox1} {oy1} A {OUTER} {OUTER} 0 0 1 {ox2} {oy2} "
            f"L {ix2} {iy2} A {INNER} {INNER} 0 0 0 {ix1} {iy1} Z")


def _labels(title: str, degrees: float) -> tuple[Label, ...]:
    lines = LINES.get(title) or (title,)
    # A little inside the ring's middle line: long words stay clear of the outer edge.
    x, y = _point((OUTER + INNER) / 2 - 6, degrees)
    top = y - (len(lines) - 1) * LINE_HEIGHT / 2
    # +8 puts the text's middle, not its baseline, on the point.
    return tuple(Label(x, round(top + i * LINE_HEIGHT + 8, 2), line) for i, line in enumerate(lines))


def segments(sections) -> tuple[dict, tuple[Segment, ...]]:
    """(the centre, the ring segments) for sections given in circle order, the first at the centre."""
    centre, *ring = sections
    core = {"slug": centre.slug, "title": centre.title, "radius": CORE, "cx": CENTRE, "cy": CENTRE,
            "fill": CORE_FILL, "label": Label(CENTRE, CENTRE + 10, centre.title)}
    step = 360 / len(ring)
    drawn = []
    for i, item in enumerate(ring):
        middle = i * step
        drawn.append(Segment(
            slug=item.slug, title=item.title, path=_ring_sector(middle - step / 2, middle + step / 2),
            fill=FILLS[i % len(FILLS)], labels=_labels(item.title, middle),
        ))
    return core, tuple(drawn)
