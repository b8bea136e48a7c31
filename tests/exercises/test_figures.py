"""Exercise figures: the content has them, they validate, and they render small, valid SVG."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils.html import escape

from apps.exercises import figures
from apps.exercises.content import load
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = json.loads((ROOT / "fixtures" / "exercises.json").read_text())
ITEMS = json.loads((ROOT / "fixtures" / "checklist_items.json").read_text())
SVG = "{http://www.w3.org/2000/svg}"
BRIDGE = next(row["figure"] for row in EXERCISES if row["slug"] == "bridge")


def all_figures() -> list[tuple[str, dict]]:
    rows = [(row["slug"], row.get("figure")) for row in EXERCISES]
    rows += [(row["key"], row.get("figure")) for row in ITEMS]
    return [(name, figure) for name, figure in rows if figure]


def test_every_exercise_has_a_figure_with_two_or_more_keyframes() -> None:
    missing = [
        row["slug"] for row in EXERCISES if len(row.get("figure", {}).get("keyframes", [])) < 2
    ]
    assert not missing, f"{len(missing)} exercises have no figure yet: {', '.join(missing)}"


def test_every_checklist_item_has_a_figure() -> None:
    # Even the habits (movement breaks, a relaxed core) show the position they are about.
    missing = sorted(row["key"] for row in ITEMS if not row.get("figure", {}).get("keyframes"))
    assert not missing, f"checklist items without a figure: {', '.join(missing)}"


def test_figure_is_the_last_key_of_each_entry_that_has_one() -> None:
    for row in [*EXERCISES, *ITEMS]:
        if "figure" in row:
            assert list(row)[-1] == "figure", row.get("slug", row.get("key"))


@pytest.mark.parametrize(("name", "figure"), all_figures(), ids=[n for n, _ in all_figures()])
@pytest.mark.parametrize("size", figures.SIZES)
def test_each_figure_renders_valid_accessible_svg_within_budget(name, figure, size) -> None:
    figures.validate(figure)
    markup = str(figures.render(figure, size))
    root = ET.fromstring(markup.replace('xmlns="http://www.w3.org/2000/svg"', ""))
    assert root.get("role") == "img"
    label = root.get("aria-label")
    assert figure["keyframes"][0]["label"] in label
    assert figure["keyframes"][-1]["label"] in label
    assert label.index("Start:") < label.index("End:")
    svgs = root.findall(".//svg")
    # One moving figure and two stills (start and end), none of them read out.
    assert [svg.get("class") for svg in svgs] == [
        "fig__anim",
        "fig__still fig__still--start",
        "fig__still fig__still--end",
    ]
    assert all(svg.get("aria-hidden") == "true" for svg in svgs)
    # The stills are captioned on screen, not read out a second time.
    captions = root.findall(".//span[@class='fig__caption']")
    assert [c.text for c in captions] == ["Start", "End"]
    assert all(c.get("aria-hidden") == "true" for c in captions)
    assert "style=" not in markup
    # Something moves: joints, or the trunk widening with a breath.
    assert "<animate" in markup.split("fig__stills")[0]
    assert "<animate" not in markup.split("fig__stills")[1]
    assert figures.compressed_size(markup) < figures.BUDGET_BYTES, name


def test_only_the_joints_that_move_are_animated() -> None:
    standing = {"label": "standing", "root": [80, 49], "floor": ["near_heel", "near_toe"]}
    figure = {
        "view": "side",
        "moving": ["far_arm"],
        "keyframes": [standing, {**standing, "label": "far arm forward", "far_shoulder": 90}],
    }
    figures.validate(figure)
    markup = str(figures.render(figure, "large"))
    animated, stills = markup.split('class="fig__stills"')
    assert animated.count("<animateTransform") == 1
    assert 'values="-0;-0;-90;-90;-0"' in animated or 'values="0;0;-90;-90;0"' in animated
    assert 'dur="5s"' in animated and 'repeatCount="indefinite"' in animated
    assert 'calcMode="spline"' in animated
    # The moving arm is highlighted, and the other limbs are not.
    assert animated.count("fig__move") == 2  # upper arm and forearm
    assert "<animate" not in stills


def test_the_animation_goes_there_and_back_with_a_pause_at_each_pose() -> None:
    timeline = figures.Timeline.for_count(3, 6)
    assert timeline.poses == (0, 0, 1, 1, 2, 2, 1, 1, 0)
    assert timeline.times[0] == 0 and timeline.times[-1] == 1
    assert list(timeline.times) == sorted(timeline.times)
    assert len(timeline.splines) == len(timeline.poses) - 1


def test_a_missing_figure_renders_nothing() -> None:
    assert figures.render({}, "small") == ""
    assert figures.render(None, "large") == ""


def test_rendering_is_cached_per_figure() -> None:
    figures._render.cache_clear()
    first = figures.render(BRIDGE, "small")
    second = figures.render(copy.deepcopy(BRIDGE), "small")
    assert first == second
    assert figures._render.cache_info().hits == 1


def broken(change) -> dict:
    figure = copy.deepcopy(BRIDGE)
    change(figure)
    return figure


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f["keyframes"][0].update(near_wrist=10), "unknown joint 'near_wrist'"),
        (lambda f: f["keyframes"].pop(), "at least 2 keyframes, not 1"),
        (lambda f: f["props"].append({"type": "trampoline"}), "unknown prop 'trampoline'"),
        (lambda f: f["props"].append({"type": "wall", "y": 3}), "unknown keys ['y']"),
        (lambda f: f.update(view="top"), 'view must be "side" or "front"'),
        (lambda f: f.update(moving=["tail"]), "unknown limb 'tail'"),
        (lambda f: f["keyframes"][1].update(near_knee=-20), "near_knee is -20, outside 0"),
        (lambda f: f["keyframes"][1].pop("label"), "keyframe 2: needs a label"),
        (lambda f: f["keyframes"][0].update(root=[80, 90]), "hips should be on the floor but"),
        (lambda f: f["keyframes"][0].update(root=[80, 110]), "below the floor"),
        (lambda f: f["props"].append({"type": "strap", "from": "near_hand"}), "strap"),
    ],
)
def test_validation_says_what_is_wrong(change, message) -> None:
    with pytest.raises(figures.FigureError) as error:
        figures.validate(broken(change))
    assert message in str(error.value)


def test_loading_a_broken_figure_fails_and_names_the_exercise(db, tmp_path) -> None:
    rows = copy.deepcopy(EXERCISES)
    bridge = next(row for row in rows if row["slug"] == "bridge")
    bridge["figure"]["keyframes"][0]["near_elbo"] = 5
    path = tmp_path / "exercises.json"
    path.write_text(json.dumps(rows))
    with pytest.raises(ImproperlyConfigured, match=r"exercises.json, bridge: figure: .*near_elbo"):
        load(path)


def test_loading_stores_the_figures(content) -> None:
    from apps.checklist.models import Item
    from apps.exercises.models import Exercise

    assert Exercise.objects.get(slug="bridge").figure == BRIDGE
    with_figures = {row["key"] for row in ITEMS if row.get("figure")}
    assert set(Item.objects.exclude(figure={}).values_list("key", flat=True)) == with_figures


@pytest.mark.django_db
def test_contact_sheet_is_for_staff_only(
    anon_client, patient_client, clinician_client, client
) -> None:
    call_command("load_content", verbosity=0)
    for other in (anon_client, patient_client, clinician_client):
        assert other.get("/exercises/figures/").status_code == 404
    client.force_login(UserFactory(email="staff@example.org", is_staff=True))
    response = client.get("/exercises/figures/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bridge" in page and "Hips over heels" in page
    assert page.count('role="img"') == len(all_figures())


def test_library_cards_draw_their_figures_from_the_same_single_query(
    client, content, django_assert_num_queries, fresh_page
) -> None:
    fresh_page()
    # The content version, and the exercises with their figures.
    with django_assert_num_queries(2):
        page = client.get("/exercises/").content.decode()
    drawn = [row for row in EXERCISES if row.get("figure")]
    assert page.count('role="img"') == len(drawn)
    assert page.count('class="fig fig--small') == len(drawn)


def test_library_cards_show_the_start_pose_alone(client, content) -> None:
    """A card has the start pose, not the moving figure: the exercise page has that."""
    page = client.get("/exercises/?kind=breathing").content.decode()
    assert "<animate" not in page and "fig__anim" not in page
    box = next(row for row in EXERCISES if row["slug"] == "box-breathing")["figure"]
    assert f'aria-label="Figure. Start: {escape(box["keyframes"][0]["label"])}."' in page
    assert str(figures.still(box)) in page


def test_the_exercise_page_shows_its_figure_large(client, content) -> None:
    page = client.get("/exercises/bridge/").content.decode()
    assert page.count('class="fig fig--large fig--side" role="img"') == 1
    assert f'aria-label="{figures.describe(BRIDGE)}"' in page


def test_the_checklist_step_shows_the_items_figure(client, content) -> None:
    from apps.checklist.models import Item

    first = Item.objects.active().first()
    assert first.key == "hips_over_heels" and first.figure
    page = client.post("/checklist/new/", follow=True).content.decode()
    assert first.question in page
    assert f'aria-label="{figures.describe(first.figure)}"' in page


@pytest.mark.parametrize(("name", "figure"), all_figures(), ids=[n for n, _ in all_figures()])
def test_a_still_places_each_bone_where_the_joints_put_it(name, figure) -> None:
    """A card's still is drawn flat (no nested turns): its head, hands, heels and toes sit where
    `positions` says the start pose puts them, to the markup's 0.1 of a unit."""
    root = ET.fromstring(str(figures.still(figure)))
    assert "transform" not in ET.tostring(root, encoding="unicode")
    start = figure["keyframes"][0]
    points = figures.positions(figure["view"], start)
    head = next(c for c in root.iter("circle") if "fig__head" in c.get("class"))
    assert (float(head.get("cx")), float(head.get("cy"))) == pytest.approx(
        points["head"][:2], abs=0.06
    )
    ends = [
        (float(line.get(f"x{i}")), float(line.get(f"y{i}")))
        for line in root.iter("line")
        if "fig__bone" in line.get("class")
        for i in (1, 2)
    ]
    for point in ("hand", "heel", "toe"):
        for side in figures.SIDES[figure["view"]]:
            x, y, _ = points[f"{side}_{point}"]
            assert any(abs(x - ex) <= 0.06 and abs(y - ey) <= 0.06 for ex, ey in ends), (
                f"{name}: {side}_{point}"
            )


