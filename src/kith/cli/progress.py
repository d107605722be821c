"""Progress bars and import summaries, shared by import, sync and the demo."""

from __future__ import annotations

import sys
import time
from typing import Any

import click


class ProgressReporter:
    """A rich progress bar per file: records read, rate, and how far through."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[records]:>9,} records"),
            TextColumn("{task.fields[rate]:>8,.0f}/s"),
            TimeElapsedColumn(),
            transient=False,
            console=stderr_console(),
        )
        self.tasks: dict[str, Any] = {}
        self.started: dict[str, float] = {}

    def __call__(self, path: str, records: int, fraction: float | None) -> None:
        if path not in self.tasks:
            from rich.markup import escape

            # a file's name is not markup: "[/bold].mbox" must not break the bar
            name = escape(short_path(path))
            self.tasks[path] = self.bar.add_task(name, total=1.0, records=0, rate=0.0)
            self.started[path] = time.monotonic()
        elapsed = max(time.monotonic() - self.started[path], 1e-6)
        update: dict[str, Any] = {"records": records, "rate": records / elapsed}
        if fraction is not None:
            update["completed"] = fraction
        self.bar.update(self.tasks[path], **update)


def stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def short_path(path: str, width: int = 40) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1) :]


class progress_bar:
    def __init__(self, quiet: bool) -> None:
        self.reporter: ProgressReporter | None = None
        if not quiet and sys.stderr.isatty():
            self.reporter = ProgressReporter()

    def __enter__(self) -> ProgressReporter | None:
        if self.reporter:
            self.reporter.bar.start()
        return self.reporter

    def __exit__(self, *exc: object) -> None:
        if self.reporter:
            self.reporter.bar.stop()


#: How many files left alone the import's summary names.
SHOWN_PASSED_OVER = 10


def print_summaries(summaries: list[Any], elapsed: float) -> None:
    total_read = 0
    passed_over = [s for s in summaries if getattr(s, "left_alone", None)]
    summaries = [s for s in summaries if not getattr(s, "left_alone", None)]
    for s in summaries:
        if s.error and not s.imported and not s.duplicates:
            click.echo(f"✗ {s.error}", err=True)
            continue
        total_read += s.imported + s.duplicates + s.skipped
        contacts = getattr(s, "contacts", 0)
        click.echo(
            f"{'✓' if s.ok else '✗'} {s.path} [{s.importer}]: {s.imported:,} imported, "
            f"{s.duplicates:,} duplicates, {s.skipped:,} skipped"
            + (f" ({contacts:,} of them contact records)" if contacts else "")
        )
        mine = getattr(s, "me_added", ())
        if mine:
            click.echo(
                f"    the file says it is yours: {', '.join(mine)} now count as you, and "
                f"directions were recomputed (wrong? kith me remove {' '.join(mine)})",
                err=True,
            )
        for p in s.problems:
            click.echo(f"    skipped {p.origin.file}:{p.origin.position}: {p.reason}", err=True)
        if s.skipped > len(s.problems):
            click.echo(f"    … and {s.skipped - len(s.problems):,} more (kith stats)", err=True)
        if s.capped:
            click.echo(
                f"    {s.capped:,} values cut to their size limits (names, recipients, notes)",
                err=True,
            )
        if s.error:
            click.echo(f"    stopped: {s.error}", err=True)
    if passed_over:
        shown = ", ".join(f"{s.path} ({s.left_alone})" for s in passed_over[:SHOWN_PASSED_OVER])
        more = len(passed_over) - SHOWN_PASSED_OVER
        click.echo(
            f"left alone: {len(passed_over):,} file(s) kith does not read: {shown}"
            + (f" … and {more:,} more" if more > 0 else ""),
            err=True,
        )
    contacts = sum(getattr(s, "contacts", 0) for s in summaries)
    interactions = sum(s.imported for s in summaries) - contacts
    rate = total_read / elapsed if elapsed > 0 else 0.0
    click.echo(
        f"{len(summaries)} source(s): {interactions:,} new interactions"
        + (f" and {contacts:,} contact records" if contacts else "")
        + f" in {elapsed:.1f}s ({rate:,.0f} records/s)"
    )
