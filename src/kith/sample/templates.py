"""Subjects and bodies for sample messages, by what a message does (its *tag*).

Each tag has several phrasings so that text features have something to
read: thanks and praise are warm, complaints are unhappy, asks end in a
question. Placeholders are ``str.format`` fields filled from a context dict
(``to``, ``me``, ``topic``, ``product``, ``friend``, …); a missing field is an
error in this module, found by the tests.
"""

from __future__ import annotations

import random
import textwrap

#: Body lines are wrapped to this width, as mail clients do.
WRAP = 72

TOPICS = (
    "pricing",
    "the spring workshop",
    "onboarding e-mails",
    "the brand refresh",
    "the print run",
    "newsletter growth",
    "client contracts",
    "the podcast episode",
    "portfolio reviews",
    "the course launch",
    "invoicing",
    "the community call",
    "photo licensing",
    "the studio move",
)

PRODUCTS = (
    "Field Notes Workbook",
    "Pricing Playbook",
    "Studio Sessions course",
    "brand sprint",
    "1:1 coaching package",
    "poster set",
)

#: Tags whose messages ask for an answer; an unanswered one is *waiting*.
NEEDS_REPLY = frozenset(
    {"question", "request", "scheduling", "complaint", "followup", "referral_reply", "intro_reply"}
)

SUBJECTS: dict[str, tuple[str, ...]] = {
    "question": (
        "Quick question about {topic}",
        "Question re: the {product}",
        "{topic_cap}?",
        "Can you help with {topic}",
    ),
    "request": (
        "Request: {topic}",
        "Would you be up for a podcast chat?",
        "Invoice for {month}",
        "Could you review something?",
    ),
    "scheduling": ("Coffee next week?", "Call on {weekday}?", "Catching up on {topic}"),
    "complaint": (
        "Problem with my order",
        "Disappointed with the {product}",
        "Still waiting on {topic}",
    ),
    "praise": (
        "Loved the {product}!",
        "Your post on {topic}",
        "Thank you!",
        "This made my week",
    ),
    "update": ("Update on {topic}", "{topic_cap}: where we are", "Draft ready for review"),
    "chat": ("Saw this and thought of you", "Random thought on {topic}", "Hello from {city}"),
    "checkin": ("Checking in", "How's {topic} going?", "Long time!"),
    "share": (
        "Shared your piece on {topic}",
        "Your {product} is going around",
        "Mentioned you today",
    ),
    "referral": ("Introducing {friend}", "{friend_first} <> Sam", "Someone you should meet"),
    "intro": ("Intro: Sam <> {friend_first}", "You two should talk", "Meet {friend_first}"),
    "owner_intro": ("Intro: {to} <> {other_first}", "{to} / {other_first}"),
    "group": ("{topic_cap} – next steps", "Plan for {topic}", "{topic_cap} (all three of us)"),
    "list_post": (
        "[guild] {topic_cap}: how do you handle it?",
        "[guild] Sharing: my notes on {topic}",
        "[guild] Anyone going to {city}?",
        "[guild] Tools for {topic}",
    ),
    "newsletter": ("Rivera Studio Notes #{issue}: {topic}",),
    "receipt": ("New order #{order}: {product}",),
}

