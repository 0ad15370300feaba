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
        "label.no_results": "Nothing matches “{query}”. Try fewer or shorter words.",
        "label.read_more": "Read it with {command}",
        "label.sources_of": "Sources: {title}",
        "label.no_sources": "No sources are cited.",
        "label.publisher": "Publisher",
        "label.new": "🆕 New",
        "label.changed": "✏️ Updated",
        "label.removed": "Removed",
        "label.digest_title": "Digest: what changed",
        "label.digest_full_title": "Digest",
        "label.digest_footer": "Read any briefing in full with /briefing show",
        "error.generic": "That did not work.",
        "error.internal": "Something went wrong on our side. It has been logged; please try again.",
        "error.topic_not_found": "No briefing is called “{value}”.",
        "error.section_not_found": "Briefing `{topic}` has no section “{value}”.",
        "error.did_you_mean": "Did you mean: {suggestions}?",
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
        "admin.subscription_counts": "{active} active, {paused} paused, {failing} failing",
        "admin.next_due": "Next digest: {when}",
        "error.admin_only": "Only the bot's owner, configured admins and members with "
        "Manage Server can do this.",
        "error.not_allowed_generic": "You are not allowed to use this command here.",
        "error.not_your_pages": "These pages belong to someone else. Run the command yourself to "
        "get your own copy.",
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
        "label.no_results": "「{query}」に一致するものはありません。語を減らすか短くしてください。",
        "label.read_more": "{command} で続きを読む",
        "label.sources_of": "出典: {title}",
        "label.no_sources": "出典はありません。",
        "label.publisher": "発行元",
        "label.new": "🆕 新規",
        "label.changed": "✏️ 更新",
        "label.removed": "削除",
        "label.digest_title": "ダイジェスト: 更新内容",
        "label.digest_full_title": "ダイジェスト",
        "label.digest_footer": "全文は /briefing show で読めます",
        "error.generic": "うまくいきませんでした。",
        "error.internal": "内部エラーが発生しました。記録しましたので、もう一度お試しください。",
        "error.topic_not_found": "「{value}」というブリーフィングはありません。",
        "error.section_not_found": "ブリーフィング `{topic}` に「{value}」というセクションはありません。",
        "error.did_you_mean": "もしかして: {suggestions}",
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
        "admin.subscription_counts": "有効 {active}、一時停止 {paused}、失敗 {failing}",
        "admin.next_due": "次のダイジェスト: {when}",
        "error.admin_only": "この操作はボットの所有者、設定された管理者、サーバー管理権限を持つメンバーだけが行えます。",
        "error.not_allowed_generic": "ここではこのコマンドを使えません。",
        "error.not_your_pages": "このページ操作は他の人のものです。ご自身でコマンドを実行してください。",
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
        "Search the headings, answers, points and bodies of every briefing.": (
            "すべてのブリーフィングの見出し、答え、要点、本文を検索します。"
        ),
        "Show the answer only to you": "自分だけに表示する",
        "The briefing's id, title or alias": "ブリーフィングのID、タイトル、または別名",
        "The section's id, heading or number": "セクションのID、見出し、または番号",
        "Only this section's sources": "このセクションの出典だけ",
        "Words to look for, in any language": "探す語(どの言語でも可)",
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
    },
}
