"""Jupyter Server settings for the deck's servers on Binder and JupyterHub, found through
JUPYTER_CONFIG_PATH (set by `start`, or by the hub's spawner: docs/deploy.md). `make serve`
and `make present` (standalone Voila, which compresses with deck_server.compression) and
`make lab` do not read it.
"""

c = get_config()  # noqa: F821 (traitlets provides get_config in config files)

# A demo page fetches about 10 MB of JavaScript. Inside Jupyter Server the deck's own
# compression does not run, and a hub's proxy (configurable-http-proxy) sends what it gets:
# without this every student's browser receives it uncompressed (measured on the test hub,
# docs/deploy.md). tornado gzips each response as it streams, on the student's own server.
c.ServerApp.tornado_settings = {"compress_response": True}

# Voila inside Jupyter Server reads etc/jupyter/voila.py for its own settings only
# (VoilaConfiguration): the kernel settings there apply to standalone Voila alone. A
# student's server culls the kernels of pages closed 10 minutes ago here, as standalone
# Voila does; kernels with a browser connected (an open page, the lecture in JupyterLab) stay.
c.MappingKernelManager.cull_idle_timeout = 600
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False
