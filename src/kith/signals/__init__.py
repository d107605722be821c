"""Per-message understanding: what a message says by its own words (``text``),
how it feels (``valence``), and what it wants of its reader (``intent``: asks,
gives, informs, automated). Pure functions of text: no database, no clock."""
