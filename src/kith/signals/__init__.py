"""Per-message understanding: what a message says by its own words (``text``), and
how it feels (``valence``). Pure functions of text: no database, no clock."""
