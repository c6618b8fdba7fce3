# A thin shim: bootstrap .venv from the pinned requirements, then hand over to tasks.py.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements
# The browser admin's packages (Decap CMS, decap-server); reinstalled only when the lock file changed.
CMS_STAMP := cms/node_modules/.installed-package-lock.json

.PHONY: build test check serve clean setup system-tools

build: $(STAMP) $(CMS_STAMP)
	$(BIN)/invoke build search

test: $(STAMP) $(CMS_STAMP) system-tools
	$(BIN)/invoke test

# Everything a CI job needs before its steps: the venv and the admin's packages.
setup: $(STAMP) $(CMS_STAMP)

check: $(STAMP)
	$(BIN)/invoke check

serve: $(STAMP) $(CMS_STAMP)
	$(BIN)/invoke serve

# requirements.txt pins pyproject.toml's dependencies with the test and bench extras; its header says how to
# regenerate it from requirements.in. Re-installs when requirements.txt changed or the venv is missing or broken.
$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 oder neuer wird benötigt.")'
	@$(BIN)/python -c '' 2>/dev/null || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --disable-pip-version-check --quiet --requirement requirements.txt
	@cp requirements.txt $(STAMP)

$(CMS_STAMP): cms/package-lock.json
	@if command -v npm >/dev/null; then \
		cd cms && npm ci --prefer-offline --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.installed-package-lock.json; \
	else echo "WARNUNG: npm fehlt; die Seite wird ohne Redaktionsoberfläche (/admin/) gebaut."; fi

# The deploy tests ship to rsync, the header tests run nginx and apache2 (tests/test_server_config.py),
# the signed approvals' test makes SSH keys (ssh-keygen), the subscription service's tests start their own
# PostgreSQL cluster with initdb and pg_ctl from /usr/lib/postgresql/<version>/bin (tests/databases.py), the
# video tests encode and probe real videos with ffmpeg (tests/test_video_metadata.py);
# as root (CI containers) they are installed with apt-get when missing.
system-tools:
	@command -v rsync >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rsync >/dev/null; }
	@command -v ssh-keygen >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		  openssh-client >/dev/null; }
	@{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } && { command -v apache2 >/dev/null || [ -x /usr/sbin/apache2 ]; } || \
		[ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		  nginx-light apache2-bin >/dev/null; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		  postgresql >/dev/null; }
	@{ command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; } || [ "$$(id -u)" != 0 ] || \
		! command -v apt-get >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends ffmpeg >/dev/null; }

clean:
	rm -rf output output-production .output.* .output-production.* .cache
