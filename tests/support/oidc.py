"""The stand-in identity provider (tests/support/oidc_provider) as a real
process on a free port, and a browser's part of the sign-in: signing in at
the provider and following its answer back to the platform's callback."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import requests

from .servers import ServerProcess, free_port


class IdentityProvider:
    def __init__(self, directory: Path, *, people: dict, clients: list[dict]):
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "people.json").write_text(json.dumps(people))
        (directory / "clients.json").write_text(json.dumps(clients))
        port = free_port()
        env = {**os.environ, "OIDC_PROVIDER_DIR": str(directory)}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        self.server = ServerProcess(
            [sys.executable, "-m", "tests.support.oidc_provider.serve", str(port)],
            port=port,
            env=env,
            log=directory / "provider.log",
            ready_path="/o/.well-known/openid-configuration/",
            timeout=60,
        )
        self.url = self.server.url
        self.issuer = f"{self.url}/o"

    def sign_in_and_authorize(self, authorize_url: str, username: str, password: str) -> str:
        """Sign in at the provider as `username`, open the platform's
        authorization request, and return where the provider sends the
        browser back to (the platform's callback with code and state)."""
        assert authorize_url.startswith(self.url), authorize_url
        browser = requests.Session()
        answer = browser.post(
            f"{self.url}/login/", data={"username": username, "password": password}, allow_redirects=False, timeout=10
        )
        assert answer.status_code == 302, answer.text
        answer = browser.get(authorize_url, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:500]
        return answer.headers["Location"]

    def stop(self) -> None:
        self.server.stop()


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
