"""`magtui serve` decisions, without binding anything: where it may listen, which requests it
answers, what it runs for each browser session, and what the command line imports."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from magtui import cli, serve
from magtui.clinical.limits import InputError

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "magtui", *args], capture_output=True,
                          text=True, timeout=60, cwd=REPO, stdin=subprocess.DEVNULL,
                          env=dict(os.environ))


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """`serve.run` replaced: what the command would have served, and nothing bound."""
    calls: list[dict[str, Any]] = []

    def run(**kwargs: Any) -> int:
        calls.append(kwargs)
        return 0

    monkeypatch.setattr(serve, "run", run)
    return calls


# ----------------------------------------------------------------------------- where

@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "localhost", "LOCALHOST", "::1",
                                  "[::1]"])
def test_loopback_addresses_are_served_without_a_flag(host: str) -> None:
    assert serve.is_loopback(host)
    assert serve.check_host(host, 8000, allow_remote=False) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "example.org",
                                  "localhost.example.org", "127.0.0.1.nip.io"])
def test_a_remote_host_is_refused_without_allow_remote(host: str) -> None:
    assert not serve.is_loopback(host)
    with pytest.raises(InputError) as refused:
        serve.check_host(host, 8000, allow_remote=False)
    assert refused.value.field == "host"
    assert "--allow-remote" in refused.value.message
    assert "authentication" in refused.value.message


def test_the_refusal_exits_2_naming_host_before_anything_is_imported_or_bound() -> None:
    result = _run("serve", "--host", "0.0.0.0")
    assert result.returncode == cli.EXIT_INPUT == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("magtui: --host: '0.0.0.0' is not a loopback address")
    assert "--allow-remote" in lines[0] and "Traceback" not in result.stderr


def test_allow_remote_warns_that_there_is_no_authentication(
        no_server: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    warning = serve.check_host("0.0.0.0", 8123, allow_remote=True)
    assert warning is not None and "NO AUTHENTICATION" in warning and "0.0.0.0:8123" in warning

    assert cli.main(["serve", "--host", "0.0.0.0", "--port", "8123", "--allow-remote"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("magtui: WARNING: serving on 0.0.0.0:8123 with NO AUTHENTICATION")
    assert no_server == [{"host": "0.0.0.0", "port": 8123, "kb": None,
                          "loopback_only": False}]


def test_by_default_it_serves_loopback_only_on_port_8000(
        no_server: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve"]) == 0
    assert capsys.readouterr().err == ""
    assert no_server == [{"host": "127.0.0.1", "port": 8000, "kb": None, "loopback_only": True}]


def test_an_empty_host_is_refused_even_with_allow_remote() -> None:
    # aiohttp would read "" as every interface.
    with pytest.raises(InputError) as refused:
        serve.check_host(" ", 8000, allow_remote=True)
    assert refused.value.field == "host"


@pytest.mark.parametrize("port", ["0", "65536", "-1", "80.0", "8_000", "٨٠٠٠", "", "http"])
def test_a_port_must_be_a_plain_number_in_range(
        port: str, no_server: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--port", port]) == cli.EXIT_INPUT
    assert capsys.readouterr().err.startswith("magtui: --port: must be a whole number")
    assert no_server == []


def test_options_are_given_once_and_prefill_does_not_stand_before_serve(
        no_server: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--port", "8001", "--port", "8002"]) == cli.EXIT_INPUT
    assert "given more than once" in capsys.readouterr().err
    assert cli.main(["--age", "40", "serve"]) == cli.EXIT_INPUT
    assert "--age cannot stand before the command 'serve'" in capsys.readouterr().err
    assert no_server == []


def test_an_invalid_kb_exits_3_before_serving(
        tmp_path: Path, no_server: list[dict[str, Any]],
        capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    assert cli.main(["serve", "--kb", str(bad)]) == cli.EXIT_KB
    assert no_server == []


# ----------------------------------------------------------------------------- what it runs

def test_each_session_runs_the_tui_with_this_python_and_the_checked_kb(
        no_server: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    assert shlex.split(serve.tui_command()) == ["exec", sys.executable, "-m", "magtui"]
    monkeypatch.chdir(REPO)
    assert cli.main(["serve", "--kb", "kb/magnesium.json"]) == 0
    command = serve.tui_command(no_server[0]["kb"])
    assert shlex.split(command) == ["exec", sys.executable, "-m", "magtui", "--kb",
                                    str(REPO / "kb" / "magnesium.json")]


def test_python_dash_m_magtui_with_no_command_is_the_tui(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # What textual-serve runs (`python -m magtui`, no arguments) opens the consultation.
    opened: list[Any] = []
    monkeypatch.setattr(cli, "cmd_tui", lambda args: opened.append(args) or 0)
    assert cli.main([]) == 0
    assert len(opened) == 1 and opened[0].command is None


# ----------------------------------------------------------------------------- who may use it

@pytest.mark.parametrize(("host_header", "origin"), [
    ("127.0.0.1:8000", None),
    ("127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("localhost:8000", "http://localhost:8000"),
    ("[::1]:8000", "http://[::1]:8000"),
    ("LOCALHOST:8000", "http://localhost:8000"),
])
def test_this_machine_may_open_a_session(host_header: str, origin: str | None) -> None:
    assert serve.request_refusal(host_header=host_header, origin=origin, scheme="http",
                                 loopback_only=True) is None


@pytest.mark.parametrize(("host_header", "origin", "why"), [
    # A page whose name now resolves to 127.0.0.1 (DNS rebinding).
    ("attacker.example:8000", "http://attacker.example:8000", "only to this machine"),
    # Another site's page, in the clinician's browser, opening a session on loopback.
    ("127.0.0.1:8000", "http://attacker.example", "may not open a consultation"),
    ("127.0.0.1:8000", "null", "may not open a consultation"),
    ("127.0.0.1:8000", "http://127.0.0.1:9999", "may not open a consultation"),
    ("", None, "missing or malformed"),
    ("user@127.0.0.1:8000", None, "missing or malformed"),
    ("127.0.0.1:8000/x", None, "missing or malformed"),
])
def test_foreign_pages_are_refused(host_header: str, origin: str | None, why: str) -> None:
    refusal = serve.request_refusal(host_header=host_header, origin=origin, scheme="http",
                                    loopback_only=True)
    assert refusal is not None and why in refusal


def test_served_remotely_any_host_name_but_only_its_own_pages() -> None:
    assert serve.request_refusal(host_header="clinic-pc.lan:8000",
                                 origin="http://clinic-pc.lan:8000", scheme="http",
                                 loopback_only=False) is None
    assert serve.request_refusal(host_header="clinic-pc.lan:8000",
                                 origin="http://attacker.example", scheme="http",
                                 loopback_only=False) is not None


# ----------------------------------------------------------------------------- imports

def test_only_serve_imports_the_web_server() -> None:
    """The calculation commands and a refused `serve` import neither Textual nor the
    server (textual_serve, aiohttp): `serve` imports them only once it is going to listen."""
    code = (
        "import sys, io, contextlib\n"
        "from magtui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), "
        "contextlib.redirect_stderr(io.StringIO()):\n"
        "    assert main(['dose','--form','oxide','--compound-mg','400','--age','40',"
        "'--sex','male','--json']) == 0\n"
        "    assert main(['serve','--host','0.0.0.0']) == 2\n"
        "    assert main(['serve','--port','0']) == 2\n"
        "heavy = ('textual', 'textual_serve', 'aiohttp', 'aiohttp_jinja2', 'jinja2')\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, cwd=REPO, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"imported: {result.stdout}"
