"""Limits of the live class (edu_platform.ratelimit): wrong codes typed or
tried per address, so that 6 digits cannot be walked through."""

from edu_platform.ratelimit import Limit

WRONG_CODES = Limit("live:wrong-code:address", 30, 10 * 60)
# Answers and questions sent without a socket (the polling fallback): the
# socket's 5 per second, counted per participant over 2 seconds.
SENDS = Limit("live:send:participant", 10, 2)
