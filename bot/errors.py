"""Domain errors whose messages are safe to show to a Discord user.

Each error names a message key from `bot.text.i18n` and the values that fill it, so the
one error handler can reply in the user's own language.
"""

from __future__ import annotations

import reprlib
from typing import Any

# Parameters as logs and tracebacks show them: what a user typed can be 6,000 characters.
_PARAMS_REPR = reprlib.Repr()
_PARAMS_REPR.maxstring = 80
_PARAMS_REPR.maxother = 80
_PARAMS_REPR.maxlist = _PARAMS_REPR.maxtuple = _PARAMS_REPR.maxdict = 10


class UserFacingError(Exception):
    """An error caused by what a user asked for, explained to them in their language."""

    key = "error.generic"

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.key)

    def __str__(self) -> str:
        return f"{self.key}: {_PARAMS_REPR.repr(self.params)}"


class TopicNotFound(UserFacingError):
    """No briefing has the id or alias the user typed."""

    key = "error.topic_not_found"


class SectionNotFound(UserFacingError):
    """The briefing has no section with the id or heading the user typed."""

    key = "error.section_not_found"


class InvalidSchedule(UserFacingError):
    """A digest schedule that is not one of the accepted forms."""

    key = "error.invalid_schedule"


class InvalidTimezone(UserFacingError):
    """A time zone that is not an IANA name."""

    key = "error.invalid_timezone"


class InvalidTopics(UserFacingError):
    """A digest topic list that names unknown topics."""

    key = "error.invalid_topics"


class NotAllowed(UserFacingError):
    """The user lacks the permission a command needs."""

    key = "error.not_allowed"


class AdminOnly(UserFacingError):
    """An admin command used by someone who is not a briefbot admin."""

    key = "error.admin_only"


class NotSubscribed(UserFacingError):
    """A digest command about a channel that has no subscription."""

    key = "error.not_subscribed"


class ChannelNotInGuild(UserFacingError):
    """A digest command naming a channel that is not a text channel of this server."""

    key = "error.channel_not_in_guild"


class BotMissingPermission(UserFacingError):
    """The bot lacks a permission it needs to post digests in a channel."""

    key = "error.bot_missing_permission"


class BotWideOnly(UserFacingError):
    """Figures across every server asked for by someone who is not a bot-wide admin."""

    key = "error.bot_wide_only"


class RoleNotMentionable(UserFacingError):
    """A subscription asks to ping a role the bot may not mention in that channel."""

    key = "error.role_not_mentionable"


class NotAnnouncementChannel(UserFacingError):
    """`publish` asked for in a channel that is not an announcement channel."""

    key = "error.not_announcement_channel"


class EveryoneNotAllowed(UserFacingError):
    """A subscription asks to ping @everyone (the guild's default role)."""

    key = "error.everyone_not_allowed"


class UnknownForumTag(UserFacingError):
    """A forum tag the forum does not have."""

    key = "error.unknown_forum_tag"


class TooManyForumTags(UserFacingError):
    """More forum tags than Discord applies to one post."""

    key = "error.too_many_forum_tags"


class ForumRequiresTag(UserFacingError):
    """A forum that requires a tag on every post, and no tag was chosen."""

    key = "error.forum_requires_tag"


class TagsNeedForum(UserFacingError):
    """Forum tags chosen for a channel that is not a forum."""

    key = "error.tags_need_forum"


class NewThreadNeedsTextChannel(UserFacingError):
    """`thread: new` chosen for a forum or a thread, which cannot hold new threads."""

    key = "error.new_thread_needs_text_channel"


class NotFollowing(UserFacingError):
    """`/briefing unfollow` of a topic the member does not follow."""

    key = "error.not_following"
