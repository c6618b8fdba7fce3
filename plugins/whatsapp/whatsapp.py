"""whatsapp: the city's WhatsApp channel, posted by hand from the desk.

WhatsApp Channels offer no API for posting (the WhatsApp Business Platform sends messages to
people, not to a channel), and unofficial gateways that drive a logged-in app break the terms
of use and can cost the account: this adapter never talks to WhatsApp. Its send is a manual
task (ManualTask): the claim records the text and the picture the desk offers for copying,
the run records the task as open, and the desk shows it until an editor confirms it was
posted (newsroom/desk/actions.confirm_manual, or `invoke publish --story ID --channel whatsapp
--done`); confirming a task already confirmed records nothing. Corrections and withdrawal are
manual tasks too.
"""

from __future__ import annotations

from collections.abc import Mapping

from newsroom.errors import ManualTask
from newsroom.publishing.channel import Channel, ClaimFiles, Delivery, Post, Release, SendContext, channel_adapters

# What the desk says where the post went (the channel has no address per post).
WHERE = "im WhatsApp-Kanal der Stadt"


class WhatsAppChannel(Channel):
    name = "whatsapp"
    label = "WhatsApp-Kanal"
    idempotent = False
    can_look_up = False

    def render(self, release: Release) -> Post:
        text = self.template_text(release)
        # The 1.91:1 card crop: WhatsApp shows a picture with a caption like a link preview.
        image_url, image_file = self.picture(release)
        alt = release.image_alt or ""
        payload = {"text": text, **({"image_url": image_url, "alt": alt} if image_url else {})}
        return Post(self.name, release.story.id, text, link=release.url, media=(image_url,) if image_url else (),
                    payload=payload, alt=alt, image=image_file)

    def prepare_claim(self, post: Post, detail: Mapping, files: ClaimFiles) -> dict:
        """The text and picture as approved and claimed: what the desk offers for copying."""
        return {"text": post.text, **({"image_url": post.media[0], "alt": post.alt} if post.media else {})}

    def send(self, post: Post, context: SendContext) -> Delivery:
        raise ManualTask(f"{self.label}: WhatsApp bietet keine Schnittstelle zum Posten in Kanälen. Bitte Text und "
                         f"Bild vom Desk kopieren, {WHERE} posten und dann auf dem Desk als gepostet bestätigen.")

    def correct(self, post: Post, context: SendContext) -> Delivery:
        raise ManualTask(f"{self.label}: Bitte die Berichtigung von Hand {WHERE} posten (oder den Beitrag dort "
                         f"bearbeiten) und dann bestätigen: {post.text}")

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        raise ManualTask(f"{self.label}: Bitte den Beitrag zu dieser Meldung von Hand {WHERE} löschen und dann "
                         "bestätigen.")


def adapters(_sender):
    return WhatsAppChannel


def register() -> None:
    channel_adapters.connect(adapters)
