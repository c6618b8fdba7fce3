"""The press distribution list (newsroom/mail/recipients.py, which the subscription service's
import reads lists with too): the recipients, the loader and the keyed hash of the record."""

from newsroom.mail.recipients import (
    ALL,
    COLUMNS,
    LINK_COLUMNS,
    Recipient,
    RecipientList,
    load,
    parse,
    recipient_key,
    refusals_url,
)

__all__ = ["ALL", "COLUMNS", "LINK_COLUMNS", "Recipient", "RecipientList", "load", "parse", "recipient_key", "refusals_url"]