BODIES: dict[str, tuple[str, ...]] = {
    "question": (
        "Hi {to},\n\nI've been working through the {product} and got stuck on {topic}. "
        "Is there a way to do it without starting over?\n\nThanks,\n{me}",
        "Hey {to},\n\nQuick one: how do you usually approach {topic} with new clients? "
        "Do you charge for the first call?\n\n{me}",
        "Hello {to},\n\nFrom what I read on your site, the {product} covers {topic}. "
        "Does it also work for a team of two?\n\nBest,\n{me}",
        "Hi {to}, what would you recommend for {topic}? I have a deadline on {weekday}.\n\n{me}",
    ),
    "request": (
        "Hi {to},\n\nCould you send over the invoice for {month}? Our accounts team "
        "needs it by {weekday}.\n\nThanks a lot,\n{me}",
        "Hi {to},\n\nWould you be open to a short interview about {topic} for our "
        "podcast? 30 minutes, whenever suits you.\n\nWarmly,\n{me}",
        "{to}, could you take a look at the attached draft on {topic} and tell me "
        "what you'd change?\n\n{me}",
    ),
    "scheduling": (
        "Hi {to},\n\nAre you free for a coffee next week? {weekday} afternoon works "
        "for me.\n\n{me}",
        "Hey {to}, can we do a call on {weekday} about {topic}? 20 minutes is plenty.\n\n{me}",
        "Hi {to},\n\nShall we catch up on {topic}? Let me know a time that works.\n\nBest,\n{me}",
    ),
    "complaint": (
        "Hi {to},\n\nI'm frustrated: I ordered the {product} two weeks ago and still "
        "haven't received it. Can you check what happened?\n\n{me}",
        "Hello,\n\nHonestly I'm disappointed with the {product}. Half the links are "
        "broken and the section on {topic} is missing. Can I get a refund?\n\n{me}",
        "{to}, this is the third time I've asked about {topic}. It's not great. "
        "What is going on?\n\n{me}",
    ),
    "praise": (
        "Hi {to},\n\nI just wanted to say the {product} is brilliant. The part on "
        "{topic} changed how I work. Thank you!\n\n{me}",
        "{to}!\n\nYour post on {topic} was exactly what I needed this week. "
        "Really generous of you to share it.\n\nWith gratitude,\n{me}",
        "Hey {to},\n\nLoved the workshop, thank you so much. I've already "
        "recommended it to two friends.\n\n{me}",
    ),
    "update": (
        "Hi {to},\n\nQuick update on {topic}: we're on track, the proofs arrive "
        "{weekday}. I'll send photos.\n\n{me}",
        "Hi {to},\n\nFrom my side everything is ready for {topic}. The only open item "
        "is the final sign-off.\n\nCheers,\n{me}",
        "{to}, draft attached. I kept it short; happy to change anything.\n\n{me}",
    ),
    "chat": (
        "Hey {to},\n\nSaw this piece on {topic} and thought of you. Hope the week "
        "is going well!\n\n{me}",
        "Hi {to},\n\nGreetings from {city}. The weather is lovely and I finally "
        "read your notes on {topic}.\n\n{me}",
    ),
    "checkin": (
        "Hi {to},\n\nHow's {topic} going? It's been a while; would love to hear "
        "what you're working on.\n\nSam",
        "Hey {to},\n\nJust checking in. Anything I can help with this month?\n\nSam",
    ),
    "answer": (
        "Hi {to},\n\nGood question! For {topic} I'd start small and keep the first "
        "version simple. Happy to look at it together.\n\nBest,\nSam",
        "Hi {to},\n\nYes, that works. I've sent it over; let me know if anything is "
        "missing.\n\nSam",
        "{to}, thanks for asking. Short answer: yes. Longer answer on our call.\n\nSam",
        "Hi {to},\n\n{weekday} works for me. I'll send an invite.\n\nSam",
    ),
    "apology": (
        "Hi {to},\n\nI'm so sorry about that, it's my mistake. I've fixed it and sent "
        "a replacement today. Thank you for your patience.\n\nSam",
        "Hi {to},\n\nYou're right, and I apologise. I've refunded the order and "
        "fixed the broken links.\n\nSam",
    ),
    "ack": (
        "Thank you {to}, that means a lot!\n\nSam",
        "Hi {to},\n\nThis made my day, thank you for writing.\n\nSam",
        "Thanks {to}! Noted.\n\nSam",
    ),
    "thanks": (
        "Thank you so much, that's perfect!\n\n{me}",
        "Great, thanks {to}. Really appreciate the quick answer.\n\n{me}",
        "Perfect, thank you!\n\n{me}",
    ),
    "followup": (
        "Thanks {to}! One more thing: does this also apply to {topic}?\n\n{me}",
        "Got it. Could you also send the template you mentioned?\n\n{me}",
    ),
    "reply": (
        "Sounds good, talk soon.\n\n{me}",
        "Yes! Let's do it.\n\n{me}",
        "Thanks {to}, I'll get back to you by {weekday}.\n\n{me}",
        "Great, see you then.\n\n{me}",
    ),
    "share": (
        "Hi {to},\n\nShared your piece on {topic} with {audience} today. People loved it; "
        "three asked where to find more of your work.\n\n{me}",
        "Hey {to},\n\nI featured the {product} in {audience} this week. Hope that's okay!\n\n{me}",
        "{to}, I mentioned you in my talk on {topic} yesterday and sent the room to "
        "your site.\n\n{me}",
    ),
    "referral": (
        "Hi {to},\n\nI told my friend {friend} about you — cc'ing them here. "
        "{friend_first} needs help with {topic} and I couldn't think of anyone "
        "better.\n\n{me}",
        "Hi {to},\n\n{friend} has been looking for someone for {topic}, so I sent "
        "them your way. {friend_first}, Sam is the best there is.\n\n{me}",
    ),
    "intro": (
        "Sam, meet {friend} — they run a small studio and are deep into {topic}. "
        "{friend_first}, meet Sam, whose {product} I keep recommending.\n\n"
        "I'll let you two take it from here.\n\n{me}",
        "Hi both,\n\nIntroducing you because you're working on the same problem "
        "({topic}). Sam, {friend_first}; {friend_first}, Sam.\n\n{me}",
    ),
    "referral_reply": (
        "Thanks {giver_first}! Hi Sam, nice to meet you. I'm looking for help with "
        "{topic}. Do you have time for a call?\n\n{me}",
        "Hi Sam, {giver_first} speaks very highly of you. Could you tell me more about "
        "the {product}?\n\n{me}",
    ),
    "intro_reply": (
        "Thanks {giver_first} (moving you to bcc)! Sam, lovely to meet you. "
        "Would you have 30 minutes on {weekday}?\n\n{me}",
        "Thank you {giver_first}! Sam, I'd love to compare notes on {topic}. "
        "When suits you?\n\n{me}",
    ),
    "giver_thanks": (
        "{to}, thank you so much for this — it means a lot that you keep sending "
        "people my way.\n\nSam",
        "Thank you {to}! I owe you a coffee (or three).\n\nSam",
    ),
    "owner_intro": (
        "Hi {to} and {other_first},\n\nYou should know each other: {to} is working on "
        "{topic}, and {other_first} did exactly that last year. I'll let you take "
        "it from here.\n\nSam",
    ),
    "owner_intro_reply": (
        "Thanks Sam! {other_first}, great to meet you. Coffee {weekday}?\n\n{me}",
        "Thank you for the intro, Sam. {other_first}, I'll send you an invite.\n\n{me}",
    ),
    "group": (
        "Hi all,\n\nHere's where we are on {topic}. Can everyone confirm their part by "
        "{weekday}?\n\n{me}",
        "Hi both,\n\nPulling us into one thread for {topic}, so nothing gets lost.\n\n{me}",
    ),
    "group_reply": (
        "Confirmed from my side.\n\n{me}",
        "Works for me. I'll have the files ready by {weekday}.\n\n{me}",
        "One question: who is paying the deposit?\n\n{me}",
    ),
    "list_post": (
        "Hi all,\n\nHow do you handle {topic}? I keep going back and forth and would "
        "love to hear what works for you.\n\n{me}",
        "Hi everyone,\n\nSharing my notes on {topic}, happy to discuss.\n\n"
        ">From the archive: last year's thread on this is still worth reading.\n\n{me}",
        "Is anyone going to the meetup in {city}? Would be great to see faces.\n\n{me}",
    ),
    "list_reply": (
        "+1, same here. What finally worked for me was writing it down.\n\n{me}",
        "Great question. From experience, keep it simple and charge for it.\n\n{me}",
        "Thanks for sharing, this is really useful.\n\n{me}",
        "I disagree a little: it depends on the client. Happy to explain on the call.\n\n{me}",
    ),
    "newsletter": (
        "Hello friends,\n\nThis month: {topic}, a new edition of the {product}, and "
        "three studios I admire.\n\nReply and tell me what you're working on; I read "
        "every message.\n\nSam\n\n--\nYou get this because you signed up at rivera.studio.",
    ),
    "newsletter_reply": (
        "Hi Sam,\n\nLoved this issue, especially the part on {topic}.\n\n{me}",
        "Sam, quick question about the {product} you mentioned: is it out yet?\n\n{me}",
    ),
    "receipt": (
        "<html><body><h1>New order #{order}</h1><p>{friend} ({friend_email}) bought "
        "<b>{product}</b> for {price}.</p><p>Reply to this e-mail to reach the customer."
        "</p></body></html>",
    ),
}

