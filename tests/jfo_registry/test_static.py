"""Static files in production: the vendored design system passes the manifest storage, pages name
hashed files, and `check --deploy` fails when the manifest is missing or stale."""

import json
import re
import shutil

import pytest
from django.conf import settings
from django.core.management.base import CommandError
from django.test import override_settings

from jfo_registry.management.commands.build_assets import build, unresolved_references
from tests.jfo_registry.production import manage

GCDS = settings.BASE_DIR / "node_modules" / "@gcds-core"
MANIFEST_STORAGE = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_the_vendored_stylesheets_refer_only_to_files_that_are_there(tmp_path):
    build(GCDS, tmp_path / "gcds")
    assert unresolved_references(tmp_path / "gcds") == []
    stylesheets = {path.relative_to(tmp_path / "gcds").as_posix() for path in (tmp_path / "gcds").rglob("*.css")}
    # The fonts package's own stylesheets (placeholder paths) are combined into fonts.css, not copied.
    assert "fonts/fonts.css" in stylesheets and not any(name.startswith("fonts/noto-sans/") for name in stylesheets)
    fonts_css = (tmp_path / "gcds" / "fonts" / "fonts.css").read_text(encoding="utf-8")
    assert 'url("noto-sans/gcds-noto-sans-light.woff2")' in fonts_css
    assert 'url("icons/gcds-icons.woff")' in fonts_css
    assert not re.search(r"url\(\s*[\"']?(path/to/file|<path-to-file>)", fonts_css)


def fake_design_system(root, font_url: str):
    """The packages' layout with one font family whose stylesheet refers to `font_url`."""
    (root / "components" / "dist" / "gcds").mkdir(parents=True)
    (root / "components" / "dist" / "gcds" / "gcds.css").write_text("gcds-button { color: red; }")
    for family in ("lato", "noto-sans", "noto-sans-mono", "icons"):
        (root / "fonts" / "fonts" / family).mkdir(parents=True)
        (root / "fonts" / "fonts" / family / f"{family}.woff2").write_bytes(b"wOF2")
    (root / "fonts" / "fonts" / "lato" / "gcds-lato.css").write_text(
        f'/* Replace path/to/file with the correct path */\n@font-face {{ src: url("{font_url}"); }}'
    )
    return root


def test_build_rewrites_the_font_placeholders(tmp_path):
    build(fake_design_system(tmp_path / "src", "path/to/file/lato.woff2"), tmp_path / "out")
    assert 'url("lato/lato.woff2")' in (tmp_path / "out" / "fonts" / "fonts.css").read_text()
    assert not (tmp_path / "out" / "fonts" / "lato" / "gcds-lato.css").exists()


def test_build_refuses_a_stylesheet_that_refers_to_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"fonts/fonts.css: lato/gone.woff2"):
        build(fake_design_system(tmp_path / "src", "path/to/file/gone.woff2"), tmp_path / "out")


def test_collectstatic_with_production_settings_hashes_the_design_system(production_static):
    manifest = json.loads((production_static / "staticfiles.json").read_text())["paths"]
    hashed_css = manifest["vendor/gcds/fonts/fonts.css"]
    assert hashed_css != "vendor/gcds/fonts/fonts.css"
    css = (production_static / hashed_css).read_text(encoding="utf-8")
    font = manifest["vendor/gcds/fonts/noto-sans/gcds-noto-sans-light.woff2"]
    assert f'url("{font.removeprefix("vendor/gcds/fonts/")}")' in css  # the font is named by its hash
    assert (production_static / font).is_file()


@pytest.mark.django_db
def test_pages_name_the_hashed_static_files(client, production_static):
    with override_settings(STORAGES=MANIFEST_STORAGE, STATIC_ROOT=production_static):
        response = client.get("/accounts/login/", secure=True)
    assert response.status_code == 200
    assert re.search(r'href="/static/vendor/gcds/components/gcds\.[0-9a-f]{12}\.css"', response.content.decode())


def deploy_check(static_root) -> str:
    result = manage(
        "check", "--deploy", STATIC_ROOT=str(static_root), REDIS_URL="redis://127.0.0.1:6379/0",
        TRUSTED_PROXY_COUNT="1",
    )
    return result.stdout + result.stderr


def test_the_deployment_check_fails_without_the_static_manifest(tmp_path):
    output = deploy_check(tmp_path)
    assert f"(jfo_registry.E001) The static files manifest {tmp_path}/staticfiles.json is missing" in output


def test_the_deployment_check_fails_when_collectstatic_has_not_run_since_an_upgrade(tmp_path, production_static):
    shutil.copy(production_static / "staticfiles.json", tmp_path / "staticfiles.json")
    stored = json.loads((tmp_path / "staticfiles.json").read_text())
    del stored["paths"]["vendor/gcds/fonts/fonts.css"]  # as if the file were new in this version
    (tmp_path / "staticfiles.json").write_text(json.dumps(stored))
    output = deploy_check(tmp_path)
    assert "(jfo_registry.E002)" in output and "lacks 1 file(s) the pages may use: vendor/gcds/fonts/fonts.css." in output
