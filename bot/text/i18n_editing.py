"""The messages of editing briefings from Discord, in English and Japanese.

`/briefing-admin download`, `upload`, `history` and `restore` speak through these; they
are merged into `bot.text.i18n.MESSAGES` and `COMMAND_TRANSLATIONS`, and looked up like
every other message. Kept apart so that the catalogue stays within 500 lines a module.
"""

# A message catalogue: Japanese text counts double towards the line width.
# ruff: noqa: E501

from __future__ import annotations

EDITING_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "editing.download": "{file} as it is on disk now ({size:,} bytes).",
        "editing.how_upload": "an upload of `{name}`",
        "editing.how_restore": "a restore of version #{number}",
        "editing.refused_title": "Not changed: {topic}",
        "editing.refused": "The file has {count} error(s), so nothing was changed and {file} "
        "keeps serving as before. Fix them and upload the file again.",
        "editing.errors": "Errors",
        "editing.warnings": "Warnings",
        "editing.warnings_count": "Warnings ({count})",
        "editing.more": "… and {count} more",
        "editing.preview_title": "Preview: {topic}",
        "editing.restore_title": "Restore version #{number} of {topic}",
        "editing.preview_compared": "Compared with the version the bot serves now.",
        "editing.preview_new": "`{topic}` is a new topic: Apply creates {file}.",
        "editing.preview_unserved": "Nothing is served from {file} now (it does not load), so "
        "every section counts as added.",
        "editing.formatting_only": "Readers will see no difference: only the file's layout or "
        "comments change.",
        "editing.apply_hint": "Nothing changes until you press Apply. Apply writes {file} and "
        "keeps the file it replaces in the topic's history.",
        "editing.added": "Sections added ({count})",
        "editing.removed": "Sections removed ({count})",
        "editing.edited": "Sections edited ({count})",
        "editing.fields_changed": "Briefing fields changed",
        "editing.order": "Order",
        "editing.reordered": "The sections are in a new order.",
        "editing.identical": "{file} already holds exactly this file: there is nothing to apply.",
        "editing.apply": "Apply",
        "editing.cancel": "Cancel",
        "editing.cancelled": "Cancelled: nothing was changed.",
        "editing.applied_title": "Applied: {topic}",
        "editing.applied": "{file} was written from {how}.",
        "editing.kept": "The file it replaced is kept as version #{number}.",
        "editing.serving": "The bot now serves `{topic}` with {count} section(s).",
        "editing.not_serving": "The file was saved, but the bot does not serve it as previewed; "
        "the last good version keeps serving.",
        "editing.audit": "✏️ {user} changed {file} with {how}.",
        "editing.not_your_preview": "This preview belongs to the admin who asked for it. Run "
        "the command yourself to make changes.",
        "editing.already_settled": "This change has already been applied or cancelled.",
        "editing.expired": "This preview has expired, so nothing was changed. Upload the file "
        "again to apply it.",
        "editing.history_title": "History: {topic}",
        "editing.history_intro": "Each change applied from Discord keeps the file it replaced; "
        "the last {limit} are kept. Bring one back with /briefing-admin restore.",
        "editing.history_empty": "No earlier versions of {file} are kept yet: each change "
        "applied from Discord keeps the file it replaces.",
        "editing.versions": "Versions, newest first",
        "editing.history_line": "**#{number}** · replaced {when} · {size} bytes",
        "editing.history_current": "(the same as the file now)",
        "editing.version_choice": "#{number} · replaced {when} · {size:,} bytes",
        "error.editing_not_yaml": "“{value}” is not a briefing file: attach a `.yaml` file.",
        "error.editing_too_large": "The file is {size} bytes; a briefing file may be at most "
        "{limit} bytes (1 MiB).",
        "error.editing_bad_topic": "“{value}” cannot be a topic id: use lowercase a-z, 0-9 and "
        "single dashes, at most 64 characters. Name the file `<topic>.yaml` or give the topic "
        "option.",
        "error.editing_file_changed": "Not applied: {file} changed since you uploaded (another "
        "change was applied, or the file was edited). Nothing was overwritten; upload your file "
        "again to see what it changes now.",
        "error.editing_unknown_version": "`{topic}` has no kept version #{value}. "
        "/briefing-admin history lists them.",
    },
    "ja": {
        "editing.download": "ディスク上の現在の {file}({size:,} バイト)です。",
        "editing.how_upload": "`{name}` のアップロード",
        "editing.how_restore": "バージョン #{number} の復元",
        "editing.refused_title": "変更していません: {topic}",
        "editing.refused": "ファイルにエラーが {count} 件あるため何も変更せず、{file} はそのまま配信を続けます。直してからもう一度アップロードしてください。",
        "editing.errors": "エラー",
        "editing.warnings": "警告",
        "editing.warnings_count": "警告({count}件)",
        "editing.more": "… ほか {count} 件",
        "editing.preview_title": "プレビュー: {topic}",
        "editing.restore_title": "{topic} のバージョン #{number} を復元",
        "editing.preview_compared": "ボットが今配信している版との比較です。",
        "editing.preview_new": "`{topic}` は新しいトピックです。適用すると {file} を作成します。",
        "editing.preview_unserved": "{file} は今読み込めていないため配信されていません。すべてのセクションを追加として数えます。",
        "editing.formatting_only": "読者に見える違いはありません。ファイルの書き方かコメントだけが変わります。",
        "editing.apply_hint": "「適用」を押すまで何も変わりません。適用すると {file} を書き込み、置き換えたファイルはトピックの履歴に残します。",
        "editing.added": "追加されたセクション({count})",
        "editing.removed": "削除されたセクション({count})",
        "editing.edited": "編集されたセクション({count})",
        "editing.fields_changed": "変更されたブリーフィングの項目",
        "editing.order": "順序",
        "editing.reordered": "セクションの順序が変わります。",
        "editing.identical": "{file} はすでにこのファイルとまったく同じです。適用するものはありません。",
        "editing.apply": "適用",
        "editing.cancel": "キャンセル",
        "editing.cancelled": "キャンセルしました。何も変更していません。",
        "editing.applied_title": "適用しました: {topic}",
        "editing.applied": "{how}で {file} を書き込みました。",
        "editing.kept": "置き換えたファイルはバージョン #{number} として残してあります。",
        "editing.serving": "ボットは `{topic}` を {count} セクションで配信しています。",
        "editing.not_serving": "ファイルは保存しましたが、プレビューどおりには配信されていません。最後に正しく読み込めた版を配信し続けます。",
        "editing.audit": "✏️ {user} が{how}で {file} を変更しました。",
        "editing.not_your_preview": "このプレビューは依頼した管理者のものです。変更するにはご自身でコマンドを実行してください。",
        "editing.already_settled": "この変更はすでに適用またはキャンセルされています。",
        "editing.expired": "このプレビューは期限切れのため、何も変更していません。適用するにはもう一度アップロードしてください。",
        "editing.history_title": "履歴: {topic}",
        "editing.history_intro": "Discord から変更を適用するたびに、置き換えたファイルを残します(最新 {limit} 件まで)。/briefing-admin restore で戻せます。",
        "editing.history_empty": "{file} の以前のバージョンはまだありません。Discord から変更を適用するたびに、置き換えたファイルを残します。",
        "editing.versions": "バージョン(新しい順)",
        "editing.history_line": "**#{number}** · {when} に置き換え · {size} バイト",
        "editing.history_current": "(現在のファイルと同じ)",
        "editing.version_choice": "#{number} · {when} に置き換え · {size:,} バイト",
        "error.editing_not_yaml": "「{value}」はブリーフィングのファイルではありません。`.yaml` ファイルを添付してください。",
        "error.editing_too_large": "ファイルは {size} バイトです。ブリーフィングのファイルは {limit} バイト(1 MiB)までです。",
        "error.editing_bad_topic": "「{value}」はトピックIDに使えません。小文字の a-z、0-9 と単独のダッシュで、64文字以内にしてください。ファイル名を `<トピック>.yaml` にするか、topic を指定してください。",
        "error.editing_file_changed": "適用していません: アップロードの後に {file} が変更されました(別の変更が適用されたか、ファイルが編集されました)。何も上書きしていません。もう一度アップロードして、今の変更内容を確認してください。",
        "error.editing_unknown_version": "`{topic}` にバージョン #{value} はありません。/briefing-admin history で一覧できます。",
    },
}

# Japanese names and descriptions of the editing commands, keyed by their English text.
EDITING_COMMANDS: dict[str, str] = {
    "download": "ダウンロード",
    "upload": "アップロード",
    "history": "履歴",
    "restore": "復元",
    "file": "ファイル",
    "version": "バージョン",
    "Attach the topic's YAML file exactly as it is on disk.": (
        "トピックの YAML ファイルをディスク上のとおりに添付します。"
    ),
    "Check a briefing file and preview what it changes, with Apply and Cancel.": (
        "ブリーフィングのファイルを検査し、変更内容を「適用」「キャンセル」つきでプレビューします。"
    ),
    "List the kept earlier versions of a topic's file, newest first.": (
        "トピックのファイルの以前のバージョンを新しい順に一覧表示します。"
    ),
    "Preview bringing back a kept version, with Apply and Cancel.": (
        "以前のバージョンに戻す内容を「適用」「キャンセル」つきでプレビューします。"
    ),
    "A briefing file (.yaml, at most 1 MiB)": "ブリーフィングのファイル(.yaml、1 MiB まで)",
    "The topic to save it as (default: the file's name)": "保存先のトピック(既定はファイル名)",
    "The version's number, from the history": "履歴にあるバージョン番号",
}