CITIES = ("Lisbon", "Berlin", "Austin", "Mexico City", "Kyoto", "Glasgow", "Lagos", "Montréal")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def base_context(rng: random.Random) -> dict[str, str]:
    """The fields every template may use, drawn at random."""
    topic = rng.choice(TOPICS)
    return {
        "topic": topic,
        "topic_cap": topic[0].upper() + topic[1:],
        "product": rng.choice(PRODUCTS),
        "city": rng.choice(CITIES),
        "weekday": rng.choice(WEEKDAYS),
        "month": rng.choice(MONTHS),
    }


def subject_for(rng: random.Random, tag: str, ctx: dict[str, str]) -> str:
    """A subject line for a thread opened by a ``tag`` message."""
    return rng.choice(SUBJECTS[tag]).format(**ctx)


def body_for(rng: random.Random, tag: str, ctx: dict[str, str]) -> str:
    """A short body for a ``tag`` message, wrapped, ending with a newline."""
    text = rng.choice(BODIES[tag]).format(**ctx)
    return "\n".join(wrap_line(line) for line in text.split("\n")) + "\n"


def wrap_line(line: str) -> str:
    """``line`` wrapped to ``WRAP`` columns; quotes and markup are left alone."""
    if len(line) <= WRAP or line.startswith((">", "<")):
        return line
    return textwrap.fill(line, WRAP, break_long_words=False, break_on_hyphens=False)


