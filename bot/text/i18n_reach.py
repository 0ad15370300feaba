"""Messages and command strings for digests beyond plain channels: forum posts, new threads,
personal follows in DMs, and the warning before repeated failures pause a subscription.

Merged into `bot.text.i18n.MESSAGES` and `COMMAND_TRANSLATIONS`, and looked up like every
other message. Kept apart so that the catalogue stays within 500 lines a module.
"""

# A message catalogue: Japanese text counts double towards the line width.
# ruff: noqa: E501

from __future__ import annotations

REACH_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "error.unknown_forum_tag": "{forum} has no tag called “{tag}”. Its tags: {tags}.",
        "error.too_many_forum_tags": "A forum post takes at most {limit} tags.",
        "error.forum_requires_tag": "{forum} requires a tag on every post: choose one or more with the tags option.",
        "error.tags_need_forum": "Tags belong to forum posts, and {channel} is not a forum. Leave tags empty, or choose a forum.",
        "error.new_thread_needs_text_channel": "thread: new opens a thread in a text or announcement channel, and {channel} is a forum or a thread. Choose its parent channel, or leave thread at none.",
        "error.not_following": "You don't follow {topic}. /briefing following lists what you follow.",
        "digest.target.forum": "Each digest opens a new post (tags: {tags}).",
        "digest.target.forum_untagged": "Each digest opens a new post.",
        "digest.target.new_thread": "Each digest opens a new thread from its first message.",
        "digest.target.dm": "Each digest goes to your direct messages.",
        "digest.failure_warning": "The digest for {channel} has failed {count} times in a row: {reason}. After {left} more failure(s) it will be paused. Check that I can see and post in {channel}; /digest why shows each run.",
        "follow.followed": "You follow {topics} in your direct messages: `{schedule}` ({timezone}). Next digest {next_due}.",
        "follow.updated": "Your follows: {topics}, `{schedule}` ({timezone}). Next digest {next_due}.",
        "follow.unfollowed": "You no longer follow {topic}. You still follow {topics}.",
        "follow.unfollowed_last": "You no longer follow {topic}; that was your last follow, so no more digests will come to your direct messages.",
        "follow.none": "You follow no topic. /briefing follow sends a topic's digests to your direct messages.",
        "follow.where": "your direct messages",
        "follow.title": "Your follows: {topics}",
        "follow.paused_notice": "Your digests of {topics} are paused: Discord would not deliver them to your direct messages ({reason}). Allow direct messages from this app (server privacy settings), then use /briefing follow to restart them.",
    },
    "ja": {
        "error.unknown_forum_tag": "{forum} には「{tag}」というタグがありません。使えるタグ: {tags}。",
        "error.too_many_forum_tags": "フォーラムの投稿に付けられるタグは {limit} 個までです。",
        "error.forum_requires_tag": "{forum} ではすべての投稿にタグが必要です。tags オプションで 1 つ以上選んでください。",
        "error.tags_need_forum": "タグはフォーラムの投稿に付けるもので、{channel} はフォーラムではありません。tags を空にするか、フォーラムを選んでください。",
        "error.new_thread_needs_text_channel": "thread: new はテキストまたはアナウンスチャンネルにスレッドを作りますが、{channel} はフォーラムかスレッドです。親チャンネルを選ぶか、thread を none のままにしてください。",
        "error.not_following": "{topic} はフォローしていません。/briefing following でフォロー中のトピックを確認できます。",
        "digest.target.forum": "ダイジェストごとに新しい投稿を作ります(タグ: {tags})。",
        "digest.target.forum_untagged": "ダイジェストごとに新しい投稿を作ります。",
        "digest.target.new_thread": "ダイジェストごとに最初のメッセージからスレッドを作ります。",
        "digest.target.dm": "ダイジェストはあなたの DM に届きます。",
        "digest.failure_warning": "{channel} のダイジェストが {count} 回続けて失敗しました: {reason}。あと {left} 回失敗すると一時停止します。ボットが {channel} を閲覧・投稿できるか確認してください。/digest why で各回の結果を確認できます。",
        "follow.followed": "{topics} を DM でフォローしました: `{schedule}`({timezone})。次回は {next_due}。",
        "follow.updated": "フォロー中: {topics}、`{schedule}`({timezone})。次回は {next_due}。",
        "follow.unfollowed": "{topic} のフォローをやめました。引き続き {topics} をフォローしています。",
        "follow.unfollowed_last": "{topic} のフォローをやめました。これが最後のフォローだったため、DM へのダイジェストは届かなくなります。",
        "follow.none": "フォロー中のトピックはありません。/briefing follow でトピックのダイジェストを DM で受け取れます。",
        "follow.where": "あなたの DM",
        "follow.title": "フォロー中: {topics}",
        "follow.paused_notice": "{topics} のダイジェストを一時停止しました。Discord が DM に届けられませんでした({reason})。このアプリからの DM を許可し(サーバーのプライバシー設定)、/briefing follow で再開してください。",
    },
}

REACH_COMMANDS: dict[str, str] = {
    "tags": "タグ",
    "thread": "スレッド",
    "new": "新規",
    "none": "なし",
    "Forum channels: tags for each digest's post, separated by commas": (
        "フォーラム: ダイジェストの投稿に付けるタグ(カンマ区切り)"
    ),
    "new: each digest opens a thread from its first message, holding the rest": (
        "new: ダイジェストごとに最初のメッセージからスレッドを作り、残りをそこに投稿"
    ),
    "follow": "フォロー",
    "unfollow": "フォロー解除",
    "following": "フォロー中",
    "Get a topic's digests in your direct messages, on your own schedule.": (
        "トピックのダイジェストを自分のスケジュールで DM に受け取ります。"
    ),
    "Stop getting a topic's digests in your direct messages.": (
        "トピックのダイジェストを DM で受け取るのをやめます。"
    ),
    "What you follow: the next digest, the last runs and what waits.": (
        "フォロー中のトピック: 次回の予定、最近の結果、待機中の変更。"
    ),
    "The briefing to follow": "フォローするブリーフィング",
    "The briefing to stop following": "フォローをやめるブリーフィング",
    "daily HH:MM, weekdays HH:MM, weekly mon HH:MM, or a 5-field cron (default: daily 09:00)": (
        "daily HH:MM、weekdays HH:MM、weekly mon HH:MM、または 5 項目の cron(既定: daily 09:00)"
    ),
    "An IANA time zone such as Asia/Tokyo": "Asia/Tokyo のような IANA タイムゾーン",
}
