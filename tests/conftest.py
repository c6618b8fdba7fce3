import pytest

from tests.fakes.mastodon import FakeMastodon
from tests.publishing_support import mastodon_env
from tests.support import Site


@pytest.fixture
def site(tmp_path):
    """A content folder in a real git repository (with a bare origin)."""
    return Site(tmp_path / "site")


@pytest.fixture
def plain_site(tmp_path):
    """A content folder outside any git repository."""
    return Site(tmp_path / "plain", with_git=False)


@pytest.fixture
def mastodon(monkeypatch):
    """A Mastodon-shaped server on loopback, its address and token in the environment."""
    with FakeMastodon() as server:
        mastodon_env(monkeypatch, server)
        yield server
