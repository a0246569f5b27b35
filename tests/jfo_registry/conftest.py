import pytest

from tests.jfo_registry.production import manage


@pytest.fixture(scope="session")
def production_static(tmp_path_factory):
    """STATIC_ROOT filled by `collectstatic` with the production settings (manifest storage), once."""
    root = tmp_path_factory.mktemp("static")
    result = manage("collectstatic", "--no-input", STATIC_ROOT=str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    return root
