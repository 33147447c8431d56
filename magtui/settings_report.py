"""`magtui config show`: the settings in effect, as TOML one could paste, or as JSON."""

from __future__ import annotations

import json
from typing import Any

from magtui.keymap import BINDINGS, effective_keys
from magtui.settings import FIELDS, THEMES, LoadedSettings, env_name


def _origin(loaded: LoadedSettings, setting: str) -> str:
    source = loaded.source(setting)
    if source == "environment":
        return f"from {env_name(setting)}"
    return "from the file" if source == "file" else "default"


def _toml_key(name: str) -> str:
    return name if name.replace("_", "").isalnum() else json.dumps(name)


def settings_json(loaded: LoadedSettings) -> dict[str, Any]:
    settings = loaded.settings
    return {
        "path": str(loaded.path),
        "exists": loaded.exists,
        "problem": loaded.problem,
        "settings": {
            "creatinine_unit": settings.creatinine_unit,
            "serum_unit": settings.serum_unit,
            "notes_dir": None if settings.notes_dir is None else str(settings.notes_dir),
            "theme": settings.theme,
            "keymap": dict(settings.keymap),
        },
        "sources": {name: loaded.source(name) for name in FIELDS},
        "keys": effective_keys(settings.keymap),
        "themes": sorted(THEMES),
    }


def settings_text(loaded: LoadedSettings, notes_folder: str) -> str:
    """TOML with comments; `notes_folder` is where notes go when no setting names one."""
    settings = loaded.settings
    state = "found" if loaded.exists else "not found: defaults and variables only"
    lines = [
        f"# settings file: {loaded.path} ({state})",
        f"creatinine_unit = {json.dumps(settings.creatinine_unit)}  "
        f"# {_origin(loaded, 'creatinine_unit')}; mg/dL | umol/L",
        f"serum_unit = {json.dumps(settings.serum_unit)}  "
        f"# {_origin(loaded, 'serum_unit')}; mmol/L | mg/dL | mEq/L",
        (f"notes_dir = {json.dumps(str(settings.notes_dir), ensure_ascii=False)}  "
         f"# {_origin(loaded, 'notes_dir')}" if settings.notes_dir is not None
         else f"# notes_dir: not set; notes go to {notes_folder}"),
        (f"theme = {json.dumps(settings.theme)}  # {_origin(loaded, 'theme')}"
         if settings.theme is not None else "# theme: not set; Textual's default"),
        f"# themes: {', '.join(sorted(THEMES))}",
        "",
        f"[keymap]  # every binding id and its keys; keymap {_origin(loaded, 'keymap')}",
    ]
    for binding_id, keys in effective_keys(settings.keymap).items():
        moved = " (moved)" if binding_id in settings.keymap else ""
        shown = json.dumps(keys.split(",")) if "," in keys else json.dumps(keys)
        lines.append(f"{_toml_key(binding_id)} = {shown}  "
                     f"# {BINDINGS[binding_id].what}{moved}")
    return "\n".join(lines)