#: Complementary needs (``Story.needs_and_offers``): a topic, how one person asks
#: Sam for it, and how another announces that they offer it.
NEED_ASK_SUBJECT = "Looking for"
NEED_OFFER_SUBJECT = "Now offering"
NEEDS: tuple[tuple[str, str, str], ...] = (
    (
        "letterpress printing",
        "Do you know anyone who does letterpress printing? We need letterpress invitations "
        "for our spring launch, about 300 cards on cotton paper.",
        "News from the shop: we now do letterpress printing in house. Cotton paper, short "
        "runs of 100 to 1,000 cards, invitations and business cards.",
    ),
    (
        "bookkeeping",
        "Could you recommend a bookkeeper? Our bookkeeping has been a mess since we started "
        "selling abroad: VAT returns, invoices in three currencies.",
        "I have started taking on bookkeeping clients again: monthly books, VAT returns and "
        "invoices for small studios that sell abroad.",
    ),
    (
        "product photography",
        "Do you know a photographer for product photography? We need clean product shots "
        "of our ceramics for the new web shop.",
        "We have opened a small studio for product photography: ceramics, jewellery and "
        "packshots for web shops, delivered the same week.",
    ),
    (
        "spanish translation",
        "Is there anyone you trust for Spanish translation? Our catalogue and web shop need "
        "a Spanish translation before the Madrid fair.",
        "A quick update: I now offer Spanish translation of catalogues, web shops and "
        "packaging, with a native proofreader.",
    ),
)
