"""Provider settings, bundled-model assembly and label probabilities (no LLM loaded)."""

from __future__ import annotations

import hashlib
import math
import socket
import sys
from pathlib import Path

import numpy as np
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from generation import ModelError, load_model, parse_spec
from generation.bundled import BundledModel, is_ready, part_paths, prepare
from generation.labels import label_distribution, labels_from_top_logprobs, match_label
from generation.remote import RemoteLabeler
from interface.cli import main
from interface.settings import Settings

# --- the --llm setting -------------------------------------------------------------------


@pytest.mark.parametrize(("text", "provider", "model", "url"), [
    (None, "local", "", None),
    ("local", "local", "", None),
    ("ollama:llama3.2", "ollama", "llama3.2", None),
    ("ollama:qwen2.5:7b@http://10.0.0.5:11434", "ollama", "qwen2.5:7b", "http://10.0.0.5:11434"),
    ("openai:gpt-4o-mini@https://api.example.com/v1", "openai", "gpt-4o-mini",
     "https://api.example.com/v1"),
])
def test_specs_parse(text, provider, model, url):
    spec = parse_spec(text)
    assert (spec.provider, spec.model, spec.base_url) == (provider, model, url)


def test_a_local_gguf_path_is_a_spec(tmp_path):
    spec = parse_spec(f"local:{tmp_path}/small.gguf")
    assert spec.path == tmp_path / "small.gguf" and str(spec) == f"local:{tmp_path}/small.gguf"


@pytest.mark.parametrize(("text", "message"), [
    ("gpt4", "unknown provider"),
    ("openai:gpt-4o", "give the server"),
    ("openai:@http://x", "name the model"),
    ("ollama:m@ftp://x", "must start with http"),
    ("local:small", "give a GGUF file"),
])
def test_bad_specs_say_what_is_wrong(text, message):
    with pytest.raises(ModelError, match=message):
        parse_spec(text)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_server_is_one_clear_error(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}/v1"
    with pytest.raises(ModelError, match="cannot reach the OpenAI-compatible server"):
        load_model(f"openai:qwen@{url}", Settings(data_dir=tmp_path).model_cache)
    with pytest.raises(ModelError, match="cannot reach Ollama"):
        load_model(f"ollama:qwen@{url}", Settings(data_dir=tmp_path).model_cache)


def test_a_missing_or_bad_local_file_is_one_clear_error(tmp_path):
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(ModelError, match="no such model file"):
        load_model(f"local:{tmp_path}/absent.gguf", settings.model_cache)
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"not a model at all")
    with pytest.raises(ModelError, match="not a GGUF model file"):
        load_model(f"local:{fake}", settings.model_cache)


