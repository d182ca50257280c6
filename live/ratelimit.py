"""Limits of the live class (edu_platform.ratelimit): wrong codes typed or
tried per address, so that 6 digits cannot be walked through."""

from edu_platform.ratelimit import Limit

WRONG_CODES = Limit("live:wrong-code:address", 30, 10 * 60)