def test_front_view_forearms_can_point_up_as_on_a_door_frame() -> None:
    """Arms out to the side, elbows bent, forearms up ("goal posts"), as in the doorway stretch."""
    standing = {"label": "standing", "root": [80, 49], "floor": ["left_heel", "right_heel"]}
    figure = {
        "view": "front",
        "keyframes": [
            standing,
            {**standing, "label": "forearms up", "left_shoulder": 90, "left_elbow": -90},
        ],
    }
    figures.validate(figure)
    points = figures.positions("front", figure["keyframes"][1])
    for side in ("left", "right"):
        elbow_x, elbow_y, _ = points[f"{side}_elbow"]
        hand_x, hand_y, _ = points[f"{side}_hand"]
        assert hand_x == pytest.approx(elbow_x, abs=0.01)  # straight up from the elbow
        assert hand_y == pytest.approx(elbow_y - 15, abs=0.01)
    # Still limited: a forearm does not fold back down on the outside of the upper arm.
    figure["keyframes"][1]["left_elbow"] = -150
    with pytest.raises(figures.FigureError, match="left_elbow is -150"):
        figures.validate(figure)


def test_a_doorway_is_taller_than_the_person_standing_in_it_and_fits_the_drawing() -> None:
    standing = {"label": "standing", "root": [80, 49], "floor": ["left_heel", "right_heel"]}
    figure = {
        "view": "front",
        "props": [{"type": "doorway", "x": 80}],
        "keyframes": [standing, {**standing, "label": "arms up", "left_shoulder": 90}],
    }
    figures.validate(figure)
    head_x, head_y, head_radius = figures.positions("front", standing)["head"]
    assert figures.DOOR_TOP < head_y - head_radius - 10  # clear headroom, as a real door has
    markup = str(figures.render(figure, "large"))
    assert f"V{figures._n(figures.DOOR_TOP)}H" in markup
    _x, top, _width, _height = figures._fit(figure)
    assert top < figures.DOOR_TOP  # the frame's top is inside the drawing, not cut off
