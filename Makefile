# The two set-up commands: `make demo` (embedded: SQLite, in-process tasks, its own anvil) and
# `make test` (everything on real PostgreSQL, Redis, anvil and a Celery worker).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install demo demo-reset test test-fast lint format messages contracts bench bench-gas bench-screen bench-chain-reads bench-signing bench-settle bench-watch bench-reconcile lock compose-check clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.lock
	@touch $@

# `npm install` rather than `npm ci`: the lock file records anvil's binary package for this platform
# only (the registry mirror serves no other platforms' builds), which `npm ci` refuses as out of sync.
node_modules/.installed: package.json package-lock.json
	npm install --no-fund --no-audit --loglevel=error
	@touch $@

demo: install
	$(BIN)/python manage.py demo

demo-reset:
	rm -f var/db.sqlite3 var/demo-chain.json

test: install
	$(BIN)/python -m tests.services run -- $(BIN)/pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m tests.services run -- $(BIN)/pytest -m "not journey" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py makemigrations --check --dry-run
	node tokens/contracts/compile.mjs --check
	$(BIN)/python -m config.catalogs check

# Bring locale/*/django.po up to date with the marked strings (new ones come in untranslated) and
# compile the .mo files; Babel does it, so GNU gettext is not needed. Translate, then run it again.
messages: install
	$(BIN)/python -m config.catalogs extract

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

contracts: node_modules/.installed
	node tokens/contracts/compile.mjs

bench: bench-gas bench-screen bench-chain-reads bench-signing bench-settle bench-reconcile

bench-gas: install
	$(BIN)/python bench/gas.py

# 1,000 balanceOf reads: web3's defaults against the chain client (cached contracts and chain id).
bench-chain-reads: install
	$(BIN)/python bench/chain_reads.py

# Signing one settlement transaction: pure-Python secp256k1 against coincurve (no node, no database).
bench-signing: install
	$(BIN)/python bench/signing.py

# Close request to all allotments settled for N = 100 (batched, one by one), 1,000 and 10,000 on real
# PostgreSQL, Redis, anvil and one Celery worker; `make bench-settle ARGS=--quick` runs N = 100 once.
bench-settle: install
	$(BIN)/python -m tests.services run -- $(BIN)/python bench/settle.py $(ARGS)
# One round of N = 1,000 served on a loopback port to watch in a browser (not part of `make bench`);
# `make bench-watch ARGS="--n 3000 --batch-size 10 --close-after 60"`.
bench-watch: install
	$(BIN)/python -m tests.services run -- $(BIN)/python bench/watch.py $(ARGS)
# Reconciling 10,000 holders (indexed holdings and the HKD leg against the books) on PostgreSQL.
bench-reconcile: install
	$(BIN)/python -m tests.services run -- $(BIN)/python bench/reconcile.py

# Sanctions screening throughput against the whole OFAC list (one process, one core); needs ../shared/data.
bench-screen: install
	$(BIN)/python bench/screen.py

# Re-resolve the whole tree from pyproject.toml's direct pins into requirements.lock.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	$(PYTHON) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > .lock-venv/direct.txt
	.lock-venv/bin/pip install --quiet -r .lock-venv/direct.txt
	.lock-venv/bin/pip freeze > requirements.lock
	rm -rf .lock-venv

# Placeholder secrets: compose refuses to start without them, and this checks the file, not the secrets.
compose-check:
	DJANGO_SECRET_KEY=placeholder PLATFORM_WALLET_KEYS=placeholder CUSTOMER_WALLET_KEYS=placeholder \
		AUDIT_HMAC_KEY=placeholder POSTGRES_PASSWORD=placeholder \
		docker-compose --env-file .env.example -f docker-compose.yml config -q

clean:
	rm -rf $(VENV) node_modules var staticfiles
