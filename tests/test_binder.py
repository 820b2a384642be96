"""Binder and JupyterHub take the repository as it is (repo2docker), and open the demos in Voila."""

import gzip
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_repo2docker_accepts_the_repository():
    done = subprocess.run(
        [BIN / "jupyter-repo2docker", "--no-build", "--debug", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dockerfile = done.stdout + done.stderr
    assert "conda environment for python=3.11" in dockerfile
    assert '--file "environment.yml"' in dockerfile
    assert "RUN ./postBuild" in dockerfile  # the data cache, baked into the image
    assert 'R2D_ENTRYPOINT="${REPO_DIR}/start"' in dockerfile


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~ \[;]", item.strip(), maxsplit=1)[0].lower() for item in requirements}


def test_environment_yml_has_every_dependency_of_pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = [
        line.strip().removeprefix("- ").split("#")[0]
        for line in (ROOT / "environment.yml").read_text().splitlines()
        if line.strip().startswith("- ")
    ]
    assert names(project["dependencies"]) <= names(listed)
    assert "-e ." in listed  # the package itself


def test_readme_badge_opens_the_voila_landing_page():
    readme = (ROOT / "README.md").read_text()
    badge = re.search(r"\(https://mybinder\.org/v2/gh/[^)]+\)", readme)
    assert badge, "no Binder badge"
    assert badge.group(0).endswith("?urlpath=voila%2Ftree%2Fnotebooks)")


def test_start_points_jupyter_at_the_deck():
    done = subprocess.run(
        [ROOT / "start", "env"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    env = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    assert env["JUPYTER_PATH"] == str(ROOT / "share" / "jupyter")
    assert env["JUPYTER_CONFIG_PATH"] == str(ROOT / "etc" / "jupyter")


@pytest.fixture(scope="module")
def jupyter_server():
    """Jupyter's server with Voila inside it, as Binder starts it (through ./start)."""
    from deck_server.launch import free_port

    port = free_port()
    server = subprocess.Popen(
        [
            ROOT / "start",
            BIN / "jupyter",
            "server",
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--IdentityProvider.token=",
            f"--ServerApp.root_dir={ROOT}",
        ],
        cwd=ROOT,
        env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("Jupyter's server did not start within 90 s")
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_binder_landing_page_lists_every_demo(jupyter_server):
    with urllib.request.urlopen(f"{jupyter_server}/voila/tree/notebooks", timeout=60) as page:
        html = page.read().decode()
    demos = sorted(path.stem for path in (ROOT / "notebooks" / "demos").glob("*.ipynb"))
    links = re.findall(r'href="/voila/render/notebooks/demos/([\w-]+)\.ipynb"', html)
    assert links == demos
    for name in demos:
        picture = f"/voila/files/notebooks/img/thumb-{name}.png"
        assert picture in html
        with urllib.request.urlopen(f"{jupyter_server}{picture}", timeout=30) as image:
            assert image.read(8) == b"\x89PNG\r\n\x1a\n"


def test_binder_server_gzips_what_it_sends(jupyter_server):
    # etc/jupyter/jupyter_server_config.py: inside Jupyter Server the deck's own compression
    # does not run, and nothing in front of Binder's or a hub's server compresses
    url = f"{jupyter_server}/voila/static/voila.js"
    with urllib.request.urlopen(url, timeout=60) as answer:  # asking for no encoding
        plain = answer.read()
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.headers["Content-Encoding"] == "gzip"
        packed = answer.read()
    assert gzip.decompress(packed) == plain and len(packed) < len(plain) / 2
