"""The sends that go before everything else (the crisis message: first alert, each update, the
all-clear) in the previews: each version's post per channel drawn the way the publish run draws it
(the sendables' own `render`), validated in every check, and their place at the top of the overview
with the desk's approval state (newsroom/desk/week.py priority_sends)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from newsroom.desk.approvals import URGENT
from newsroom.desk.week import desk_sources, priority_sends
from newsroom.errors import ContentError
from newsroom.publishing.plan import DUE, RESEND, Plan, note_sendables

from .views import ChannelView, channel_view


@dataclass(frozen=True)
class PriorityPreview:
    """One version of a priority send as its preview page shows it."""

    card: object  # newsroom.crisis.sends.CrisisCard
    field: str  # the field of the file its text comes from (text, updates[2].text, all_clear)
    views: tuple[ChannelView, ...]
    left_out: tuple[tuple[str, str], ...]  # (channel, why) the send leaves out


def priority_groups(sendables) -> list:
    return [group for group in sendables if getattr(group, "priority", False) and hasattr(group, "render")]


def priority_previews(groups, adapters: dict, receipt, recorded: set[str], labels: dict,
                      errors: list) -> list[PriorityPreview]:
    """Every version's post on each of its channels; a post the channel would refuse (after the sends
    fitted the text to its limit) is an error naming the file and the field its text comes from."""
    found = []
    for group in groups:
        left_out = tuple(getattr(group, "left_out_channels", {}).get(group.key, ()))
        for card, field in group.preview_cards(receipt, recorded):
            views = []
            for name in card.channels:
                adapter = adapters.get(name)
                if adapter is None:
                    views.append(ChannelView(name, name, None))
                    continue
                try:
                    post = group.render(adapter, card)
                except ContentError as exc:
                    errors.append(ContentError(card.source, f"{card.title} ({adapter.label}): {exc.message}",
                                               field=field))
                    views.append(ChannelView(name, adapter.label, None, (exc.message,)))
                    continue
                problems = adapter.validate(post)
                errors.extend(ContentError(card.source, _crisis_problem(card.title, adapter.label, name, problem),
                                           field=field) for problem in problems)
                views.append(channel_view(name, adapter, post, problems, group.release(card), labels))
            found.append(PriorityPreview(card, field, tuple(views), left_out))
    return found


def with_priority_sends(plan: Plan, sendables, settings: dict) -> Plan:
    """The plan with the priority sends before every story, held ones marked as waiting for approval
    (or named as approved urgently, with the reason), and the channels they leave out."""
    groups = priority_groups(sendables)
    if not groups:
        return plan
    items, _notices = priority_sends(groups, desk_sources(settings), settings, settings["BUILD_NOW"])
    entries = []
    for item in items:
        urgent = item.verdict is not None and item.verdict.status == URGENT
        entries.extend(replace(entry, note=item.verdict.label) if urgent and entry.state in (DUE, RESEND) else entry
                       for entry in item.entries)
    plan.entries[:0] = entries
    return note_sendables(plan, groups)


def _crisis_problem(title: str, label: str, channel: str, problem: str) -> str:
    """The channel's problem said for the crisis file, which has no `channels.<name>.text` of its own."""
    problem = problem.replace(f" Bitte unter channels.{channel}.text kürzen.", "")
    return (f"{title} ({label}): {problem} So geht diese Fassung an diesen Kanal nicht, auch nicht gekürzt: bitte das Feld "
            "(oder den Titel) kürzen oder den Kanal aus „channels“ nehmen.")
