"""A JupyterHub on 127.0.0.1 serving the deck as a course's hub does (docs/deploy.md, "A
large class on an existing JupyterHub"): each student logs in and gets their own Jupyter
server with Voila inside it, on the deck's landing page. For tests/hub/ and
benchmarks/hub_sizing.py; `make test-hub` installs what it needs.

The hub runs as whoever runs it (SimpleLocalProcessSpawner: no system user per student),
with DummyAuthenticator's one password, jupyterhub-idle-culler as a service, and an API
token for the caller (`Hub.api`).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .launch import free_port

# The page a student lands on (docs/deploy.md, item 3; the Binder badge opens the same).
DEFAULT_URL = "/voila/tree/notebooks"
INSTALL = (
    'make test-hub (pip install -e ".[hub]", and configurable-http-proxy from the npm '
    "registry into build/node_modules)"
)


def proxy_command(root: Path) -> Path:
    """configurable-http-proxy as the Makefile installs it."""
    return root / "build" / "node_modules" / ".bin" / "configurable-http-proxy"


def hub_available(root: Path) -> bool:
    return (
        importlib.util.find_spec("jupyterhub") is not None
        and importlib.util.find_spec("jupyterhub_idle_culler") is not None
        and proxy_command(root).exists()
    )


class HubDidNotStart(RuntimeError):
    pass


@dataclass
class Hub:
    url: str  # the proxy's public address, where students go
    token: str  # an admin API token (a service's)
    process: subprocess.Popen
    log: Path

    def api(self, method: str, path: str, body: dict | None = None) -> dict | list | None:
        """The hub's REST API (/hub/api/…) with the admin token; the answer's JSON."""
        request = urllib.request.Request(
            f"{self.url}/hub/api{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def server_pid(self, user: str) -> int | None:
        """The process id of a student's running server (the spawner's state), or None."""
        model = self.api("GET", f"/users/{user}")
        server = model.get("servers", {}).get("")
        return (server.get("state") or {}).get("pid") if server else None


def copy_deck(root: Path, dest: Path) -> Path:
    """The parts of the deck a student's server serves (notebooks, Voila's settings and
    templates), copied to `dest`: what students change or JupyterLab saves stays there."""
    for part in ("notebooks", "etc", "share"):
        shutil.copytree(root / part, dest / part, dirs_exist_ok=True)
    return dest


def hub_config(
    root: Path,
    deck: Path,
    workdir: Path,
    *,
    token: str,
    password: str,
    culled_users: list[str] | None,
    cull_timeout_s: int,
) -> dict:
    """The settings (trait: value) of a hub on free ports of 127.0.0.1 serving the deck in
    `deck` (a copy: copy_deck), its state in `workdir`; `root` holds the proxy.

    culled_users: the users whose idle servers the culler may stop (None: everyone's, as
    on a course's hub). A test narrows it with the hub's scope filters, so that a short
    timeout stops the server left idle on purpose and none that the test is still using."""
    bin_dir = Path(sys.executable).parent
    environment = {
        # Voila inside each student's server finds the deck's templates and settings, as
        # `start` gives them on Binder and repo2docker images (docs/deploy.md, item 2).
        "JUPYTER_PATH": str(deck / "share" / "jupyter"),
        "JUPYTER_CONFIG_PATH": str(deck / "etc" / "jupyter"),
        # this environment's jupyter and python first, for the server and its kernels
        "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")]),
        # the demos' precomputed data where make data put it
        **{k: os.environ[k] for k in ("FEATURIZE_CACHE", "OMP_NUM_THREADS") if k in os.environ},
    }
    culler_scopes = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
    if culled_users is not None:
        culler_scopes = [f"{s}!user={u}" for s in culler_scopes for u in culled_users]
    culler = [
        sys.executable,
        "-m",
        "jupyterhub_idle_culler",
        f"--timeout={cull_timeout_s}",
        f"--cull-every={max(1, cull_timeout_s // 3)}",
    ]
    settings = {
        "JupyterHub.bind_url": f"http://127.0.0.1:{free_port()}",
        "JupyterHub.hub_bind_url": f"http://127.0.0.1:{free_port()}",
        "ConfigurableHTTPProxy.api_url": f"http://127.0.0.1:{free_port()}",
        "ConfigurableHTTPProxy.command": [str(proxy_command(root))],
        "ConfigurableHTTPProxy.pid_file": str(workdir / "proxy.pid"),
        "JupyterHub.db_url": f"sqlite:///{workdir / 'jupyterhub.sqlite'}",
        "JupyterHub.cookie_secret_file": str(workdir / "cookie_secret"),
        "JupyterHub.pid_file": str(workdir / "jupyterhub.pid"),
        "JupyterHub.authenticator_class": "dummy",
        "DummyAuthenticator.password": password,
        "Authenticator.allow_all": True,
        # Each student's server runs as the hub's own user, in a home folder of its own;
        # no system account per student is needed (a course's hub uses containers).
        "JupyterHub.spawner_class": "simple",
        "SimpleLocalProcessSpawner.home_dir_template": str(workdir / "home" / "{username}"),
        "Spawner.cmd": [str(bin_dir / "jupyterhub-singleuser")],
        # Jupyter refuses to run as root unless told to (a container, CI)
        "Spawner.args": ["--allow-root"] if os.geteuid() == 0 else [],
        "Spawner.notebook_dir": str(deck),
        "Spawner.default_url": DEFAULT_URL,
        "Spawner.environment": environment,
        # a server and its first page start slowly on two busy cores
        "Spawner.start_timeout": 180,
        "Spawner.http_timeout": 120,
        "JupyterHub.services": [
            {"name": "idle-culler", "command": culler},
            {"name": "caller", "api_token": token},
        ],
        "JupyterHub.load_roles": [
            {"name": "idle-culler", "scopes": culler_scopes, "services": ["idle-culler"]},
            {
                "name": "caller",
                "scopes": ["admin:users", "admin:servers", "admin:server_state"],
                "services": ["caller"],
            },
        ],
    }
    return settings


def config_file(settings: dict) -> str:
    """The settings of hub_config as a jupyterhub_config.py."""
    lines = ["c = get_config()  # noqa"]
    lines += [f"c.{key} = {value!r}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def start_hub(
    root: Path,
    workdir: Path,
    *,
    password: str,
    culled_users: list[str] | None = None,
    cull_timeout_s: int = 1800,
    timeout: float = 120,
):
    """A JupyterHub serving a copy of the deck in `root` (workdir/deck), its state and log
    in `workdir`; yields a Hub. Stopped afterwards with every student's server and the
    proxy."""
    workdir.mkdir(parents=True, exist_ok=True)
    deck = copy_deck(root, workdir / "deck")
    token = secrets.token_hex(32)
    settings = hub_config(
        root,
        deck,
        workdir,
        token=token,
        password=password,
        culled_users=culled_users,
        cull_timeout_s=cull_timeout_s,
    )
    config = workdir / "jupyterhub_config.py"
    config.write_text(config_file(settings))
    log = workdir / "jupyterhub.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(config)],
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            start_new_session=True,  # Ctrl-C in a terminal reaches the caller only
        )
    hub = Hub(url=settings["JupyterHub.bind_url"], token=token, process=process, log=log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                hub.api("GET", "/")  # through the proxy: both are up
                break
            except (OSError, urllib.error.HTTPError):
                if process.poll() is not None:
                    raise HubDidNotStart(
                        f"jupyterhub exited with {process.returncode}; its log:\n"
                        + log.read_text()[-3000:]
                    ) from None
                if time.monotonic() > deadline:
                    raise HubDidNotStart(
                        f"jupyterhub did not answer within {timeout:.0f} s; its log:\n"
                        + log.read_text()[-3000:]
                    ) from None
                time.sleep(0.5)
        yield hub
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """Stop the hub; it stops the students' servers and the proxy itself. Whatever it
    started and left running (it did not stop in time, or died) is then ended by its id:
    servers start sessions of their own, so no process group holds them all."""
    import psutil  # a dependency of ipykernel

    started = []
    with contextlib.suppress(psutil.NoSuchProcess):
        started = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for child in started:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


def wait_for(condition, what: str, timeout_s: float, every_s: float = 0.5):
    """Poll condition() until it returns something true, which is returned; fails saying
    `what` after timeout_s. (The hub's API has no push for server state.)"""
    deadline = time.monotonic() + timeout_s
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout_s:.0f} s")
        time.sleep(every_s)
    return value
