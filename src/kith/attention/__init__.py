"""The daily queue: who to connect with today, why, and fairly."""
