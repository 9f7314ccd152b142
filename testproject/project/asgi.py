import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
from django_realtime.asgi import get_asgi_application

application = get_asgi_application()

# What importing the project made lives as long as the process: frozen, the collector's
# full passes no longer walk it, and pause every websocket for far less (docs/deployment.md).
gc.collect()
gc.freeze()
