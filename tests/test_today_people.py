"""Who the daily queue acts on, and why: automated senders, people met only in
public, what waiting messages want, rhythm, gives to me, salutations."""

from __future__ import annotations

from kith.attention import actionable
from kith.attention.candidates import Relationship, candidates
from kith.attention.drafts import asked, clean_subject
from kith.attention.inbound import read_waiting, with_intent
from kith.identity import automated_sender, is_automated
from kith.model import gives_to_me
from kith.relate import cooling
from kith.relate.data import Event
from kith.relate.reciprocity import ledger
from kith.signals.names import first_name
from kith.store.attention import WaitingMessage

NOW = 1_800_000_000
DAY = 86_400
ME = "sam@studio.test"


def rel(pid: int, **kw: object) -> Relationship:
    return Relationship(person_id=pid, name=f"Ana Person{pid}", **kw)  # type: ignore[arg-type]


def message(at: int, body: str, *, subject: str = "Hello", cc_only: bool = False) -> WaitingMessage:
    role = "cc" if cc_only else "to"
    others = (("to", "bo@x.test", "Bo Li", "email"),) if cc_only else ()
    return WaitingMessage(
        person_id=1, id=at, source="t", source_id=str(at), at=at, subject=subject, body=body,
        is_reply=False, in_circle=False, sender="ana@x.test", sender_name="Ana Lima",
        recipients=((role, ME, "Sam", "email"), *others),
    )  # fmt: skip


# -- one rule for machines ---------------------------------------------------------


def test_one_rule_decides_automated_senders_everywhere():
    for address in (
        "noreply@x.org", "ci.jenkins@x.org", "jira@apache.org", "dev-owner@x.org",
        "orders@shop.test", "billing@x.org", "jenkins@bounce.x.org",
    ):  # fmt: skip
        assert is_automated(address), address
    # a gateway's machine-made address is a machine's, but keeps its person's name
    assert automated_sender("email", "a478079f-55e1f3b0-612229@enron.com") is not None
    assert not is_automated("a478079f-55e1f3b0-612229@enron.com")
    assert automated_sender("email", "builds@x.org", "Apache Jenkins Server") == "system sender"
    assert automated_sender("email", "ana@x.org", "Ana (JIRA)") == "system name"
    assert automated_sender("x", "grok", "Grok") == "bot account"
    # an HR system's thank-you for taking part (Enron's perfmgmt@) is no one's
    assert (
        automated_sender("email", "perfmgmt@enron.com", "Performance Evaluation Process (PEP)")
        == "system name"
    )
    assert automated_sender("x", "ana", "Ana Lima") is None
    assert not is_automated("ana.owner@x.org") and not is_automated("ana@x.org")
    # surnames and city hosts are people
    assert not is_automated("daniel.jenkins@enron.com")
    assert not is_automated("msizer@ci.tacoma.wa.us")


def test_a_person_of_machines_gets_no_item_and_the_person_view_says_why():
    grok = [("x", "grok", "Grok"), ("x-id", "1720665183188922368", None)]
    assert actionable.machine(grok) == "bot account: grok"
    assert "automated sender" in (actionable.why_not(grok, 0.0) or "")
    mixed = [("email", "noreply@x.org", None), ("email", "ana@x.org", "Ana")]
    assert actionable.machine(mixed) is None and actionable.why_not(mixed, 0.5) is None


def test_people_met_only_in_public_are_never_checked_in_on_or_thanked():
    cooling_rel = dict(
        contact_days=12, median_gap_days=7.0, last_in_at=NOW - 30 * DAY, n_in=8, n_out=8,
        first_contact_at=NOW - 200 * DAY, threads=9,
    )  # fmt: skip
    assert [i.kind for i in candidates([rel(1, **cooling_rel, public_share=0.4)], NOW)] == [
        "check_in"
    ]
    assert candidates([rel(1, **cooling_rel, public_share=1.0)], NOW) == []
    giver = dict(gives_in=179, gives_out=0, last_in_at=NOW - DAY)
    assert candidates([rel(2, **giver, public_share=1.0)], NOW) == []
    newcomer = dict(first_contact_at=NOW - 2 * DAY, n_in=1)
    assert candidates([rel(3, **newcomer, public_share=1.0)], NOW) == []
    # a question they put to me still waits
    asks = dict(waiting=1, oldest_waiting_at=NOW - DAY, public_share=1.0)
    assert [i.kind for i in candidates([rel(4, **asks)], NOW)] == ["reply"]
    assert "met only in public" in (actionable.why_not([("email", "a@x.org", "A")], 1.0) or "")


# -- what waiting messages want ------------------------------------------------------


