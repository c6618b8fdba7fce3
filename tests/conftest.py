import pytest

from tests.support import Site


@pytest.fixture
def site(tmp_path):
    """A content folder in a real git repository (with a bare origin)."""
    return Site(tmp_path / "site")


@pytest.fixture
def plain_site(tmp_path):
    """A content folder outside any git repository."""
    return Site(tmp_path / "plain", with_git=False)
