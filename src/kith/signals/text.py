"""A message's own words: what its author wrote, not what they quote, forward or sign.

Mail carries other people's words in a few recognisable shapes, each checked
on the Apache developer lists and the Enron mail in ``../shared/data/email``
(``tests/test_signals.py`` holds real examples of each):

* quoted lines, starting with ``>`` (any depth), wherever they are: in an
  interleaved reply the author's answers sit between them, and are kept;
* an attribution line before a quote (``On Mon, 2 Jan 2012, Ana <ana@x.org>
  wrote:``, which clients wrap onto a second line; ``Am … schrieb Ana:``;
  ``Ana wrote:``), dropped; when the next line is not quoted, the message it
  introduces follows unmarked, and the own words end there;
* a signature, below the delimiter line ``-- `` (RFC 3676 §4.3; many clients
  drop the trailing space, so ``--`` alone counts too);
* a forwarded or replied-to message below a separator: Outlook's ``-----Original
  Message-----``, Gmail's ``---------- Forwarded message ---------``, Apple
  Mail's ``Begin forwarded message:``, Lotus Notes' ``----- Forwarded by
  Ana/HOU/ECT on …``, a rule of underscores; or below a header block with no
  separator: ``From: …`` followed by ``Sent:``, ``Date:`` or ``To:`` (Outlook),
  and Lotus Notes' sender line, date line (``05/03/2001 05:44 AM``) and ``To:``.

One pass over the lines, testing most of them with a comparison or two; with
``limit`` it stops as soon as it has that much, so a scorer that reads only
the start of what someone wrote does not walk a long message to its end.
"""

from __future__ import annotations

import re

#: Separator lines (stripped) below which someone else's message is forwarded or quoted.
_SEPARATOR = re.compile(
    r"-{2,}\s*(?:original message|forwarded (?:message|by)\b)|begin forwarded message:|_{10,}$",
    re.IGNORECASE,
)
#: A header line of a message quoted without ``>``, after its ``From:`` line.
_HEADER = re.compile(r"\s*(?:sent|sent by|date|to|cc|subject):", re.IGNORECASE)
#: Lotus Notes' date line under the sender's name: ``05/03/2001 05:44 AM``.
_NOTES_DATE = re.compile(r"\d\d?/\d\d?/\d{2,4}\s+\d\d?:\d\d\s*[AP]M\b")
#: An attribution line (stripped), ending with what the quoted author did.
_ATTRIBUTION = re.compile(
    r".*\b(?:wrote|writes|a écrit|escribió|ha scritto)\s?:$|.*\bschrieb\b.*:$", re.IGNORECASE
)
#: Lines that can start a separator (to test the pattern on few lines).
_SEPARATOR_START = frozenset("-_Bb")


def own_words(body: str | None, limit: int | None = None) -> str:
    """What the author of ``body`` wrote themselves: the text up to their
    signature or the message they forward or reply to, without quoted lines
    and attribution lines (see the module docstring), blank lines kept
    single, the ends stripped. With ``limit``, reading stops once that many
    characters are kept (the result may run past it to the end of a line)."""
    if not body:
        return ""
    lines = body.splitlines()
    kept: list[str] = []
    size = 0
    for i, line in enumerate(lines):
        text = line.strip()
        if not text:
            if kept and kept[-1]:
                kept.append("")
            continue
        first = text[0]
        if first == ">":
            continue
        if text == "--" and line.startswith("--"):
            break
        if first in _SEPARATOR_START and _SEPARATOR.match(text):
            break
        if (
            first in "Ff"
            and text[:5].lower() == "from:"
            and (_NOTES_DATE.search(text) or _HEADER.match(_next(lines, i)))
        ):
            break
        if (
            first.isdigit()
            and _NOTES_DATE.match(text)
            and _next(lines, i).lstrip()[:3].lower() == "to:"  # indented, as Notes forwards
        ):
            if kept:  # the sender's name, on the line above
                kept.pop()
            break
        if text[-1] == ":" and _ATTRIBUTION.match(text):
            if kept and kept[-1].lstrip().startswith("On ") and not text.startswith("On "):
                kept.pop()  # the attribution's first line, wrapped
            if not _next(lines, i).lstrip().startswith(">"):
                break
            continue
        kept.append(line)
        size += len(text)
        if limit is not None and size >= limit:
            break
    return "\n".join(kept).strip()


def _next(lines: list[str], i: int) -> str:
    """The first line after ``lines[i]`` with anything on it ('' at the end)."""
    for line in lines[i + 1 :]:
        if line.strip():
            return line
    return ""


#: Words that carry no topic: English function words, and the furniture of
#: mail and everyday talk (kith's own list; no library is imported for it).
STOP_WORDS = frozenset(
    """a about above after again all also am an and any anyone are as at be been before
    being below best between both but by can can't cheers could date day dear did do does
    doing don don't down during each email few for from fw fwd further get good got great
    had has have having he hello help her here hers hi him his how i i'm i've if in into
    is it it's its just know knows let let's like ll looking mail make made me message
    more most my need needs new no nor not now of off ok on once one only or other our
    ours out over own people person please re regards same see seen sent she should so
    some someone subject such sure than thank thanks that the their theirs them then
    there these they this those through time to today tomorrow too two under until up
    us ve very want wants was we week well were what when where which while who who's
    whom why will with would wrote yes yesterday you your yours""".split()  # noqa: SIM905
)


def stop_words() -> frozenset[str]:
    """The one list of words that carry no topic (``STOP_WORDS``), for every
    reader of topics: matching, circles, introduction suggestions, perception."""
    return STOP_WORDS


#: Where a sentence ends, for quoting: after . ! ? and a space (not inside
#: "2.4"), or at a line's end.
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
#: The longest quote shown as evidence (introduction suggestions, perception).
QUOTE_CHARS = 160
