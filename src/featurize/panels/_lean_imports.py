"""Spare every kernel the ~3 s plotly's import spends building a grammar it never uses.

plotly.io imports nbformat (only to check its version before rendering), nbformat imports
jsonschema, and jsonschema, when the optional package rfc3987-syntax is installed (it is:
jupyter-events asks for it), compiles three Earley parsers for RFC 3987 IRIs at import
time. That is most of a demo kernel's start-up. Nothing in a kernel validates IRIs
against a JSON schema, so we mark that optional module as absent before plotly is first
imported: None in sys.modules makes its import raise ImportError, which jsonschema
expects, and it then only skips the "iri" format check. Nothing else changes, and only
in a process that imports featurize.panels.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)
