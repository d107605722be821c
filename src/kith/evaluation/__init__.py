"""Validating kith's relationship features: predicting the next interactions (DyGLib protocol)."""
