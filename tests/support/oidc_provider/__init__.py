"""A real OpenID Connect provider for the tests (django-oauth-toolkit's OIDC
server in a small Django project of its own), started as a process on a free
port: the district sign-in tests talk to it over HTTP as they would to
Google Workspace or Microsoft Entra. See serve.py and tests/support/oidc.py."""
