"""What counts as a secret: values read as such are masked everywhere; names only checked for presence are not."""

from newsroom.secrets import Credentials, redact


def test_a_handle_checked_for_presence_does_not_mask_the_city_domain():
    environ = {"NEWSROOM_BLUESKY_HANDLE": "stadt-test.example", "NEWSROOM_BLUESKY_APP_PASSWORD": "pw-5c1e9a7f3b"}
    credentials = Credentials("bluesky", environ)
    assert credentials.missing(["HANDLE", "APP_PASSWORD", "BASE_URL"]) == ["NEWSROOM_BLUESKY_BASE_URL"]
    assert redact("https://www.stadt-test.example/aktuelles/") == "https://www.stadt-test.example/aktuelles/"
    assert credentials.require("APP_PASSWORD") == "pw-5c1e9a7f3b"
    assert "pw-5c1e9a7f3b" not in redact("login with pw-5c1e9a7f3b failed")
