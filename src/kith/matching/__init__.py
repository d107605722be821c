"""Who fits an opportunity, what matters to each person, and the right audience.

``texts`` turns what a person wrote (their own words: ``kith.signals.text``)
and what sources say they do (organisation, title, role, notes) into
passages with dates; ``index`` keeps one vector per person in the ledger
(``kith.signals.embed``), re-embedding only people whose text changed;
``search`` ranks people for a text with the quotes that made them fit;
``matters`` reads one person's topics, asks and offers; ``audience`` says
who fits the audience a business is for and how time is split.
"""