def test_only_messages_that_ask_wait_and_a_share_makes_a_thank_you():
    share = message(
        NOW - 28 * DAY,
        "Hi Sam,\n\nShared your piece on the brand refresh with my team today. People loved it.",
    )
    ask = message(NOW - 3 * DAY, "Hi Sam,\n\nCould you send the March invoice again?")
    fyi = message(NOW - 2 * DAY, "Hi Sam,\n\nThe studio is closed on Friday.")
    w = read_waiting([share, ask, fyi], [ME])
    assert w.asks == (NOW - 3 * DAY,) and w.gives == (NOW - 28 * DAY,)
    assert w.gave == "shared or praised your work"
    r = with_intent(rel(1, waiting=3, oldest_waiting_at=NOW - 28 * DAY), w, NOW)
    assert (r.waiting, r.oldest_waiting_at, r.let_go) == (1, NOW - 3 * DAY, 0)
    (reply,) = candidates([r], NOW)  # the reply is where the thanks go too
    assert reply.kind == "reply" and 'asked: "Could you send the March invoice again?"' in (
        reply.reason
    )
    only_share = with_intent(
        rel(1, waiting=1, oldest_waiting_at=NOW - 28 * DAY), read_waiting([share], [ME]), NOW
    )
    (thank,) = candidates([only_share], NOW)
    assert thank.kind == "thank"
    assert thank.reason.startswith("shared or praised your work 28 days ago: ")
    assert (
        candidates(
            [
                with_intent(
                    rel(1, waiting=1, oldest_waiting_at=NOW - DAY), read_waiting([fyi], [ME]), NOW
                )
            ],
            NOW,
        )
        == []
    )


def test_a_message_where_i_am_only_in_cc_waits_for_nothing():
    w = read_waiting([message(NOW - DAY, "Bo, can you send it?", cc_only=True)], [ME])
    assert (w.asks, w.gives, w.read) == ((), (), 1)


def test_old_asks_are_let_go_and_counted_not_dropped():
    old = message(NOW - 45 * DAY, "Can we meet next week?")
    older = message(NOW - 60 * DAY, "Did you get my quote?")
    r = with_intent(
        rel(1, waiting=2, oldest_waiting_at=NOW - 60 * DAY, last_in_at=NOW - 45 * DAY),
        read_waiting([older, old], [ME]),
        NOW,
    )
    assert r.let_go == 2 and candidates([r], NOW) == []
    newer = message(NOW - 2 * DAY, "And could you call me?")
    r = with_intent(
        rel(1, waiting=3, oldest_waiting_at=NOW - 60 * DAY, last_in_at=NOW - 2 * DAY),
        read_waiting([older, old, newer], [ME]),
        NOW,
    )
    (reply,) = candidates([r], NOW)
    assert r.let_go == 0 and "2 older messages left unanswered too" in reply.reason


# -- rhythm ------------------------------------------------------------------------


def test_a_burst_is_no_rhythm_and_a_rhythm_is_said_in_words():
    burst = dict(
        contact_days=8, threads=6, median_gap_days=1.0, n_in=10, n_out=10,
        first_contact_at=NOW - 300 * DAY, last_in_at=NOW - 290 * DAY,
    )  # fmt: skip
    assert candidates([rel(1, **burst)], NOW) == []  # twelve days of mail, then silence
    one_way = dict(burst, first_contact_at=NOW - 200 * DAY, last_in_at=NOW - 5 * DAY, n_out=2)
    assert candidates([rel(2, **one_way)], NOW) == []  # fewer than MIN_EXCHANGES from me
    assert cooling.MIN_EXCHANGES == 3 and cooling.MIN_RHYTHM_SPAN_DAYS == 30
    assert [cooling.gap_words(d) for d in (1, 3, 7, 14, 30, 90, 200, 400)] == [
        "about daily", "every few days", "about weekly", "every couple of weeks",
        "about monthly", "every few months", "about twice a year", "about once a year",
    ]  # fmt: skip


# -- gives to me -------------------------------------------------------------------


def test_a_give_is_to_me_only_when_directed_at_me():
    assert gives_to_me("answer", "in", True)
    assert not gives_to_me("answer", "among", True)  # someone else's question
    assert not gives_to_me("message", "in", True)

    def event(i: int, kind: str, direction: str) -> Event:
        return Event(
            id=i, at=NOW - i, direction=direction, channel="comment", kind=kind, reply=False,
            authored=True, public=True, tz_offset_min=None, extra={}, body=None,
        )  # fmt: skip

    events = [event(i, "answer", "among") for i in range(179, 0, -1)] + [event(0, "share", "in")]
    book = ledger(events)
    assert (book["gives_in"], book["gives_out"]) == (1, 0)


# -- names -------------------------------------------------------------------------


def test_salutations_only_from_a_sure_first_name():
    assert first_name("Dr. Maximilian Krah MdB") == "Maximilian"
    assert first_name("Allen, Phillip K.") == "Phillip"
    assert first_name("phillip allen") == "Phillip"
    assert first_name("Jean-Luc Picard") == "Jean-Luc"
    for unsure in ("Dr.", "Grok", "milahu104", "@ted", "Acme Corp", "Support Team", "J. Smith", ""):
        assert first_name(unsure) is None, unsure


