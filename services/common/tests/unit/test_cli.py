"""The shared command line: a service's own commands are imported only when they are the one run."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from osool_common import cli
from osool_common.cli import ExtraCommand, ServiceSpec
from osool_common.settings import CommonSettings


class _Settings:
    @classmethod
    def load(cls) -> Any:
        return SimpleNamespace(log_level="INFO", osool_env="test")


def _spec(**extra: ExtraCommand) -> ServiceSpec:
    return ServiceSpec(
        name="example",
        package="osool_example",
        settings_class=cast(type[CommonSettings], _Settings),
        migrations_dir=Path("/nonexistent"),
        extra_commands=extra,
    )


@pytest.fixture(autouse=True)
def _no_logging_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    # The command line points the root logger at stdout; here it would keep pytest's captured stream after the test.
    monkeypatch.setattr(cli, "configure_logging", lambda *args, **kwargs: None)


def test_a_command_that_is_not_run_is_not_imported(capsys: pytest.CaptureFixture[str]) -> None:
    # Were the kit to import every command's module to build the parser, this one would fail to import.
    missing = "osool_no_such_module"
    spec = _spec(heavy=ExtraCommand(help="never run", add_arguments=f"{missing}:add", run=f"{missing}:run"))
    cli.main(spec, ["check-config"])
    assert "configuration ok (test)" in capsys.readouterr().out
    assert missing not in sys.modules
    with pytest.raises(ModuleNotFoundError):
        cli.main(spec, ["heavy"])  # the same spec, that command chosen: its module is imported


def test_the_chosen_command_parses_its_own_arguments_and_its_exit_code_is_the_process_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "osool_example_greet.py").write_text(
        textwrap.dedent(
            """
            seen = []

            def add_arguments(parser):
                parser.add_argument("--name", required=True)

            def run(settings, args):
                seen.append((settings.osool_env, args.name))
                return 3
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = _spec(
        greet=ExtraCommand(
            help="greet", add_arguments="osool_example_greet:add_arguments", run="osool_example_greet:run",
            migrate_first=False,
        )
    )  # fmt: skip
    with pytest.raises(SystemExit) as exited:
        cli.main(spec, ["greet", "--name", "Amr"])
    assert exited.value.code == 3
    assert sys.modules["osool_example_greet"].seen == [("test", "Amr")]
    with pytest.raises(SystemExit) as refused:  # its arguments are checked like any command's
        cli.main(spec, ["greet"])
    assert refused.value.code == 2
    monkeypatch.delitem(sys.modules, "osool_example_greet")
