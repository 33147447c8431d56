"""User settings: units preselected, notes folder, theme and keymap (issue #14).

Read from `config.toml` in the platform's user config folder (`MAGTUI_CONFIG` names
another file), each setting overridable by its `MAGTUI_*` environment variable. Precedence,
highest first: the environment variable, the file, the default. For the notes folder the
app's own `notes_dir=` argument (tests) comes first, and `MAGTUI_NOTES_DIR` is that
setting's variable, so it keeps overriding the file as it always did.

The pydantic-settings model that validates a file lives in `magtui.settings_model`; it is
imported only when there is something to validate (a file, or a `MAGTUI_*` setting variable
other than the notes folder). A start without either — the common case and the benchmarks'
— costs one `stat`, not the ~0.2 s pydantic-settings takes to import.

A file or variable that cannot be used never stops magtui: each bad setting is named in one
line (`LoadedSettings.problem`), its default is used, and everything else still applies.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

CONFIG_ENV = "MAGTUI_CONFIG"
ENV_PREFIX = "MAGTUI_"
FIELDS = ("creatinine_unit", "serum_unit", "notes_dir", "theme", "keymap")
"""Every setting, in the order `magtui config show` lists them."""
NOTES_DIR_ENV = "MAGTUI_NOTES_DIR"
CONFIG_READ_LIMIT = 64 * 1024
"""A settings file is a few lines; anything larger is not one."""

Source = Literal["default", "file", "environment"]
THEMES = frozenset({
    "ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe",
    "catppuccin-latte", "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki",
    "gruvbox", "monokai", "nord", "rose-pine", "rose-pine-dawn", "rose-pine-moon",
    "solarized-dark", "solarized-light", "textual-dark", "textual-light", "tokyo-night",
})
"""Textual 8.2.8's built-in themes (`textual.theme.BUILTIN_THEMES`; a test keeps them equal),
named here so that checking a file never imports Textual."""


def env_name(setting: str) -> str:
    """The environment variable that overrides a setting: `MAGTUI_CREATININE_UNIT`, …"""
    return ENV_PREFIX + setting.upper()


def env_value(setting: str) -> str | None:
    """The setting's variable if set and not blank. Matched regardless of case, as
    pydantic-settings matches it (`case_sensitive=False`)."""
    name = env_name(setting)
    value = os.environ.get(name)
    if value is None:
        value = next((v for k, v in os.environ.items() if k.upper() == name), None)
    return value if value is not None and value.strip() else None


@dataclass(frozen=True, slots=True)
class Settings:
    """The settings in effect. Units are stored ids (`umol/L`), as `magtui.clinical.units`."""

    creatinine_unit: Literal["mg/dL", "umol/L"] = "mg/dL"
    serum_unit: Literal["mmol/L", "mg/dL", "mEq/L"] = "mmol/L"
    notes_dir: Path | None = None
    """None: `MAGTUI_NOTES_DIR` is not set and the file names no folder, so notes go to the
    platform's user data folder (`magtui.notes.store.notes_dir`)."""
    theme: str | None = None
    """A Textual theme name; None leaves Textual's default (`TEXTUAL_THEME`, else
    textual-dark)."""
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Binding id → keys (comma-separated, Textual's form), only the ids moved."""


@dataclass(frozen=True, slots=True)
class LoadedSettings:
    settings: Settings
    path: Path
    """The settings file read (or looked for)."""
    exists: bool
    problem: str | None = None
    """One line naming every setting that could not be used (its default is used)."""
    sources: Mapping[str, Source] = field(default_factory=lambda: MappingProxyType({}))
    """Where each setting came from; a setting not listed has its default."""

    def source(self, setting: str) -> Source:
        return self.sources.get(setting, "default")


def config_path() -> Path:
    """`MAGTUI_CONFIG` if set, else `<user config folder>/magtui/config.toml`."""
    chosen = os.environ.get(CONFIG_ENV, "").strip()
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs  # only when the default location is needed

    return platformdirs.user_config_path("magtui") / "config.toml"


_MODEL_FIELDS = tuple(name for name in FIELDS if name != "notes_dir")
_last: tuple[object, LoadedSettings] | None = None
"""The last settings loaded and what they were loaded from (`load_settings`)."""


def load_settings() -> LoadedSettings:
    """The settings in effect now. Never raises: a bad file or variable is reported in
    `problem`, and the defaults stand in for what it could not give."""
    global _last
    path = config_path()
    try:
        st = os.stat(path)
        signature: object = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode, st.st_uid)
    except (FileNotFoundError, NotADirectoryError):
        signature = None
    except OSError as exc:  # e.g. a folder on the way that we may not enter
        signature = ("error", exc.errno)
    env = tuple(env_value(name) for name in (*_MODEL_FIELDS, "notes_dir"))
    if signature is None and not any(env[:-1]) and "\x00" not in (env[-1] or ""):
        # Nothing to validate: no pydantic import on the way to the first frame.
        notes = Path(env[-1].strip()).expanduser() if env[-1] else None
        return LoadedSettings(
            Settings(notes_dir=notes), path, exists=False,
            sources=MappingProxyType({"notes_dir": "environment"} if notes else {}))
    key = (str(path), signature, env)
    if _last is not None and _last[0] == key:
        return _last[1]
    from magtui.settings_model import load_from  # pydantic-settings: see the module doc

    loaded = load_from(path, exists=signature is not None)
    _last = (key, loaded)
    return loaded


def configured_notes_dir() -> Path | None:
    """The notes folder the settings name (variable, then file), or None for the default."""
    return load_settings().settings.notes_dir