def test_the_cli_prints_one_line_for_a_bad_setting(tmp_path, capsys):
    code = main(["models", "list", "--llm", "bogus:thing", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: --llm 'bogus:thing': unknown provider")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


# --- bundled model assembly ----------------------------------------------------------------


@pytest.fixture
def fake_parts(tmp_path, monkeypatch):
    """Three installed "part packages" whose concatenation is a known byte string."""
    contents = [b"GGUF" + bytes(range(50)), b"middle part " * 40, b"end"]
    for number, data in enumerate(contents, start=1):
        package = tmp_path / "site" / f"cpfakepart{number}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"part{number:02d}.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    whole = b"".join(contents)
    yield BundledModel("fake", "fake.gguf", "cpfakepart", 3, len(whole),
                       hashlib.sha256(whole).hexdigest()), whole
    for number in range(1, 4):
        sys.modules.pop(f"cpfakepart{number}", None)


def test_prepare_assembles_verifies_then_trusts_the_stamp(fake_parts, tmp_path):
    model, whole = fake_parts
    cache = tmp_path / "cache"
    assert not is_ready(cache, model)
    first = prepare(cache, model)
    assert first.assembled and first.verified == "sha256"
    assert first.path.read_bytes() == whole and is_ready(cache, model)
    again = prepare(cache, model)
    assert (again.assembled, again.verified) == (False, "stamp")
    forced = prepare(cache, model, full_check=True)
    assert (forced.assembled, forced.verified) == (False, "sha256")
    assert not list(cache.glob("*.tmp"))


def test_a_changed_file_is_reassembled(fake_parts, tmp_path):
    model, whole = fake_parts
    cache = tmp_path / "cache"
    path = prepare(cache, model).path
    path.write_bytes(b"X" * len(whole))  # same size, new mtime: the stamp no longer matches
    assert not is_ready(cache, model)
    redone = prepare(cache, model)
    assert redone.assembled and path.read_bytes() == whole


def test_a_wrong_digest_leaves_no_file(fake_parts, tmp_path):
    model, _ = fake_parts
    wrong = BundledModel(model.name, model.file_name, model.package_prefix, model.parts,
                         model.size, "0" * 64)
    with pytest.raises(ModelError, match="reinstall the part packages"):
        prepare(tmp_path / "cache", wrong)
    assert not list((tmp_path / "cache").iterdir())


def test_a_missing_part_package_is_named(fake_parts):
    model, _ = fake_parts
    four = BundledModel(model.name, model.file_name, model.package_prefix, 4, model.size,
                        model.sha256)
    with pytest.raises(ModelError, match="cpfakepart4 is not installed"):
        part_paths(four)


def test_the_real_parts_are_installed_in_order():
    paths = part_paths()
    assert [p.name for p in paths] == [f"part{n:02d}.bin" for n in range(1, 23)]
    assert sum(p.stat().st_size for p in paths) == 1_117_320_768
    assert all("site-packages" in str(p) or "dist-packages" in str(p) for p in paths)


# --- label probabilities -------------------------------------------------------------------


def test_label_distribution_sums_token_variants_and_normalises():
    log_probs = np.log(np.array([0.5, 0.2, 0.1, 0.1, 0.1]))
    result = label_distribution(log_probs, {"Yes": {1, 2}, "No": {3}})
    assert result["Yes"] == pytest.approx(0.75) and result["No"] == pytest.approx(0.25)


def test_labels_sharing_a_first_token_are_refused():
    with pytest.raises(ValueError, match="same token"):
        label_distribution(np.zeros(3), {"Yes": {1}, "Yeah": {1, 2}})


def test_top_logprobs_map_to_labels():
    top = [("Yes", math.log(0.6)), (" yes", math.log(0.1)), ("No", math.log(0.2)),
           ("Maybe", math.log(0.1))]
    result = labels_from_top_logprobs(top, ["Yes", "No"])
    assert result["Yes"] == pytest.approx(0.7 / 0.9)
    assert labels_from_top_logprobs([("Maybe", 0.0)], ["Yes", "No"]) is None
    assert match_label(" no.", ["Yes", "No"]) == "No"
    assert match_label("N", ["No", "Neutral"]) is None


def _scripted(*replies: AIMessage) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter(replies))


def test_remote_labeler_reads_openai_logprobs():
    metadata = {"logprobs": {"content": [{"token": "No", "logprob": math.log(0.8),
                                          "top_logprobs": [
                                              {"token": "No", "logprob": math.log(0.8)},
                                              {"token": "Yes", "logprob": math.log(0.2)}]}]}}
    labeler = RemoteLabeler(_scripted(AIMessage("No", response_metadata=metadata)), None)
    assert labeler([("human", "q")], ["Yes", "No"]) == pytest.approx({"Yes": 0.2, "No": 0.8})


def test_remote_labeler_reads_ollama_logprobs():
    metadata = {"logprobs": [{"token": "Yes", "logprob": math.log(0.9), "top_logprobs": [
        {"token": "Yes", "logprob": math.log(0.9)}, {"token": "No", "logprob": math.log(0.1)}]}]}
    labeler = RemoteLabeler(_scripted(AIMessage("Yes", response_metadata=metadata)), None)
    assert labeler([("human", "q")], ["Yes", "No"])["Yes"] == pytest.approx(0.9)


def test_without_logprobs_the_reply_is_the_label_with_probability_one():
    labeler = RemoteLabeler(_scripted(AIMessage("No")), None)
    assert labeler([("human", "q")], ["Yes", "No"]) == {"Yes": 0.0, "No": 1.0}


class _Refusing:
    """A scorer whose server rejects the logprobs option (HTTP 400)."""

    status_code = 400

    def invoke(self, messages):
        error = RuntimeError("logprobs not supported")
        error.status_code = 400
        raise error


def test_a_server_refusing_logprobs_falls_back_to_the_plain_reply():
    labeler = RemoteLabeler(_Refusing(), _scripted(AIMessage("Yes"), AIMessage("No")))
    assert labeler([("human", "q")], ["Yes", "No"]) == {"Yes": 1.0, "No": 0.0}
    assert labeler.logprobs is False
    assert labeler([("human", "q")], ["Yes", "No"]) == {"Yes": 0.0, "No": 1.0}


def test_models_list_shows_the_bundled_model_state(tmp_path, capsys):
    assert main(["models", "list", "--data-dir", str(tmp_path), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"ready": false' in out and '"selected": "local"' in out
    assert Path(tmp_path / "models").exists() is False  # listing never assembles
