"""Every user-visible string, in English and Japanese.

Labels follow the briefing's own language; errors follow the user's Discord locale.
Any other language falls back to English.
"""

from __future__ import annotations

from typing import Any

DEFAULT_LANGUAGE = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "label.key_points": "Key points",
        "label.sources": "Sources",
        "label.published": "Published",
        "label.takeaways": "Takeaways",
        "label.updated": "Updated",
        "label.stale": "Stale source",
        "label.question": "Question",
        "label.commentary": "Commentary",
        "label.body": "Details",
        "label.reactions": "Reader reactions",
        "label.closing": "Closing",
        "label.sections": "Sections",
        "label.section_count": "{count} sections",
        "label.continued": "{title} (continued)",
        "label.page": "Page {page}/{pages}",
        "label.overview": "Overview",
        "label.previous": "Previous",
        "label.next": "Next",
        "label.jump": "Jump to a section…",
        "label.briefings": "Briefings",
        "label.no_briefings": "No briefings are loaded yet.",
        "label.search_title": "Search: {query}",
        "label.no_results": "Nothing matches “{query}”.",
        "label.read_more": "Read it with {command}",
        "label.sources_of": "Sources: {title}",
        "label.no_sources": "No sources are cited.",
        "label.publisher": "Publisher",
        "label.new": "🆕 New",
        "label.changed": "✏️ Updated",
        "label.removed": "Removed",
        "label.digest_title": "Digest: what changed",
        "label.digest_full_title": "Digest",
        "label.post_date": "{year}-{month:02}-{day:02} {time}",
        "label.digest_footer": "Read any briefing in full with /briefing show",
        "digest.subscribed": "Subscribed {channel} to {topics}: `{schedule}` ({timezone}), "
        "{mode}. Next digest {next_due}.",
        "digest.updated": "Updated the digest for {channel}: {topics}, `{schedule}` ({timezone}), "
        "{mode}. Next digest {next_due}.",
        "digest.unsubscribed": "{channel} no longer gets digests.",
        "digest.paused": "Digests for {channel} are paused. Use /digest resume to restart them.",
        "digest.resumed": "Digests for {channel} are back on. Next digest {next_due}.",
        "digest.sent": "Sent the digest to {channel} ({count} message(s)).",
        "digest.unchanged": "Nothing has changed in {channel}'s topics since its last digest, "
        "so nothing was posted.",
        "digest.send_failed": "The digest for {channel} could not be delivered: {reason}",
        "digest.preview_intro": "Preview of what {channel} would get now (only you can see this):",
        "digest.preview_empty": "Nothing has changed since {channel}'s last digest: the next "
        "digest would post nothing right now.",
        "digest.list_title": "Digest subscriptions",
        "digest.list_empty": "No channel in this server gets digests yet. Start with "
        "/digest subscribe.",
        "digest.all_topics": "all topics",
        "digest.mode.changes": "changes only",
        "digest.mode.full": "full summary",
        "digest.state.active": "✅ Active",
        "digest.state.paused": "⏸️ Paused",
        "digest.state.failing": "⚠️ Failing: {reason}",
        "digest.line.topics": "Topics: {topics}",
        "digest.line.mention": "Pings {role} in the first message of each digest",
        "error.not_announcement_channel": "{channel} is not an announcement channel, so its "
        "digests cannot be published to following servers. Leave publish off, or choose an "
        "announcement channel.",
        "error.role_not_mentionable": "I cannot ping {role}: it is not mentionable, and I lack "
        "Mention @everyone, @here and All Roles in {channel}. Make the role mentionable "
        "(Server Settings → Roles) or choose another.",
        "error.everyone_not_allowed": "A digest pings one role, not @everyone or @here.",
        "digest.line.schedule": "Schedule: `{schedule}` ({timezone}) · {mode}",
        "digest.line.next_due": "Next digest: {when}",
        "digest.line.last_digest": "Last digest: {when}",
        "digest.line.retrying": "The last delivery failed ({error}); it is retried every few "
        "minutes.",
        "digest.line.missed": "Skipped: digests due between {start} and {end} were too late "
        "(the bot was offline for more than {hours} h).",
        "digest.reason.missing_access": "I cannot see the channel (View Channel)",
        "digest.reason.missing_permissions": "I may not post there (Send Messages or Embed Links)",
        "digest.reason.thread_archived": "the thread is archived and locked, and I may not "
        "reopen it (Manage Threads)",
        "digest.failure_notice": "I could not post the scheduled digest in {channel}: {reason}. "
        "Digests there are paused until someone with Manage Channels fixes my permissions "
        "and runs /digest resume.",
        "digest.line.publish": "Publishes each message to the servers following the channel",
        "permission.view_channel": "View Channel",
        "permission.send_messages": "Send Messages",
        "permission.send_messages_in_threads": "Send Messages in Threads",
        "permission.embed_links": "Embed Links",
        "permission.manage_channels": "Manage Channels",
        "error.not_subscribed": "{channel} has no digest subscription. Use /digest subscribe "
        "first.",
        "error.channel_not_in_guild": "That channel is not a text channel of this server.",
        "error.bot_missing_permission": "I need the {permission} permission in {channel} to "
        "post digests there.",
        "error.generic": "That did not work.",
        "error.internal": "Something went wrong on our side. It has been logged; please try again.",
        "error.topic_not_found": "No briefing is called “{value}”.",
        "error.section_not_found": "Briefing `{topic}` has no section “{value}”.",
        "error.did_you_mean": "Did you mean: {suggestions}?",
        "error.echo_more": "and {count:,} more",
        "error.invalid_schedule": "“{value}” is not a schedule I understand. Use {accepted}.",
        "error.invalid_timezone": (
            "“{value}” is not a time zone I know. Use an IANA name such as Asia/Tokyo, "
            "America/New_York or UTC."
        ),
        "error.invalid_topics": "Unknown topics: {value}. Use topic ids from /briefing list, "
        "separated by commas, or `all`.",
        "error.not_allowed": "You need the {permission} permission to do that.",
        "error.cooldown": "Slow down: try again in {seconds} seconds.",
        "error.guild_only": "This command only works in a server.",
        "admin.reload_title": "Briefings reloaded",
        "admin.took": "Reload took {ms} ms.",
        "admin.loaded": "Loaded",
        "admin.added": "Added",
        "admin.changed": "Changed",
        "admin.removed": "Removed",
        "admin.new_errors": "New errors",
        "admin.fixed_errors": "Fixed",
        "admin.problems_title": "Errors and warnings",
        "admin.status_title": "briefbot status",
        "admin.topics": "Topics loaded",
        "admin.last_reload": "Last reload",
        "admin.problems": "Problems",
        "admin.problem_counts": "{errors} error(s), {warnings} warning(s)",
        "admin.digests": "Digest subscriptions",
        "admin.digests_here": "This server's digest subscriptions",
        "admin.shards": "Shards of this process",
        "admin.shard_line": "shard {shard}: {ms} ms",
        "admin.cluster": "Cluster processes",
        "admin.member_worker": "delivery worker (no shards)",
        "admin.member_all_shards": "every shard",
        "admin.member_shards": "shards {shards} of {count}",
        "admin.member_leads": "delivers digests",
        "admin.digests_everywhere": "Digest subscriptions in every server",
        "error.bot_wide_only": "Figures for every server are for the bot's owner and the admin "
        "users named in config.yaml. Without `everywhere`, you see this server's.",
        "admin.subscription_counts": "{active} active, {paused} paused, {failing} failing",
        "admin.next_due": "Next digest: {when}",
        "error.admin_only": "Only the bot's owner, configured admins and members with "
        "Manage Server can do this.",
        "error.not_allowed_generic": "You are not allowed to use this command here.",
        "error.not_your_pages": "These pages belong to someone else. Run the command yourself to "
        "get your own copy.",
        "error.pages_expired": "These buttons have expired. Run the command again to page "
        "through it.",
        # Search results (bot.briefings.search_cards).
        "search.spelling": "Did you mean “{fixed}”? Search for it with {command}.",
        "search.closest_topics": "Closest topics: {topics}",
        "search.every_topic": "See every topic with {command}.",
        "search.field.title": "Title",
        "search.field.aliases": "Id and aliases",
        "search.field.tags": "Tags",
        "search.field.subtitle": "Subtitle",
        "search.field.summary": "Summary",
        "search.field.takeaways": "Takeaways",
        "search.field.closing": "Closing",
        "search.field.heading": "Heading",
        "search.field.question": "Question",
        "search.field.answer": "Answer",
        "search.field.lead": "Lead",
        "search.field.points": "Key points",
        "search.field.commentary": "Commentary",
        "search.field.body": "Details",
        "search.field.sources": "Sources",
        "search.field.dates": "Dates",
        "search.field.reactions": "Reader reactions",
    },
    "ja": {
        "label.key_points": "要点",
        "label.sources": "出典",
        "label.published": "公開日",
        "label.takeaways": "まとめ",
        "label.updated": "更新",
        "label.stale": "古い情報",
        "label.question": "問い",
        "label.commentary": "コメント",
        "label.body": "詳細",
        "label.reactions": "読者の声",
        "label.closing": "むすび",
        "label.sections": "セクション",
        "label.section_count": "{count}セクション",
        "label.continued": "{title}(続き)",
        "label.page": "{page}/{pages}ページ",
        "label.overview": "概要",
        "label.previous": "前へ",
        "label.next": "次へ",
        "label.jump": "セクションへ移動…",
        "label.briefings": "ブリーフィング一覧",
        "label.no_briefings": "読み込まれたブリーフィングはまだありません。",
        "label.search_title": "検索: {query}",
        "label.no_results": "「{query}」に一致するものはありません。",
        "label.read_more": "{command} で続きを読む",
        "label.sources_of": "出典: {title}",
        "label.no_sources": "出典はありません。",
        "label.publisher": "発行元",
        "label.new": "🆕 新規",
        "label.changed": "✏️ 更新",
        "label.removed": "削除",
        "label.digest_title": "ダイジェスト: 更新内容",
        "label.digest_full_title": "ダイジェスト",
        "label.post_date": "{year}年{month}月{day}日 {time}",
        "label.digest_footer": "全文は /briefing show で読めます",
        "digest.subscribed": "{channel} に {topics} のダイジェストを設定しました: `{schedule}`({timezone})、{mode}。次回は {next_due}。",
        "digest.updated": "{channel} のダイジェストを更新しました: {topics}、`{schedule}`({timezone})、{mode}。次回は {next_due}。",
        "digest.unsubscribed": "{channel} へのダイジェストを停止しました。",
        "digest.paused": "{channel} のダイジェストを一時停止しました。再開するには /digest resume を使ってください。",
        "digest.resumed": "{channel} のダイジェストを再開しました。次回は {next_due}。",
        "digest.sent": "{channel} にダイジェストを送信しました({count}件のメッセージ)。",
        "digest.unchanged": "{channel} のトピックは前回のダイジェストから変わっていないため、何も投稿しませんでした。",
        "digest.send_failed": "{channel} へのダイジェストを配信できませんでした: {reason}",
        "digest.preview_intro": "{channel} に今届く内容のプレビュー(あなただけに表示):",
        "digest.preview_empty": "{channel} の前回のダイジェストから変更はありません。今は何も投稿されません。",
        "digest.list_title": "ダイジェストの購読",
        "digest.list_empty": "このサーバーでダイジェストを受け取るチャンネルはまだありません。/digest subscribe で始めましょう。",
        "digest.all_topics": "すべてのトピック",
        "digest.mode.changes": "変更のみ",
        "digest.mode.full": "全体の要約",
        "digest.state.active": "✅ 有効",
        "digest.state.paused": "⏸️ 一時停止中",
        "digest.state.failing": "⚠️ 配信失敗: {reason}",
        "digest.line.topics": "トピック: {topics}",
        "digest.line.mention": "各ダイジェストの最初のメッセージで {role} に通知",
        "error.not_announcement_channel": "{channel} はアナウンスチャンネルではないため、ダイジェストをフォロー中のサーバーへ公開できません。publish をオフにするか、アナウンスチャンネルを選んでください。",
        "error.role_not_mentionable": "{role} に通知できません。このロールはメンションできず、ボットには {channel} で「@everyone、@here、全てのロールにメンション」権限がありません。ロールをメンション可能にする(サーバー設定 → ロール)か、別のロールを選んでください。",
        "error.everyone_not_allowed": "ダイジェストが通知できるのは 1 つのロールだけで、@everyone や @here は選べません。",
        "digest.line.schedule": "スケジュール: `{schedule}`({timezone})・{mode}",
        "digest.line.next_due": "次回: {when}",
        "digest.line.last_digest": "前回: {when}",
        "digest.line.retrying": "前回の配信に失敗しました({error})。数分ごとに再試行します。",
        "digest.line.missed": "スキップ: {start} から {end} までのダイジェストは遅すぎたため送信しませんでした(ボットが {hours} 時間以上停止していました)。",
        "digest.reason.missing_access": "チャンネルを閲覧できません(チャンネルを見る)",
        "digest.reason.missing_permissions": "投稿できません(メッセージを送信・埋め込みリンク)",
        "digest.reason.thread_archived": "スレッドがアーカイブされロックされており、再開できません(スレッドの管理)",
        "digest.failure_notice": "{channel} に定期ダイジェストを投稿できませんでした: {reason}。チャンネル管理権限を持つ人がボットの権限を直し、/digest resume を実行するまで一時停止します。",
        "digest.line.publish": "各メッセージをフォロー中のサーバーへ公開",
        "permission.view_channel": "チャンネルを見る",
        "permission.send_messages": "メッセージを送信",
        "permission.send_messages_in_threads": "スレッドでメッセージを送信",
        "permission.embed_links": "埋め込みリンク",
        "permission.manage_channels": "チャンネルの管理",
        "error.not_subscribed": "{channel} にはダイジェストの購読がありません。先に /digest subscribe を使ってください。",
        "error.channel_not_in_guild": "そのチャンネルはこのサーバーのテキストチャンネルではありません。",
        "error.bot_missing_permission": "{channel} にダイジェストを投稿するには、ボットに「{permission}」権限が必要です。",
        "error.generic": "うまくいきませんでした。",
        "error.internal": "内部エラーが発生しました。記録しましたので、もう一度お試しください。",
        "error.topic_not_found": "「{value}」というブリーフィングはありません。",
        "error.section_not_found": "ブリーフィング `{topic}` に「{value}」というセクションはありません。",
        "error.did_you_mean": "もしかして: {suggestions}",
        "error.echo_more": "ほか{count:,}件",
        "error.invalid_schedule": "「{value}」はスケジュールとして使えません。{accepted} のいずれかを指定してください。",
        "error.invalid_timezone": (
            "「{value}」はタイムゾーンとして使えません。Asia/Tokyo、America/New_York、UTC のような "
            "IANA 名を指定してください。"
        ),
        "error.invalid_topics": "不明なトピック: {value}。/briefing list のIDをカンマ区切りで"
        "指定するか、`all` を指定してください。",
        "error.not_allowed": "この操作には「{permission}」権限が必要です。",
        "error.cooldown": "{seconds}秒後にもう一度お試しください。",
        "error.guild_only": "このコマンドはサーバー内でのみ使えます。",
        "admin.reload_title": "ブリーフィングを再読み込みしました",
        "admin.took": "再読み込みに {ms} ms かかりました。",
        "admin.loaded": "読み込み済み",
        "admin.added": "追加",
        "admin.changed": "変更",
        "admin.removed": "削除",
        "admin.new_errors": "新しいエラー",
        "admin.fixed_errors": "解消",
        "admin.problems_title": "エラーと警告",
        "admin.status_title": "briefbot の状態",
        "admin.topics": "読み込み済みトピック",
        "admin.last_reload": "最終再読み込み",
        "admin.problems": "問題",
        "admin.problem_counts": "エラー {errors} 件、警告 {warnings} 件",
        "admin.digests": "ダイジェスト購読",
        "admin.digests_here": "このサーバーのダイジェスト購読",
        "admin.shards": "このプロセスのシャード",
        "admin.shard_line": "シャード {shard}: {ms} ms",
        "admin.cluster": "クラスターのプロセス",
        "admin.member_worker": "配信ワーカー(シャードなし)",
        "admin.member_all_shards": "すべてのシャード",
        "admin.member_shards": "シャード {shards}(全 {count})",
        "admin.member_leads": "ダイジェストを配信中",
        "admin.digests_everywhere": "全サーバーのダイジェスト購読",
        "error.bot_wide_only": "全サーバーの数字は、ボットの所有者と config.yaml に書かれた管理者だけが見られます。`everywhere` なしなら、このサーバーの数字が見られます。",
        "admin.subscription_counts": "有効 {active}、一時停止 {paused}、失敗 {failing}",
        "admin.next_due": "次のダイジェスト: {when}",
        "error.admin_only": "この操作はボットの所有者、設定された管理者、サーバー管理権限を持つメンバーだけが行えます。",
        "error.not_allowed_generic": "ここではこのコマンドを使えません。",
        "error.not_your_pages": "このページ操作は他の人のものです。ご自身でコマンドを実行してください。",
        "error.pages_expired": "このボタンは期限切れです。もう一度コマンドを実行してください。",
        # 検索結果(bot.briefings.search_cards)。
        "search.spelling": "もしかして「{fixed}」? {command} で検索できます。",
        "search.closest_topics": "近いトピック: {topics}",
        "search.every_topic": "トピックの一覧は {command} で見られます。",
        "search.field.title": "タイトル",
        "search.field.aliases": "ID・別名",
        "search.field.tags": "タグ",
        "search.field.subtitle": "サブタイトル",
        "search.field.summary": "概要",
        "search.field.takeaways": "まとめ",
        "search.field.closing": "むすび",
        "search.field.heading": "見出し",
        "search.field.question": "問い",
        "search.field.answer": "答え",
        "search.field.lead": "リード",
        "search.field.points": "要点",
        "search.field.commentary": "コメント",
        "search.field.body": "詳細",
        "search.field.sources": "出典",
        "search.field.dates": "日付",
        "search.field.reactions": "読者の声",
    },
}


