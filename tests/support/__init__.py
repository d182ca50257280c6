"""What the tests share that is not a fixture: the real services they may
need (services.py) and the real processes some of them start (servers.py)."""
