"""The messages of `/digest why` and of each run it lists, in English and Japanese.

Merged into `bot.text.i18n.MESSAGES` and looked up like every other message. Kept
apart so that the catalogue stays within 500 lines a module.
"""

# A message catalogue: Japanese text counts double towards the line width.
# ruff: noqa: E501

from __future__ import annotations

HISTORY_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "digest.why.title": "Why {channel} got what it got",
        "digest.why.runs": "Last runs",
        "digest.why.no_runs": "No run has handled this subscription yet.",
        "digest.why.now": "If it were due now",
        "digest.why.waiting_none": "Nothing new: no digest would be posted.",
        "digest.why.waiting_full": "A full summary of {count} briefing(s).",
        "digest.why.waiting_changes": "{new} new, {changed} changed, {removed} removed "
        "section(s): {headings}",
        "digest.run.sent": "{at}: sent the digest due {due} {link}",
        "digest.run.unpublished": "({count} message(s) not published: Discord allows 10 "
        "publications per channel an hour)",
        "digest.run.unchanged": "{at}: nothing had changed; nothing posted (due {due})",
        "digest.run.skipped": "{at}: skipped the digest due {due}: too late to send",
        "digest.run.failed": "{at}: Discord refused it{code}: {reason}",
        "digest.run.retrying": "{at}: failed{code}, retried next tick: {reason}",
        "digest.run.paused": "{at}: paused{code}: {reason}",
    },
    "ja": {
        "digest.why.title": "{channel} の配信履歴",
        "digest.why.runs": "最近の実行",
        "digest.why.no_runs": "この購読はまだ一度も実行されていません。",
        "digest.why.now": "今が配信時刻なら",
        "digest.why.waiting_none": "新しい内容はありません。ダイジェストは投稿されません。",
        "digest.why.waiting_full": "{count}件のブリーフィングの全体の要約。",
        "digest.why.waiting_changes": "新規 {new}、変更 {changed}、削除 {removed} のセクション: {headings}",
        "digest.run.sent": "{at}: {due} 予定のダイジェストを送信 {link}",
        "digest.run.unpublished": "({count}件のメッセージは未公開: Discord の公開は1チャンネルにつき1時間10件まで)",
        "digest.run.unchanged": "{at}: 変更がなかったため投稿なし({due} 予定)",
        "digest.run.skipped": "{at}: {due} 予定のダイジェストは遅すぎたためスキップ",
        "digest.run.failed": "{at}: Discord が拒否{code}: {reason}",
        "digest.run.retrying": "{at}: 失敗{code}、次の実行で再試行: {reason}",
        "digest.run.paused": "{at}: 一時停止{code}: {reason}",
    },
}