def language_of(locale: str | None) -> str:
    """The supported language for a Discord locale or BCP 47 tag (`ja-JP` -> `ja`)."""
    base = (locale or "").replace("_", "-").split("-", 1)[0].lower()
    return base if base in MESSAGES else DEFAULT_LANGUAGE


def _format_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ", ".join(f"`{item}`" for item in value)
    return value


def translate(key: str, locale: str | None, **params: Any) -> str:
    """The message `key` in the locale's language, filled with `params`."""
    language = language_of(locale)
    template = MESSAGES[language].get(key) or MESSAGES[DEFAULT_LANGUAGE][key]
    return template.format(**{name: _format_value(value) for name, value in params.items()})


def error_message(key: str, locale: str | None, **params: Any) -> str:
    """A full error message, with "did you mean" suggestions when there are any."""
    suggestions = params.pop("suggestions", None)
    message = translate(key, locale, **params)
    if suggestions:
        message += "\n" + translate("error.did_you_mean", locale, suggestions=suggestions)
    return message


# Japanese names and descriptions of the slash commands, keyed by their English text.
COMMAND_TRANSLATIONS: dict[str, dict[str, str]] = {
    "ja": {
        "briefing": "ブリーフィング",
        "Read curated topic briefings": "厳選されたトピックのブリーフィングを読む",
        "list": "一覧",
        "show": "表示",
        "section": "セクション",
        "sources": "出典",
        "search": "検索",
        "topic": "トピック",
        "query": "検索語",
        "private": "非公開",
        "List every briefing with its update date and number of sections.": (
            "すべてのブリーフィングを更新日とセクション数つきで一覧表示します。"
        ),
        "Show a briefing's overview, with buttons to read every section.": (
            "ブリーフィングの概要を表示します。ボタンで各セクションを読めます。"
        ),
        "Show one section: its answer, key points, sources and commentary.": (
            "セクションを1つ表示します。答え、要点、出典、コメントつき。"
        ),
        "List every source of a briefing or one section, with dates and stale marks.": (
            "ブリーフィングまたはセクションの出典を日付と古さの印つきで一覧表示します。"
        ),
        "Search everything in every briefing: titles, tags, sections and sources.": (
            "すべてのブリーフィングを全文検索します(タイトル、タグ、セクション、出典)。"
        ),
        "Show the answer only to you": "自分だけに表示する",
        "The briefing's id, title or alias": "ブリーフィングのID、タイトル、または別名",
        "The section's id, heading or number": "セクションのID、見出し、または番号",
        "Only this section's sources": "このセクションの出典だけ",
        "Words to look for, in any language": "探す語(どの言語でも可)",
        "digest": "ダイジェスト",
        "Post scheduled digests of briefing updates to channels": (
            "ブリーフィングの更新をまとめたダイジェストをチャンネルに定期投稿する"
        ),
        "subscribe": "購読",
        "unsubscribe": "購読解除",
        "preview": "プレビュー",
        "send": "送信",
        "pause": "一時停止",
        "resume": "再開",
        "why": "理由",
        "channel": "チャンネル",
        "topics": "トピック一覧",
        "schedule": "スケジュール",
        "timezone": "タイムゾーン",
        "mode": "モード",
        "changes": "変更のみ",
        "full": "全体",
        "Send a channel scheduled digests of what changed (subscribing again updates it).": (
            "チャンネルに更新内容の定期ダイジェストを送ります(再度購読すると設定を更新)。"
        ),
        "Stop a channel's digests.": "チャンネルのダイジェストを停止します。",
        "List this server's digest subscriptions: state, schedule and next due time.": (
            "このサーバーのダイジェスト購読を状態、スケジュール、次回予定つきで一覧表示します。"
        ),
        "Show privately exactly what the channel's next digest would post now.": (
            "チャンネルの次のダイジェストの内容を自分だけに表示します。"
        ),
        "Deliver the channel's digest now, the same way a scheduled one is delivered.": (
            "定期配信と同じ方法で、チャンネルのダイジェストを今すぐ配信します。"
        ),
        "Pause a channel's digests until resumed.": "再開するまでチャンネルのダイジェストを止めます。",
        "Why didn't it post? The channel's last runs, next due time and what waits.": (
            "投稿されなかった理由: チャンネルの最近の実行、次回予定、待っている変更を表示します。"
        ),
        "Resume a paused or failing channel's digests from its next due time.": (
            "一時停止中または失敗中のダイジェストを次回予定から再開します。"
        ),
        "The channel that gets the digests": "ダイジェストを受け取るチャンネル",
        "mention": "通知ロール",
        "publish": "公開",
        "Announcement channels: publish each message to the servers that follow it": (
            "アナウンスチャンネル: 各メッセージをフォロー中のサーバーへ公開"
        ),
        "A role to ping in the first message of each digest (it must be mentionable)": (
            "各ダイジェストの最初のメッセージで通知するロール(メンション可能なもの)"
        ),
        "The channel that should stop getting digests": "ダイジェストを止めるチャンネル",
        "The subscribed channel": "購読中のチャンネル",
        "Topic ids separated by commas, or all (the default)": (
            "カンマ区切りのトピックID、または all(既定)"
        ),
        "daily HH:MM, weekdays HH:MM, weekly mon HH:MM, or a 5-field cron": (
            "daily HH:MM、weekdays HH:MM、weekly mon HH:MM、または5項目のcron式"
        ),
        "An IANA time zone such as Asia/Tokyo (the default comes from the config)": (
            "Asia/Tokyo のような IANA タイムゾーン(既定は設定ファイルの値)"
        ),
        "changes: only what changed (default); full: a summary of every briefing": (
            "changes: 変更分のみ(既定)、full: すべてのブリーフィングの要約"
        ),
        "briefing-admin": "ブリーフィング管理",
        "Manage the briefings the bot serves": "ボットが配信するブリーフィングを管理する",
        "status": "状態",
        "reload": "再読み込み",
        "Show loaded topics, current errors and warnings, and digest health.": (
            "読み込み済みトピック、現在のエラーと警告、ダイジェストの状態を表示します。"
        ),
        "Reload the briefing files now and report what changed.": (
            "ブリーフィングのファイルを今すぐ再読み込みし、変更内容を報告します。"
        ),
        "everywhere": "全サーバー",
        "Figures for every server (the bot's owner and configured admins only)": (
            "全サーバーの数字(ボットの所有者と設定された管理者のみ)"
        ),
    },
}


# Editing briefings from Discord (/briefing-admin download, upload, history, restore): its
# messages are in `bot.text.i18n_editing`, which keeps this module within 500 lines.
from bot.text.i18n_editing import EDITING_COMMANDS, EDITING_MESSAGES  # noqa: E402

for _language, _messages in EDITING_MESSAGES.items():
    MESSAGES[_language].update(_messages)
COMMAND_TRANSLATIONS["ja"].update(EDITING_COMMANDS)

# `/digest why` and the runs it lists: in `bot.text.i18n_history`, for the same reason.
from bot.text.i18n_history import HISTORY_MESSAGES  # noqa: E402

for _language, _messages in HISTORY_MESSAGES.items():
    MESSAGES[_language].update(_messages)

# Forum posts, new threads, DM follows and failure warnings: in `bot.text.i18n_reach`.
from bot.text.i18n_reach import REACH_COMMANDS, REACH_MESSAGES  # noqa: E402

for _language, _messages in REACH_MESSAGES.items():
    MESSAGES[_language].update(_messages)
COMMAND_TRANSLATIONS["ja"].update(REACH_COMMANDS)
