"""The report's charts: Matplotlib drawn to SVG, for inlining in the HTML.

The same data give the same bytes: the SVG carries no date, its element ids
are salted with a fixed string, and text is drawn as paths in Matplotlib's
own bundled font (DejaVu Sans), so no font of the reading machine is needed.
"""

from __future__ import annotations

import io
import math
import re
from typing import Any

#: Inches: wide and low enough for a page's column.
SIZE = (6.4, 2.6)
#: The salt of Matplotlib's SVG ids (a fixed salt: the same chart, the same bytes).
HASH_SALT = "kith-report"
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
COLOURS = ("#2b6cb0", "#dd6b20", "#38a169", "#a0aec0", "#805ad5", "#c53030")


def _figure() -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": HASH_SALT,
            "svg.fonttype": "path",
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    from matplotlib.figure import Figure

    fig = Figure(figsize=SIZE)
    return fig, fig.add_subplot()


def _svg(fig: Any) -> str:
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    text = out.getvalue()
    # the RDF block names only the format: no use inside a page
    return _METADATA.sub("", text[text.index("<svg") :], count=1)


def _bars(ax: Any, chart: dict[str, Any]) -> None:
    labels, values = chart["labels"], chart["values"]
    ax.bar(labels, values, color=COLOURS[0])
    for i, v in enumerate(values):
        ax.annotate(f"{v:,}", (i, v), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("people / ties")


def _stacked(ax: Any, chart: dict[str, Any]) -> None:
    groups = chart["groups"]
    bottom = [0.0] * len(groups)
    for i, (name, values) in enumerate(chart["series"].items()):
        ax.barh(groups, values, left=bottom, label=name, color=COLOURS[i % len(COLOURS)])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.3),
        fontsize=7,
        frameon=False,
        ncols=len(chart["series"]),
    )
    ax.set_xlabel("people")


def _paired(ax: Any, chart: dict[str, Any]) -> None:
    labels = chart["labels"]
    series = list(chart["series"].items())
    width = 0.8 / len(series)
    for i, (name, values) in enumerate(series):
        xs = [x + (i - (len(series) - 1) / 2) * width for x in range(len(labels))]
        ax.bar(xs, values, width, label=name, color=COLOURS[i % len(COLOURS)])
    ax.set_xticks(range(len(labels)), labels)
    ax.legend(fontsize=7, frameon=False)


def _rate(ax: Any, chart: dict[str, Any]) -> None:
    labels = chart["labels"]
    ax.bar(labels, [100 * r for r in chart["rate"]], color=COLOURS[0], label="answered %")
    ax.set_ylim(0, 100)
    ax.set_ylabel("answered %")
    ax.set_xlabel("reach group (1 = least reach)")
    hours = chart["hours"]
    if any(h is not None for h in hours):
        twin = ax.twinx()
        twin.plot(
            labels,
            [math.nan if h is None else h for h in hours],
            "o-",
            color=COLOURS[1],
            label="median hours",
        )
        twin.set_ylabel("median hours to answer")


def _survival(ax: Any, chart: dict[str, Any]) -> None:
    ax.step(chart["months"], [100 * a for a in chart["alive"]], where="post", color=COLOURS[0])
    ax.set_ylim(0, 102)
    ax.set_xlabel("months since the first contact")
    ax.set_ylabel("% still in contact")


_DRAW = {
    "bars": _bars,
    "stacked": _stacked,
    "paired": _paired,
    "rate": _rate,
    "survival": _survival,
}


def svg(chart: dict[str, Any]) -> str:
    """One section's chart as an ``<svg>`` element."""
    fig, ax = _figure()
    _DRAW[chart["kind"]](ax, chart)
    return _svg(fig)
