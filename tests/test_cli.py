"""Tests for bot.cli: validate and schema exit codes; `run` without a token, --help, --debug."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.briefings.loader import display_path
from bot.briefings.schema import briefing_schema_text
from bot.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, main
from bot.config import TOKEN_VARIABLE
from tests.briefings.test_loader import FIXTURES, ROOT, SEED, VALID

CONFIG = ROOT / "config.yaml"


@pytest.fixture(autouse=True)
def _no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_VARIABLE, raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with a config and one valid briefing, and no token anywhere."""
    (tmp_path / "briefings").mkdir()
    (tmp_path / "briefings" / "harbour-ferry.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "config.yaml").write_text("briefings_dir: briefings\n", encoding="utf-8")
    return tmp_path


def test_validate_default_folder_with_only_warnings_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--config", str(CONFIG), "validate"])

    out = capsys.readouterr().out.splitlines()
    seed = display_path(SEED)
    assert code == EXIT_OK
    assert out == [
        f"{seed}:52:14: warning: sections[1].sources[0].url: source 'ニュースサイト' is stale: "
        "published 2022-01-04, 1165 days before the briefing's update (365 allowed)",
        f"{seed}:64:9: warning: sections[2].id: section has no published date",
        "1 file(s), 1 valid, 0 error(s), 2 warning(s)",
    ]


def test_validate_uses_stale_after_days_from_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("stale_after_days: 2000\n", encoding="utf-8")

    code = main(["--config", str(config), "validate", str(SEED)])

    assert code == EXIT_OK
    assert (
        capsys.readouterr().out.splitlines()[-1] == "1 file(s), 1 valid, 0 error(s), 1 warning(s)"
    )


def test_validate_exits_1_on_any_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["--config", str(CONFIG), "validate", str(SEED), str(FIXTURES / "unknown-key.yaml")]
    )

    out = capsys.readouterr().out.splitlines()
    assert code == EXIT_ERRORS
    assert out[-1] == "2 file(s), 1 valid, 1 error(s), 2 warning(s)"
    assert out[2].endswith(
        "unknown-key.yaml:9:5: error: sections[0].sourcse: unknown key 'sourcse'; "
        "did you mean 'sources'?"
    )


def test_validate_folder_of_fixtures_exits_1_and_reports_every_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--config", str(CONFIG), "validate", str(FIXTURES)])

    out = capsys.readouterr().out.splitlines()
    files = sorted(FIXTURES.glob("*.yaml"))
    valid = [
        "body-as-text.yaml",
        "no-section-ids.yaml",
        "slash-dates.yaml",
        "source-without-url.yaml",
        "stale-source.yaml",
        "too-long.yaml",
        "valid-minimal.yaml",
    ]
    assert code == EXIT_ERRORS
    assert out[-1].startswith(f"{len(files)} file(s), {len(valid)} valid, ")


def test_validate_verbose_lists_section_ids_marking_those_from_position(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fixture = FIXTURES / "no-section-ids.yaml"

    code = main(["--config", str(CONFIG), "validate", "--verbose", str(fixture)])

    assert code == EXIT_OK
    assert capsys.readouterr().out.splitlines() == [
        f"{display_path(fixture)}: 3 section(s)",
        "  1. s1 (from its position; give it an id to keep links stable)",
        "  2. last-ferry",
        "  3. s3 (from its position; give it an id to keep links stable)",
        "1 file(s), 1 valid, 0 error(s), 0 warning(s)",
    ]


def test_validate_without_verbose_lists_no_sections(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(CONFIG), "validate", str(FIXTURES / "no-section-ids.yaml")])

    assert code == EXIT_OK
    assert capsys.readouterr().out == "1 file(s), 1 valid, 0 error(s), 0 warning(s)\n"


def test_validate_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(CONFIG), "validate", "no/such/briefing.yaml"])

    assert code == EXIT_USAGE
    assert capsys.readouterr().err == (
        "briefbot validate: no such file or folder: no/such/briefing.yaml\n"
    )


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param([], id="no-command"),
        pytest.param(["frobnicate"], id="unknown-command"),
        pytest.param(["validate", "--strict"], id="unknown-option"),
        pytest.param(["schema", "--output"], id="missing-option-value"),
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == EXIT_USAGE
    assert "usage: briefbot" in capsys.readouterr().err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == EXIT_OK
    assert "validate" in capsys.readouterr().out


def test_bad_config_is_a_usage_error_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("stale_after_days: soon\n", encoding="utf-8")

    assert main(["--config", str(config), "validate"]) == EXIT_USAGE
    assert capsys.readouterr().err == (
        f"briefbot: {config}:1:19: error: stale_after_days: Input should be a valid integer, "
        "unable to parse string as an integer\n"
    )


def test_explicit_config_that_does_not_exist_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "missing.yaml"

    assert main(["--config", str(config), "validate"]) == EXIT_USAGE
    assert capsys.readouterr().err == (
        f"briefbot: {config}: cannot read config: No such file or directory\n"
    )


def test_without_config_yaml_validate_uses_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "harbour-ferry.yaml").write_text(VALID, encoding="utf-8")

    assert main(["validate", "harbour-ferry.yaml"]) == EXIT_OK
    assert capsys.readouterr().out == "1 file(s), 1 valid, 0 error(s), 0 warning(s)\n"


