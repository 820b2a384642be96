"""Response headers for a public server: a Content-Security-Policy the pages satisfy, no
server version, no referrer sent elsewhere.

Jupyter's handlers send `Content-Security-Policy: frame-ancestors 'self'; report-uri …`
(a report endpoint Voila does not serve) and tornado names itself and its version in
`Server`. This output transform, applied to every response of standalone Voila, replaces
the one and drops the other. Under Jupyter Server (Binder, JupyterHub) the hub's proxy
sets headers (docs/deploy.md).
"""

from __future__ import annotations

import tornado.web
from tornado.httputil import HTTPHeaders

from ._shape import expect

# What the pages load, and nothing else: scripts from this server, inline (Voila's page
# setup, MathJax's settings) and as blob: modules (anywidget turns each widget's code into
# one); eval for the widget manager's and plotly's compiled expressions; the kernel's
# websocket; pictures inline (data:, blob:) as plotly and nglview make them.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' ws: wss: data: blob:",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}

expect(tornado.web.OutputTransform, "transform_first_chunk", ("status_code", "headers", "chunk", "finishing"), "deck_server.headers")  # fmt: skip


class SecurityHeaders(tornado.web.OutputTransform):
    def transform_first_chunk(
        self, status_code: int, headers: HTTPHeaders, chunk: bytes, finishing: bool
    ):
        if "Server" in headers:
            del headers["Server"]
        for name, value in SECURITY_HEADERS.items():
            headers[name] = value
        return status_code, headers, chunk
