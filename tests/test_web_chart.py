"""The person page's strength chart: the strength scale, labelled axes, and a
flat one-way line that says why it is flat."""

from __future__ import annotations

from kith.web.routes.person import CHART_BOTTOM, CHART_HEIGHT, CHART_PAD, chart

MONTH = 30 * 86_400
START = 946_684_800  # 2000-01-01


def points(scores: list[float], state: str = "two-way") -> list[dict[str, object]]:
    return [{"at": START + i * MONTH, "score": s, "state": state} for i, s in enumerate(scores)]


def ys(c: dict[str, object]) -> list[float]:
    return [float(p.split(",")[1]) for p in str(c["points"]).split()]


def test_the_line_is_drawn_on_the_strength_scale_not_stretched_to_its_top():
    low = chart(points([3, 3, 3]))
    assert low is not None
    bottom = CHART_HEIGHT - CHART_BOTTOM
    # 3 of 100 sits near the bottom, not at the top as the line's own maximum would.
    assert all(bottom - 0.05 * (bottom - CHART_PAD) < y <= bottom for y in ys(low))
    high = chart(points([3, 90, 3]))
    assert high is not None
    assert ys(high)[1] < ys(low)[1]


def test_both_axes_are_labelled():
    c = chart(points([10, 40, 80, 20, 30, 50, 60, 70]))
    assert c is not None
    assert [v for v, _ in c["y_ticks"]] == [0, 25, 50, 75, 100]
    labels = [label for _, label in c["x_ticks"]]
    assert labels[0] == "2000-01" and 1 < len(labels) <= 6
    xs = [x for x, _ in c["x_ticks"]]
    assert xs == sorted(xs) and c["left"] <= xs[0] and xs[-1] <= c["right"]


def test_years_label_a_long_span():
    c = chart(
        [
            {"at": START, "score": 5.0, "state": "two-way"},
            {"at": START + 20 * 365 * 86_400, "score": 9.0, "state": "two-way"},
        ]
    )
    assert c is not None
    labels = [label for _, label in c["x_ticks"]]
    assert labels[0] == "2000" and all(len(label) == 4 for label in labels)
    assert len(labels) <= 6


def test_a_one_way_tie_is_said_to_be_flat():
    c = chart(points([3, 3], state="never replied"))
    assert c is not None and c["one_way"]
    two = chart(points([3, 30]))
    assert two is not None and not two["one_way"]
    assert chart(points([3])) is None
