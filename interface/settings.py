"""One frozen settings object, read only by the entry points (CLI, app.py)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval import IndexLocation

REPO_DIR = Path(__file__).resolve().parent.parent
_ENV_PREFIX = "COUNTERPOINT_"


@dataclass(frozen=True)
class Settings:
    """Where things live and which models to use. Flags > env > settings file > defaults."""

    corpus_dir: Path = REPO_DIR / "corpus"
    data_dir: Path | None = None  # None: the user's data dir (platformdirs)
    chroma_url: str | None = None  # e.g. http://127.0.0.1:8000 uses a Chroma server
    collection: str = "passages"
    llm: str = "local"  # local | local:FILE.gguf | ollama:MODEL[@URL] | openai:MODEL@BASE_URL
    k: int = 6
    include_comments: bool = True
    queue_size: int = 16  # web requests waiting for a turn; more are refused as "queue full"
    llm_timeout: int = 120  # seconds a remote model server may stay silent before we give up
    # More specs the web page may offer besides `llm`: only the operator names endpoints.
    models: tuple[str, ...] = ()

    @property
    def data_path(self) -> Path:
        if self.data_dir is not None:
            return Path(self.data_dir)
        from platformdirs import user_data_dir

        return Path(user_data_dir("counterpoint"))

    @property
    def model_choices(self) -> tuple[str, ...]:
        """The model specs a browser user may choose among: `llm` first, then `models`."""
        return tuple(dict.fromkeys([self.llm, *self.models]))

    @property
    def chroma_path(self) -> Path:
        return self.data_path / "chroma"

    @property
    def model_cache(self) -> Path:
        return self.data_path / "models"

    @property
    def index(self) -> IndexLocation:
        """Where the retrieval stage finds the corpus and its index."""
        from retrieval import IndexLocation  # imported here: `counterpoint docs` needs no numpy

        return IndexLocation(self.corpus_dir, self.chroma_path, self.chroma_url, self.collection)


def _coerce(name: str, value):
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if "Path" in str(kind):
        return None if value in (None, "") else Path(value).expanduser()
    if kind.startswith("tuple"):
        return model_list(value)
    if kind == "int":
        return int(value)
    if kind == "bool":
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
    return value or None if "None" in str(kind) else value


def model_list(value) -> tuple[str, ...]:
    """Model specs from a comma-separated string (flag, environment) or a list (settings file)."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    return tuple(str(item).strip() for item in items if str(item).strip())


def load_settings(overrides: dict | None = None, environ=None) -> Settings:
    """Build settings from the settings file, the environment and explicit overrides."""
    environ = os.environ if environ is None else environ
    values: dict = {}
    settings_file = environ.get(_ENV_PREFIX + "SETTINGS")
    if settings_file:
        values.update(tomllib.loads(Path(settings_file).read_text("utf-8")))
    for field in fields(Settings):
        key = _ENV_PREFIX + field.name.upper()
        if key in environ:
            values[field.name] = environ[key]
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    unknown = set(values) - {f.name for f in fields(Settings)}
    if unknown:
        raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
    return replace(Settings(), **{k: _coerce(k, v) for k, v in values.items()})


def session_of(settings: Settings, embedder=None, models: dict | None = None,
               log: Callable[[str], None] | None = None, background_indexing: bool = False):
    """The Session for these settings (`embedder` and `models` are given by tests; `log`
    hears what indexing does; the app embeds new passages in the background)."""
    from session import Session

    extra = {} if log is None else {"log": log}
    return Session(settings.index, settings.model_cache, settings.llm, embedder, models,
                   llm_timeout=settings.llm_timeout, background_indexing=background_indexing,
                   data_dir=settings.data_path, **extra)
