# The two commands: `make run` (chat UI on the embedded default) and `make test` (everything CI runs).
# Each bootstraps .venv/ on first use; a second run installs nothing.
.PHONY: run test lint bench eval

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

eval:
	@bash scripts/bootstrap.sh
	@.venv/bin/assistant eval
