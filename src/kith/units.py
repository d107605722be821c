"""Time, as every part of kith counts it: one definition of each unit.

Timestamps are integer seconds since the epoch (UTC); a day is ``DAY``
seconds (no time zones: days are UTC, like the analytics'). Contacts decay
with one half-life everywhere — the feature pipeline's ``decayed`` columns,
the strength history rebuilt from contacts, the queue's ageing of stored
rows — unless the analytics settings say otherwise.
"""

from __future__ import annotations

#: Seconds in a day.
DAY = 86_400
#: The half-life, in days, of a contact's weight in the decayed counts
#: (``kith.analytics.settings.AnalyticsSettings.half_life_days`` by default).
HALF_LIFE_DAYS = 90.0
#: A quarter, in days (the asks' fairness, the audience's time split).
QUARTER_DAYS = 91
