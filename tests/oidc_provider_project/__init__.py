"""A real OpenID Provider (django-oidc-provider) for the single sign-on tests, run as its own small Django
project in a subprocess on a loopback port, with its own SQLite file, RSA key, client and users.

``start_provider()`` starts it and waits until it answers; ``serve`` is the process itself.
"""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import requests

ROOT = Path(__file__).resolve().parent.parent.parent
# Provider-side people (all with PROVIDER_PASSWORD). Groups make the provider misbehave for one person,
# as a real provider could: say their address is unverified, or mint a token for another application.
PROVIDER_PASSWORD = "provider-side-password"
PROVIDER_USERS = {
    "alice": {"email": "Alice.Officer@Council.Example"},
    "uma": {"email": "uma.unverified@council.example", "groups": ["unverified-email"]},
    "sam": {"email": "sam.stranger@elsewhere.example"},
    "ian": {"email": "ian.inactive@council.example"},
    "dan": {"email": "dan.twice@council.example"},
    "nora": {"email": ""},
    "walt": {"email": "walt.wrong-audience@council.example", "groups": ["wrong-audience"]},
    "ed": {"email": "ed.expired@council.example", "groups": ["expired-token"]},
}


@dataclass
class Provider:
    url: str  # http://127.0.0.1:PORT
    issuer: str
    client_id: str
    client_secret: str
    process: subprocess.Popen
    log: IO[str]

    def endpoint(self, name: str) -> str:
        return f"{self.url}/openid/{name}"

    def configuration(self) -> dict:
        return requests.get(f"{self.url}/openid/.well-known/openid-configuration", timeout=10).json()


def start_provider(workdir: Path, redirect_uri: str, timeout: float = 120) -> Provider:
    """Start the provider (migrate its own SQLite file, make an RSA key, register one client for
    ``redirect_uri``, add PROVIDER_USERS) and return once it serves its discovery document."""
    config = {
        "database": str(workdir / "provider.sqlite3"),
        "redirect_uri": redirect_uri,
        "client_id": "csp-tracker-test",
        "client_secret": "provider-issued-client-secret",
    }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider_project.settings",
        "OIDC_TEST_PROVIDER": json.dumps(config),
    }
    log = open(workdir / "provider.log", "w+")  # kept open for the process's lifetime
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider_project.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    # The process prints the port it bound once everything is ready (port 0: no race for a free port).
    deadline = time.monotonic() + timeout
    line = process.stdout.readline()
    if not line.startswith("port "):
        process.kill()
        log.seek(0)
        raise RuntimeError(f"the test OpenID provider did not start:\n{line}{log.read()[-4000:]}")
    url = f"http://127.0.0.1:{int(line.split()[1])}"
    while time.monotonic() < deadline:
        try:
            discovery = requests.get(f"{url}/openid/.well-known/openid-configuration", timeout=5)
            issuer = discovery.json()["issuer"]
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("the test OpenID provider never answered")
    return Provider(url, issuer, config["client_id"], config["client_secret"], process, log)


def stop_provider(provider: Provider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()
        provider.process.wait()
    provider.process.stdout.close()
    provider.log.close()
