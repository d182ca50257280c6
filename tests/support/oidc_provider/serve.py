"""Start the stand-in identity provider: python -m tests.support.oidc_provider.serve PORT

OIDC_PROVIDER_DIR holds people.json ({username: {email, email_verified,
school_account_id, password}}) and clients.json ([{client_id, secret,
redirect_uris}]); the database and the signing key are made there."""

import json
import os
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        sys.stderr.write("provider: " + (format % args) + "\n")


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main(port: int) -> None:
    base = Path(os.environ["OIDC_PROVIDER_DIR"])
    key = base / "signing-key.pem"
    if not key.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key.write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.support.oidc_provider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for username, person in json.loads((base / "people.json").read_text()).items():
        user, _ = User.objects.get_or_create(username=username, defaults={"email": person["email"]})
        user.set_password(person["password"])
        user.save()
    for client in json.loads((base / "clients.json").read_text()):
        Application.objects.filter(client_id=client["client_id"]).delete()
        Application.objects.create(
            name=client["client_id"],
            client_id=client["client_id"],
            client_secret=client["secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(client["redirect_uris"]),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    server = make_server(
        "127.0.0.1", port, get_wsgi_application(), server_class=ThreadingServer, handler_class=QuietHandler
    )
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]))