def test_a_direct_message_from_an_account_id_is_read_as_a_person_s():
    dm = WaitingMessage(
        person_id=1, id=1, source="x", source_id="1", at=NOW - DAY, subject=None,
        body="Der nächste Bitcoin?", is_reply=False, in_circle=False,
        sender="1442698504770555906", sender_name="FreiheitsMaximalist", sender_kind="x-id",
        recipients=(("to", "1964312974236991488", None, "x-id"),),
    )  # fmt: skip
    assert read_waiting([dm], ["1964312974236991488"]).asks == (NOW - DAY,)


def test_a_draft_names_a_long_subject_without_reciting_it():
    legal = (
        "Re: Western Wholesale Activities - Gas & Power Conf. Call Privileged & "
        "Confidential Communication Attorney-Client Communication"
    )
    assert clean_subject(legal) == "Western Wholesale Activities - Gas & Power Conf. Call…"
    assert clean_subject("Fwd: Re:  lunch   on Friday") == "lunch on Friday"
    assert clean_subject("Re: ") is None
    # the question in a long subject is still found whole (its last sentence)
    assert asked(legal + " - can you join?", None) == (
        "Call Privileged & Confidential Communication Attorney-Client Communication - can you join?"
    )


def test_only_someone_who_came_to_me_from_outside_is_welcomed():
    new = dict(first_contact_at=NOW - 2 * DAY, n_in=1, last_in_at=NOW - 2 * DAY)
    assert [i.kind for i in candidates([rel(1, **new)], NOW)] == ["welcome"]
    # a colleague at my own organisation, someone I wrote to first, someone who
    # only stood beside me on another's message, a newsletter: none is welcomed
    assert candidates([rel(1, **new, colleague=True)], NOW) == []
    assert candidates([rel(1, **new, last_out_at=NOW - 9 * DAY)], NOW) == []
    assert candidates([rel(1, **new, wrote_to_me=False)], NOW) == []
    assert candidates([rel(1, **new, automated=True)], NOW) == []
    # a reply that answers an earlier message is not their first: no "welcome!"
    asks = dict(new, waiting=1, oldest_waiting_at=NOW - 2 * DAY, last_ask_at=NOW - 2 * DAY)
    (first,) = candidates([rel(1, **asks)], NOW)
    assert first.kind == "reply" and first.context["newcomer"]
    (later,) = candidates([rel(1, **asks, answers_earlier=True)], NOW)
    assert later.kind == "reply" and not later.context["newcomer"]


def test_my_organisation_is_where_my_own_addresses_are():
    mine = actionable.my_organisations(
        [("email", "phillip.allen@enron.com"), ("email", "pallen70@hotmail.com"), ("x", "pa")]
    )
    assert mine == frozenset({"enron.com"})
    assert actionable.colleague([("email", "kim.ward@ect.enron.com", "Kim Ward")], mine)
    assert not actionable.colleague([("email", "jsmith@austintx.com", "Jeff Smith")], mine)
    assert not actionable.colleague([("x", "kimward", "Kim Ward")], mine)  # no address
    assert not actionable.colleague(
        [("email", "ana@hotmail.com", None)],
        actionable.my_organisations([("email", "pallen70@hotmail.com")]),
    )


def test_notices_webmasters_and_subscription_desks_are_machines():
    for address in (
        "critical.notice@enron.com", "webmaster@earnings.com",
        "subscriptions@intelligencepress.com", "yahoo-delivers@yahoo-inc.com",
    ):  # fmt: skip
        assert is_automated(address), address
    assert not is_automated("notice.smith@x.org")  # a surname first is a person


def test_an_ask_whose_near_deadline_passed_is_let_go_and_counted():
    ask = message(NOW - 7 * DAY, "Can I use your chart in the meeting with staff?")
    soon = message(NOW - 7 * DAY + 3600, "I have a meeting tomorrow morning with the staff.")
    w = read_waiting([ask, soon], [ME], NOW)
    assert w.asks == (NOW - 7 * DAY,) and w.passed == (NOW - 7 * DAY,)
    r = with_intent(rel(1, waiting=2, oldest_waiting_at=NOW - 7 * DAY), w, NOW)
    assert (r.waiting, r.let_go) == (0, 1) and candidates([r], NOW) == []
    # the same ask the day after: the meeting has not happened yet, it waits
    fresh = read_waiting([ask, soon], [ME], NOW - 6 * DAY)
    assert fresh.passed == ()
    # an ask with no deadline waits as before
    assert read_waiting([ask], [ME], NOW).passed == ()


def test_a_short_question_is_quoted_with_the_sentence_before_it():
    body = (
        "Lucy,\n\nNeil in #21 paid nothing on 12/01.  Even if he wants to pay\n"
        "bi-weekly, he needs to pay at the start.  What is going on?\n"
    )
    assert asked(None, body) == (
        "Even if he wants to pay bi-weekly, he needs to pay at the start. What is going on?"
    )
    assert asked(None, "Could you send the March invoice again?") == (
        "Could you send the March invoice again?"
    )
