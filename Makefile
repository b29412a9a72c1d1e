.PHONY: run test dev lint fmt i18n bench

run:            ## set up, migrate, load demo data, serve on http://127.0.0.1:5000
	scripts/run.sh

test:           ## set up (incl. Chromium) and run the whole suite on SQLite and PostgreSQL
	scripts/test.sh

dev: run

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

fmt:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

i18n:           ## refresh the Chinese catalogue from the sources and list untranslated strings
	.venv/bin/python scripts/i18n.py extract
	.venv/bin/python scripts/i18n.py check

bench:
	.venv/bin/python benchmarks/case_list.py
	.venv/bin/python benchmarks/render_docx.py
	.venv/bin/python benchmarks/pdf_cjk.py
	.venv/bin/python benchmarks/deadlines_board.py
	.venv/bin/python benchmarks/bench_dashboard.py
