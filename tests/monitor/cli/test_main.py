"""The entry point: every command has its module in the table, and a command loads only its
own module (the daemon's imports stay out of ``lactamon dossier``)."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from monitor.cli.main import COMMANDS, build_parser, command_modules, main


def test_the_table_names_what_each_module_registers() -> None:
    for module in command_modules([]):
        parser = argparse.ArgumentParser()
        commands = parser.add_subparsers(dest="command")
        module.register(commands)
        name = module.__name__.rpartition(".")[2]
        assert sorted(commands.choices) == sorted(COMMANDS[name]), name


def test_the_command_word_picks_its_module_and_options_before_it_are_skipped() -> None:
    assert [m.__name__ for m in command_modules(["-v", "ack", "x"])] == ["monitor.cli.ops_cmd"]
    assert len(command_modules(["--help"])) == len(COMMANDS)
    assert len(command_modules(["no-such-command"])) == len(COMMANDS)


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    shown = capsys.readouterr().out
    for commands in COMMANDS.values():
        for command in commands:
            assert command in shown


def test_an_unknown_command_is_named_among_the_choices(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["pasteurise"])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'pasteurise'" in error
    assert "dossier" in error


def test_a_report_command_does_not_load_the_daemon() -> None:
    probe = (
        "import sys\n"
        "from monitor.cli.main import main\n"
        "try:\n    main(['dossier', '--help'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('monitor.service.daemon', 'aiohttp', 'monitor.cli.run_cmd')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("[]"), done.stdout
