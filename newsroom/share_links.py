"""Share links of a story page: plain links to each platform's share address, and one by e-mail.

No script, no embedded button, no request while the page loads: a platform hears of the
reader only when the reader follows its link. The addresses are those the platforms document
for sharing without their scripts:

- Facebook: the sharer with the address in `u` (the share dialog `dialog/share` needs an app id);
- X: the Tweet Web Intent `intent/tweet` with `text` and `url` (developer.x.com, "Web Intent");
- LinkedIn: `sharing/share-offsite/` with `url`, the address LinkedIn's share plugin opens;
- WhatsApp: click to chat without a number, `wa.me/?text=` (WhatsApp's FAQ "How to use click to chat");
- Bluesky: the compose intent `bsky.app/intent/compose?text=` (docs.bsky.app, "Action Intent Links");
- e-mail: `mailto:` with subject and body (RFC 6068).

Mastodon has no share address of its own: each reader's instance is another server, and the
pages that ask for it are third parties. It is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

CHANNELS = ("facebook", "x", "linkedin", "whatsapp", "bluesky", "email")
BLUESKY_LIMIT = 300  # characters of a Bluesky post; the composer takes the rest from the reader


@dataclass(frozen=True)
class ShareLink:
    channel: str
    name: str  # the platform's name, shown; the words around it (theme/templates/_share.html) are the page's
    href: str


def _q(text: str) -> str:
    return quote(text, safe="")


def share_links(channels, url: str, title: str, note: str) -> list[ShareLink]:
    """The share links of a story (its absolute address and title) in the order of `channels`;
    `note` ends the e-mail's text (who sends the story, in the page's language)."""
    both = f"{title} {url}"
    if len(both) > BLUESKY_LIMIT:
        both = f"{title[:BLUESKY_LIMIT - len(url) - 2].rstrip()}… {url}"
    mail_body = f"{title}\r\n{url}\r\n\r\n{note}"
    made = {
        "facebook": ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={_q(url)}"),
        "x": ("X", f"https://twitter.com/intent/tweet?text={_q(title)}&url={_q(url)}"),
        "linkedin": ("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={_q(url)}"),
        "whatsapp": ("WhatsApp", f"https://wa.me/?text={_q(f'{title} {url}')}"),
        "bluesky": ("Bluesky", f"https://bsky.app/intent/compose?text={_q(both)}"),
        "email": ("E-Mail", f"mailto:?subject={_q(title)}&body={_q(mail_body)}"),
    }
    return [ShareLink(channel, *made[channel]) for channel in channels]
