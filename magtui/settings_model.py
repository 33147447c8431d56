"""The pydantic-settings model that validates the settings file and `MAGTUI_*` variables.

Imported by `magtui.settings.load_settings` only when there is something to validate. The
file is read here through `safe_open` (a FIFO or device is refused, never blocked on; at
most 64 KiB) and parsed with `tomllib`, then handed to the model as its lowest-precedence
source; pydantic-settings' own environment source sits above it (Posting's layout).

Each setting is checked by a `before` validator of its own, so a message names the setting
and says what would be accepted, never a pydantic type dump. Text quoted from the file or
a variable is untrusted: the caller shows `problem` through `magtui.text` (the CLI's
`complain`, the app's `notify`), and it is made one line and short here already.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from magtui.clinical.limits import InputError
from magtui.clinical.units import creatinine_unit, serum_unit
from magtui.keymap import check_keymap
from magtui.safe_open import RefusedFile, read_regular_file
from magtui.settings import (
    CONFIG_READ_LIMIT,
    ENV_PREFIX,
    FIELDS,
    THEMES,
    LoadedSettings,
    Settings,
    Source,
    env_name,
    env_value,
)
from magtui.text import one_line, shorten

_DEFAULTS = Settings()


class SettingProblem(ValueError):
    """A setting refused; `key` names it as the file does (`theme`, `keymap.save`)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


_file_table: ContextVar[dict[str, Any]] = ContextVar("_file_table")
"""The parsed file for the model being built (`_validated`): sources are made per class."""


class _FileTable(PydanticBaseSettingsSource):
    """The settings file's table, already read and parsed (`read_table`)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return _file_table.get({}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_file_table.get({}))


def _text(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise SettingProblem(key, f"must be text, got {type(value).__name__}")
    if "\x00" in value:
        raise SettingProblem(key, "holds a NUL character")
    return value.strip()


def _unit(key: str, value: object, parse: Callable[[str, str], str]) -> str:
    try:
        return parse(_text(key, value), key)
    except InputError as exc:
        raise SettingProblem(key, exc.message) from None


class MagtuiSettings(BaseSettings):
    """Settings, highest precedence first: keyword arguments (`load_from` passes the
    defaults of settings found bad), `MAGTUI_*` variables, the settings file."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, case_sensitive=False, extra="forbid", frozen=True,
        env_ignore_empty=True,
    )

    creatinine_unit: Literal["mg/dL", "umol/L"] = _DEFAULTS.creatinine_unit
    serum_unit: Literal["mmol/L", "mg/dL", "mEq/L"] = _DEFAULTS.serum_unit
    notes_dir: Path | None = None
    theme: str | None = None
    # NoDecode: MAGTUI_KEYMAP's JSON is parsed by the validator, so bad JSON is named too.
    keymap: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # No .env file and no secrets folder: a file in the working directory must not
        # change a clinician's settings unseen.
        return init_settings, env_settings, _FileTable(settings_cls)

    @field_validator("creatinine_unit", mode="before")
    @classmethod
    def _creatinine_unit(cls, value: object) -> str:
        return _unit("creatinine_unit", value, creatinine_unit)

    @field_validator("serum_unit", mode="before")
    @classmethod
    def _serum_unit(cls, value: object) -> str:
        return _unit("serum_unit", value, serum_unit)

    @field_validator("notes_dir", mode="before")
    @classmethod
    def _notes_dir(cls, value: object) -> Path | None:
        if value is None or isinstance(value, Path):
            return value
        text = _text("notes_dir", value)
        # Relative paths mean what MAGTUI_NOTES_DIR always meant: from the working folder.
        return Path(text).expanduser() if text else None

    @field_validator("theme", mode="before")
    @classmethod
    def _theme(cls, value: object) -> str | None:
        if value is None:
            return None
        name = _text("theme", value)
        if name and name not in THEMES:
            raise SettingProblem("theme", f"unknown Textual theme {shorten(name, 40)!r} (e.g. "
                                 "textual-dark, textual-light, nord, ansi-dark; `magtui "
                                 "config show` lists them all)")
        return name or None

    @field_validator("keymap", mode="before")
    @classmethod
    def _keymap(cls, value: object) -> dict[str, str]:
        if isinstance(value, str) and env_value("keymap"):  # MAGTUI_KEYMAP='{"save": "f11"}'
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise SettingProblem("keymap", f"not JSON: {exc}") from None
        if isinstance(value, Mapping):
            value = dict(value)
        if not isinstance(value, dict):
            raise SettingProblem("keymap", "must be a table of binding id = key "
                                           f"(e.g. save = \"ctrl+w\"), got {type(value).__name__}")
        return check_keymap(_flat(value))


