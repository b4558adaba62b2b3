"""The test OpenID Provider's process: migrate, seed, then serve on a free loopback port.

Prints ``port N`` on its standard output once it is ready to answer."""

import json
import os
import sys
import threading
import time
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import django


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def seed(config):
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType

    from tests.oidc_provider_project import PROVIDER_PASSWORD, PROVIDER_USERS

    call_command("migrate", verbosity=0, interactive=False)
    call_command("creatersakey", stdout=open(os.devnull, "w"))
    client = Client.objects.create(
        name="CSP strategy tracker (tests)",
        client_type="confidential",
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        jwt_alg="RS256",
        require_consent=True,
        reuse_consent=False,
        _redirect_uris=config["redirect_uri"],
        _scope="openid email profile",
    )
    client.response_types.add(ResponseType.objects.get(value="code"))
    for username, person in PROVIDER_USERS.items():
        user = User.objects.create_user(username, email=person["email"], password=PROVIDER_PASSWORD)
        for name in person.get("groups", []):
            user.groups.add(Group.objects.get_or_create(name=name)[0])


def exit_with_parent():
    """Stop when the test run that started us is gone, even if it could not stop us itself."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def main():
    threading.Thread(target=exit_with_parent, daemon=True).start()
    config = json.loads(os.environ["OIDC_TEST_PROVIDER"])
    django.setup()
    seed(config)
    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1", 0, get_wsgi_application(), server_class=Server, handler_class=QuietHandler
    )
    print(f"port {server.server_port}", flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
