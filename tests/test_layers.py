"""The compute layer stands alone: importing it pulls in no widget or plotting library."""

import subprocess
import sys

import featurize


def test_compute_layer_imports_no_widgets():
    code = (
        "import sys, featurize\n"
        "banned = {'ipywidgets', 'plotly', 'nglview', 'matplotlib'} & set(sys.modules)\n"
        "print(sorted(banned))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_public_names_exist():
    for name in featurize.__all__:
        assert hasattr(featurize, name), name