def _flat(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """TOML reads `area.patient = "f10"` as a table in a table: the id is the dotted name.
    Ids have one dot at most, so deeper tables stay values (and are refused as keys)."""
    flat: dict[str, Any] = {}
    for name, value in table.items():
        if isinstance(value, dict) and not prefix:
            flat.update(_flat(value, f"{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


class FileProblem(Exception):
    """The settings file as a whole cannot be used (unreadable, not TOML)."""


def _check_owner(path: Path) -> None:
    """As ssh does for its config: a file that someone else could change is not trusted."""
    if sys.platform == "win32":  # pragma: no cover - no owner/mode bits to check
        return
    st = os.stat(path)
    if st.st_uid not in (os.getuid(), 0):
        raise FileProblem("it belongs to another user; not used")
    if stat.S_IMODE(st.st_mode) & 0o022:
        raise FileProblem(f"group or others may write it; not used (chmod 600 {path})")


def read_table(path: Path) -> dict[str, Any]:
    """The file's TOML table; `FileProblem` (one line, naming the key where it can) if it
    cannot be used."""
    try:
        _check_owner(path)
        data = read_regular_file(path, limit=CONFIG_READ_LIMIT, follow_symlinks=True)
    except RefusedFile as exc:
        raise FileProblem(f"not read: {exc}") from None
    except OSError as exc:
        raise FileProblem(f"not read: {exc.strerror or type(exc).__name__}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileProblem(f"not UTF-8 text (byte {exc.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileProblem(_syntax_message(text, exc)) from None
    except RecursionError:
        raise FileProblem("invalid TOML: nested too deeply") from None


_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)|\(at end of document\)")


def _syntax_message(text: str, exc: tomllib.TOMLDecodeError) -> str:
    """`line 3 (creatinine_unit): invalid TOML: …`: the key written on that line, if any."""
    found = _AT_LINE.search(str(exc))
    if found is None or found.group(1) is None:
        return f"invalid TOML: {exc}"
    line_no = int(found.group(1))
    lines = text.splitlines()
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    key = line.split("=", 1)[0].strip() if "=" in line else line.strip()
    named = f" ({shorten(key, 40)})" if key else ""
    return f"line {line_no}{named}: invalid TOML: {str(exc)[:found.start()].strip()}"


@contextmanager
def _table(table: dict[str, Any]) -> Iterator[None]:
    token = _file_table.set(table)
    try:
        yield
    finally:
        _file_table.reset(token)


def _where(field: str, key: str, file_name: str) -> str:
    """Name a setting as the user wrote it: the variable, or the file and its key."""
    variable = env_name(field)
    if field in FIELDS and env_value(field):
        rest = key[len(field):].lstrip(".")
        return f"{variable}{f' ({rest})' if rest else ''}"
    return f"{file_name}: {key}"


def _problems(exc: ValidationError, file_name: str) -> tuple[list[str], set[str]]:
    """One clause per refused setting, and the settings to fall back to defaults for."""
    lines: list[str] = []
    bad: set[str] = set()
    for err in exc.errors(include_url=False):
        field = str(err["loc"][0]) if err["loc"] else "?"
        bad.add(field)
        error = (err.get("ctx") or {}).get("error")
        key = getattr(error, "key", None) or ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            message = f"not a magtui setting (settings: {', '.join(FIELDS)})"
        elif isinstance(error, ValueError):
            message = str(error)
        else:
            message = f"{err['msg']}, got {shorten(repr(err.get('input')), 40)}"
        lines.append(f"{_where(field, key, file_name)}: {message}")
    return lines, bad


def _validated(table: dict[str, Any], file_name: str) -> tuple[MagtuiSettings, list[str],
                                                                set[str]]:
    """The model from `table` and the environment; settings found bad take their defaults
    (keyword arguments outrank both sources), so one typo changes nothing else."""
    with _table(table):
        try:
            return MagtuiSettings(), [], set()
        except ValidationError as exc:
            lines, bad = _problems(exc, file_name)
        defaults = {name: _default(name) for name in bad if name in FIELDS}
        with _table({k: v for k, v in table.items() if k not in bad}):
            try:
                return MagtuiSettings(**defaults), lines, bad
            except ValidationError:  # not expected: then nothing from the file or variables
                return MagtuiSettings.model_construct(), lines, set(FIELDS)


def _default(name: str) -> Any:
    value = getattr(_DEFAULTS, name)
    return dict(value) if isinstance(value, Mapping) else value


def _sources(table: dict[str, Any], bad: set[str]) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for name in FIELDS:
        if name in bad:
            continue
        if env_value(name):
            sources[name] = "environment"
        elif name in table:
            sources[name] = "file"
    return sources


def load_from(path: Path, *, exists: bool) -> LoadedSettings:
    """The settings from `path` (if `exists`) and the environment; never raises."""
    problems: list[str] = []
    table: dict[str, Any] = {}
    if exists:
        try:
            table = read_table(path)
        except FileProblem as exc:
            problems.append(f"{path.name}: {exc}")
    model, lines, bad = _validated(table, path.name)
    problems += lines
    settings = Settings(
        creatinine_unit=model.creatinine_unit, serum_unit=model.serum_unit,
        notes_dir=model.notes_dir, theme=model.theme,
        keymap=MappingProxyType(dict(model.keymap)),
    )
    problem = one_line(shorten("; ".join(problems), 600)) if problems else None
    return LoadedSettings(settings, path, exists, problem,
                          MappingProxyType(_sources(table, bad)))
