import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from core.gateways import sandbox_guard  # noqa: E402 - needs the settings loaded above

sandbox_guard()  # production does not serve on the sandbox payment and customs gateways unless DEMO=1
