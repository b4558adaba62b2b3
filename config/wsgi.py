import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Everything loaded at start-up (Django, the apps, the URLconf) lives as long as the process: move it
# out of the cyclic garbage collector's way, so collections during a request only walk that request's
# objects. Without it, a large dashboard page's slowest renders were half as slow again (see bench/).
gc.freeze()
