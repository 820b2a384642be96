"""Make nglview's Python side ask for the browser module that is actually installed.

nglview 4.0.1 asks the browser for "nglview-js-widgets" version 4.0, but the JupyterLab
extension inside its wheel registers version 3.1.5, so JupyterLab and Voila show
"Module nglview-js-widgets, version 4.0 is not registered" instead of a molecule
(nglview issues #1181 and #1172). nglview reads the version from nglview._frontend
while it imports, and displays a widget at import time, so the fix must be in place
before the first `import nglview`: we put a nglview._frontend module holding the
installed extension's version into sys.modules. Delete this file once a release ships
matching versions.
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

from jupyter_core.paths import jupyter_path

EXTENSION = "nglview-js-widgets"


def installed_frontend_version() -> str | None:
    """The version of the nglview JupyterLab extension Jupyter and Voila will load."""
    for folder in jupyter_path("labextensions"):
        package = Path(folder, EXTENSION, "package.json")
        if package.is_file():
            return json.loads(package.read_text())["version"]
    return None


def ask_for_installed_frontend() -> None:
    version = installed_frontend_version()
    if version is None or "nglview" in sys.modules:
        return  # nothing to match, or too late to change what nglview asks for
    frontend = types.ModuleType("nglview._frontend")
    frontend.__frontend_version__ = version
    sys.modules["nglview._frontend"] = frontend


# On import of featurize.panels, which imports nglview only for a 3-D view: a notebook (or
# a test) that imports nglview after featurize.panels gets the matching version too.
ask_for_installed_frontend()
