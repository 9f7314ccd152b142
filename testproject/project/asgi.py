import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
from django_realtime.asgi import get_asgi_application

application = get_asgi_application()