def test_run_without_token_validates_and_points_at_dotenv(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)

    code = main(["run"])

    captured = capsys.readouterr()
    assert code == EXIT_USAGE
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("1 briefing(s) are valid. To connect to Discord, set ")
    assert "DISCORD_TOKEN in a .env file" in captured.err
    assert "Traceback" not in captured.err


def test_run_without_token_never_imports_the_discord_side(project: Path) -> None:
    code = (
        "import sys; from bot.cli import main; rc = main(['--config', sys.argv[1], 'run']); "
        "print(rc, 'bot.discord.client' in sys.modules, 'discord' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != TOKEN_VARIABLE}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", code, str(project / "config.yaml")],
        capture_output=True,
        text=True,
        env=env,
        cwd=project,
        check=False,
    )
    assert done.stdout == "2 False False\n"
    assert "Traceback" not in done.stderr


def test_schema_writes_the_models_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.schema.json"

    assert main(["--config", str(CONFIG), "schema", "--output", str(target)]) == EXIT_OK
    assert target.read_text(encoding="utf-8") == briefing_schema_text()
    assert capsys.readouterr().out == f"wrote {target}\n"


def test_schema_check_passes_for_the_committed_schema() -> None:
    assert main(["--config", str(CONFIG), "schema", "--check"]) == EXIT_OK


def test_schema_check_fails_for_an_outdated_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "briefing.schema.json"
    target.write_text("{}\n", encoding="utf-8")

    code = main(["--config", str(CONFIG), "schema", "--check", "--output", str(target)])

    assert code == EXIT_ERRORS
    assert capsys.readouterr().err == f"{target} is out of date: run `briefbot schema`\n"


def test_schema_into_a_missing_folder_is_an_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "nowhere" / "briefing.schema.json"

    assert main(["--config", str(CONFIG), "schema", "--output", str(target)]) == EXIT_ERRORS
    assert capsys.readouterr().err == (
        f"briefbot schema: cannot write {target}: No such file or directory\n"
    )


def run_module(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != TOKEN_VARIABLE}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )


def test_python_dash_m_bot_exit_codes() -> None:
    ok = run_module("validate")
    bad = run_module("validate", str(FIXTURES / "duplicate-section.yaml"))
    usage = run_module("validate", "--no-such-option")

    assert (ok.returncode, bad.returncode, usage.returncode) == (0, 1, 2)
    assert ok.stdout.endswith("1 file(s), 1 valid, 0 error(s), 2 warning(s)\n")
    assert bad.stdout.splitlines()[0].endswith(
        "duplicate-section.yaml:9:9: error: sections[1].id: "
        "duplicate section id 'overview' (first used by sections[0])"
    )
    assert "usage: briefbot" in usage.stderr
    for done in (ok, bad, usage):
        assert "Traceback" not in done.stderr


def test_python_dash_m_bot_run_without_token(project: Path) -> None:
    done = run_module("run", cwd=project)

    assert done.returncode == 2
    assert done.stdout == ""
    assert "DISCORD_TOKEN in a .env file" in done.stderr
    assert "Traceback" not in done.stderr


def test_run_help_lists_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--help"]) == EXIT_OK
    out = " ".join(capsys.readouterr().out.split())
    assert "3 token rejected, 4 Discord unreachable, 5 gateway refused" in out
    assert "6 database unusable" in out


def test_debug_before_run_also_shows_the_traceback(project: Path) -> None:
    database = project / "data" / "briefbot.sqlite3"
    database.parent.mkdir()
    database.write_bytes(b"not a database " * 300)
    env = {k: v for k, v in os.environ.items() if k != TOKEN_VARIABLE}
    env.update({"PYTHONPATH": str(ROOT), TOKEN_VARIABLE: "MTIz.cli-test-token"})

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=project,
            check=False,
        )

    quiet, loud = run("run"), run("--debug", "run")

    assert quiet.returncode == loud.returncode == 6
    assert "Traceback" not in quiet.stderr
    assert "Traceback (most recent call last)" in loud.stderr
    assert "sqlite3.DatabaseError: file is not a database" in loud.stderr
    assert quiet.stderr.splitlines()[-1] == loud.stderr.splitlines()[-1]
    assert loud.stderr.splitlines()[-1].startswith(
        f"briefbot run: The database {database} is damaged"
    )
    assert "MTIz.cli-test-token" not in quiet.stderr + loud.stderr


def test_preview_takes_a_file_path(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "briefings" / "harbour-ferry.yaml"
    assert main(["--config", str(project / "config.yaml"), "preview", str(path)]) == EXIT_OK
    assert capsys.readouterr().out.startswith("Harbour ferry timetable\n===")


def test_preview_of_a_file_with_errors_says_not_loaded(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = project / "briefings" / "broken.yaml"
    broken.write_text((FIXTURES / "unknown-key.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    config = str(project / "config.yaml")
    for target in ("broken", str(broken)):
        assert main(["--config", config, "preview", target]) == EXIT_ERRORS
        err = capsys.readouterr().err
        assert err.rstrip().endswith(f"{display_path(broken)}: not loaded: 1 error(s)"), err
        assert "No briefing is called" not in err
