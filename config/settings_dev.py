"""Development settings: the production settings with DEBUG on unless the environment says otherwise.

`manage.py` uses these by default on a developer's machine. The server entry points (wsgi/asgi) and
the Docker image use config.settings, which is production-safe.
"""

import os

os.environ.setdefault("DEBUG", "true")

from config.settings import *  # noqa: E402,F403
