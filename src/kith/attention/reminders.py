"""Reminders away from the terminal: the day's list as a digest (Markdown and
HTML, for an e-mail) and as an iCalendar feed.

The feed holds one all-day event per item on the list's day. An event's UID
is the item's id (``<id>@kith``), so an item listed again the next day moves
its event instead of adding one, and a calendar that re-reads the feed never
shows the same item twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kith.attention.candidates import sentence
from kith.attention.drafts import Drafts
from kith.attention.today import DayPlan, title

#: ``PRODID`` of the feed (RFC 5545 §3.7.3).
PRODID = "-//kith//daily queue//EN"


def _spoken(plan: DayPlan) -> str:
    d = plan.day
    return f"{d.strftime('%A')} {d.day} {d.strftime('%B %Y')}"


def digest_context(plan: DayPlan, drafts: dict[str, str]) -> dict[str, Any]:
    """What ``digest.md`` / ``digest.html`` are filled with."""
    return {
        "date": _spoken(plan),
        "day": plan.day.isoformat(),
        "budget": plan.budget,
        "planned": plan.planned,
        "spent": plan.spent,
        "items": [
            {
                "id": i.id,
                "kind": i.kind,
                "title": title(i.kind, i.person),
                "person": i.person,
                "minutes": i.minutes,
                "reason": i.reason,
                "sentence": sentence(i),
                "draft": drafts.get(i.id, "").rstrip(),
            }
            for i in plan.items
        ],
        "done": [{"id": d.id, "title": title(d.kind, d.person)} for d in plan.done],
    }


def digest(plan: DayPlan, drafts: dict[str, str], templates: Drafts) -> tuple[str, str]:
    """(Markdown, HTML) of the day's list."""
    context = digest_context(plan, drafts)
    return templates.render("digest.md", context), templates.render("digest.html", context)


def write_digest(
    plan: DayPlan, drafts: dict[str, str], templates: Drafts, folder: Path
) -> list[Path]:
    """Write ``kith-<day>.md`` and ``kith-<day>.html`` into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    markdown, html = digest(plan, drafts, templates)
    stem = f"kith-{plan.day.isoformat()}"
    paths = [folder / f"{stem}.md", folder / f"{stem}.html"]
    for path, body in zip(paths, (markdown, html), strict=True):
        path.write_text(body, encoding="utf-8")
    return paths


def feed(plan: DayPlan, drafts: dict[str, str]) -> bytes:
    """The day's items as an iCalendar feed (one all-day event each)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "kith today")
    stamp = datetime.fromtimestamp(plan.now, UTC)
    for item in plan.items:
        event = Event()
        event.add("uid", f"{item.id}@kith")
        event.add("dtstamp", stamp)
        event.add("dtstart", plan.day)
        event.add("dtend", plan.day + timedelta(days=1))
        event.add("summary", f"{title(item.kind, item.person)} ({item.minutes} min)")
        text = sentence(item)
        draft = drafts.get(item.id, "").rstrip()
        if draft:
            text += f"\n\n{draft}"
        text += f"\n\nkith done {item.id}"
        event.add("description", text)
        event.add("categories", [item.kind])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return bytes(cal.to_ical())
