"""ASGI entry point (uvicorn in `make stack` and production, daphne's runserver in
`make run`): ordinary pages through Django, the live class's sockets through
Channels, authenticated with the Django session and refused from origins that
are not among ALLOWED_HOSTS."""

import gc
import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_platform.settings.production")
# Database connections from a pool of at most 8 (edu_platform/settings/env.py),
# when this module starts the process; a process that imports it with its
# settings already read (a test run) keeps them, and passes nothing on to the
# processes it starts.
if not settings.configured:
    os.environ.setdefault("DATABASE_POOL", "8")
# Django first: it loads the apps the socket routes import.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# Everything loaded so far (Django, Wagtail, the URL and template machinery)
# lives as long as the process: leave it out of the garbage collector's full
# passes, which otherwise walked all of it and stopped every socket of the
# process for 300-470 ms at a time (bench/live.py, 40 classes of 35).
gc.freeze()
