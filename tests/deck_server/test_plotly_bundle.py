"""deck_server.plotly_bundle: the lean widget code, built once, and the contract by which
the server tells its kernels about it."""

import json

import pytest

from deck_server import plotly_bundle

FAKE_UMD = (
    '(function(t,e){typeof m=="object"&&m.exports?m.exports=e():t.moduleName=e()})'
    "(this,function(){var P={};return window.Plotly=P,P})"
)


def test_the_plotly_inside_the_widget_code_is_swapped():
    bundle = f"var m={{}};{FAKE_UMD};widget(m.exports)"
    lean = plotly_bundle.lean_widget_bundle(bundle, "CARTESIAN")
    # and window.Plotly set, as plotly's own wrapper does (the first paints draw with it)
    assert (
        lean
        == "var m={};(function(module){CARTESIAN\nwindow.Plotly=module.exports})(m);widget(m.exports)"
    )
    assert plotly_bundle.lean_widget_bundle("no plotly in here", "CARTESIAN") is None
    assert plotly_bundle.lean_widget_bundle(bundle + FAKE_UMD, "CARTESIAN") is None  # two


def test_the_installed_plotly_bundle_has_the_shape_the_swap_expects():
    code = plotly_bundle.plotly_widget_code().read_text(encoding="utf-8")
    assert plotly_bundle.lean_widget_bundle(code, "/* cartesian */") is not None


@pytest.fixture
def built(tmp_path):
    cartesian = tmp_path / "plotly-cartesian.min.js"
    cartesian.write_text("/* plotly.js (cartesian - minified) */ window.Plotly={}")
    static = tmp_path / "static"
    return static, plotly_bundle.build(static, cartesian), cartesian


def test_the_build_writes_the_lean_code_and_says_what_it_was_built_from(built):
    static, stamp, cartesian = built
    code = static / plotly_bundle.BUNDLE_NAME
    assert (
        stamp["lean"] and stamp["source_bytes"] == plotly_bundle.plotly_widget_code().stat().st_size
    )
    assert b"plotly.js (cartesian - minified)" in code.read_bytes()
    written = code.stat().st_mtime_ns
    assert plotly_bundle.build(static, cartesian) == stamp
    assert code.stat().st_mtime_ns == written  # the same inputs: nothing rebuilt
    assert plotly_bundle.build(static, None)["lean"] is False  # no cartesian build: whole


def test_a_build_made_the_old_way_is_made_again(built):
    static, stamp, cartesian = built
    code = static / plotly_bundle.BUNDLE_NAME
    old = {key: value for key, value in stamp.items() if key != "format"}  # before format 2
    (static / plotly_bundle.STAMP_NAME).write_text(json.dumps(old))
    code.write_text("the old bundle, without window.Plotly")
    assert plotly_bundle.build(static, cartesian) == stamp
    assert "window.Plotly=module.exports" in code.read_text()


def test_kernels_are_told_where_the_code_is_only_if_it_matches_their_plotly(built):
    static, _stamp, _cartesian = built
    environ = {}
    assert plotly_bundle.announce([static.parent / "elsewhere", static], environ) == static
    module = plotly_bundle.served_module("/base/", environ)
    assert f'"/base/{plotly_bundle.ROUTE}"' in module and "import(" in module
    # a kernel with another plotly (say, after an upgrade without a rebuild) keeps its own
    other = {plotly_bundle.ENVIRONMENT_VARIABLE: json.dumps({"route": "x", "source_bytes": 1})}
    assert plotly_bundle.served_module("/", other) is None
    assert plotly_bundle.served_module("/", {}) is None


def test_a_stale_build_is_not_announced(built):
    static, stamp, _cartesian = built
    (static / plotly_bundle.STAMP_NAME).write_text(json.dumps({**stamp, "source_bytes": 1}))
    environ = {plotly_bundle.ENVIRONMENT_VARIABLE: "left from before"}
    assert plotly_bundle.announce([static], environ) is None
    assert plotly_bundle.ENVIRONMENT_VARIABLE not in environ
