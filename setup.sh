#!/usr/bin/env bash
# Set up Counterpoint on a fresh machine: a virtual environment in .venv with the project and
# its pinned dependencies, the bundled models assembled and verified, and the corpus indexed.
# Idempotent: on an unchanged checkout it only checks the stamp and returns in seconds.
#   bash setup.sh          what the app needs
#   bash setup.sh --test   also what the tests need (Debian chromium, node's @argdown/core)
set -euo pipefail
cd "$(dirname "$0")"

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

python=${PYTHON:-python3}
# llama-cpp-python is source-only. It is compiled for this machine's CPU (with AVX-512 where
# the CPU has it: prompts evaluate 1.5x faster than in a portable build), once per pin and
# build options, into a wheel kept under ~/.cache/counterpoint/wheels. For a wheel that runs
# on other CPUs too (a shared image), set CMAKE_ARGS=-DGGML_NATIVE=OFF.
cpu_build_args() {
  # On x86-64 Linux: each instruction set the CPU lists, switched on by name, never AMX.
  # -march=native would also use AMX where CPUID lists it, and a virtual machine may list AMX
  # without enabling it: llama.cpp then dies with "Illegal instruction" at its first tile
  # instruction (seen on a 2-core Xeon VM). Elsewhere: -march=native.
  if [ "$(uname -m)" != x86_64 ] || [ ! -r /proc/cpuinfo ]; then
    echo "-DGGML_NATIVE=ON"
    return
  fi
  local flags args="-DGGML_NATIVE=OFF" pair option needs needed state
  flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  # ggml option = the CPU flags it needs (GGML_AVX512 is ggml's F, CD, VL, DQ and BW).
  for pair in SSE42=sse4_2 F16C=f16c FMA=fma BMI2=bmi2 AVX=avx AVX2=avx2 AVX_VNNI=avx_vnni \
              AVX512=avx512f,avx512cd,avx512vl,avx512dq,avx512bw AVX512_VBMI=avx512vbmi \
              AVX512_VNNI=avx512_vnni AVX512_BF16=avx512_bf16; do
    option=${pair%%=*} needs=${pair#*=} state=ON
    for needed in ${needs//,/ }; do
      case "$flags" in *" $needed "*) ;; *) state=OFF ;; esac
    done
    args="$args -DGGML_$option=$state"
  done
  echo "$args -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
}
export CMAKE_ARGS="${CMAKE_ARGS:-$(cpu_build_args)}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
llama_pin=$(grep -E '^llama-cpp-python==' requirements.lock)
build_key=$(printf '%s\n%s\n' "$llama_pin" "$CMAKE_ARGS" | sha256sum | cut -c1-16)
wheelhouse="${XDG_CACHE_HOME:-$HOME/.cache}/counterpoint/wheels/$build_key"

# The venv is keyed by the pinned environment and the build options; the project itself is
# re-linked when pyproject.toml changes (seconds), so moving a package rebuilds nothing.
stamp_key=$( (cat requirements.lock; echo "$CMAKE_ARGS") | sha256sum | cut -c1-16)
stamp=.venv/.counterpoint-$stamp_key
project_stamp=.venv/.project-$(sha256sum pyproject.toml | cut -c1-16)

if [ ! -f "$stamp" ]; then
  echo "setup: creating .venv (dependencies changed or first run)"
  rm -rf .venv
  "$python" -m venv .venv
  .venv/bin/pip install --quiet --upgrade "pip==25.3"
  if ! ls "$wheelhouse"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    echo "setup: compiling llama-cpp-python for this CPU (first run only, ~10 min on 2 cores)"
    rm -rf "$wheelhouse.partial" && mkdir -p "$(dirname "$wheelhouse")"
    .venv/bin/pip wheel --quiet --no-deps --no-cache-dir -w "$wheelhouse.partial" "$llama_pin"
    mv "$wheelhouse.partial" "$wheelhouse"
  fi
  echo "setup: installing pinned dependencies"
  .venv/bin/pip install --quiet --find-links "$wheelhouse" -r requirements.lock
  touch "$stamp"
fi
if [ ! -f "$project_stamp" ]; then
  rm -f .venv/.project-*
  .venv/bin/pip install --quiet --no-deps --no-build-isolation -e .
  touch "$project_stamp"
fi

# Offline from here on: models come from the installed packages only.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# --run: a build that uses an instruction this CPU cannot run dies on its first long prompt.
if ! .venv/bin/counterpoint models prepare --run; then
  echo "setup: llama.cpp as built does not run here; remove $wheelhouse and .venv, then run" \
       "again with CMAKE_ARGS=-DGGML_NATIVE=OFF (a portable build)" >&2
  exit 1
fi
.venv/bin/counterpoint index --quiet

if [ "$want_test" = 1 ]; then
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    echo "setup: installing Debian chromium for the browser tests"
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  if [ ! -f tests/node/node_modules/@argdown/core/package.json ]; then
    echo "setup: installing @argdown/core for the Argdown export test"
    (cd tests/node && npm ci --silent --no-audit --no-fund)
  fi
fi
echo "setup: ready"
