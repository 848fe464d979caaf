# linekey: build, run and test.
#
#   make run     build in release mode and open the linekey window (CONFIG=file for other settings)
#   make agent   the headless phone on stdin/stdout (CONFIG=file, default the example settings)
#   make test    formatting, lints, then every test (unit, loopback, sipp, kamailio, load)
#   make bench   benchmarks
#
# `deps` installs the Debian packages that are missing (and only then touches apt).

BUILD_PACKAGES := libasound2-dev cmake pkg-config
# xvfb, xauth, xdotool and imagemagick: the window test types into the real window on a virtual
# X server and takes a screenshot.
TEST_PACKAGES  := $(BUILD_PACKAGES) sip-tester kamailio iproute2 xvfb xauth xdotool imagemagick

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all run agent test bench deps deps-build deps-test build

all: build

deps-build:
	@$(MAKE) --no-print-directory deps PACKAGES="$(BUILD_PACKAGES)"

deps-test:
	@$(MAKE) --no-print-directory deps PACKAGES="$(TEST_PACKAGES)"

deps:
	@missing=""; \
	for p in $(PACKAGES); do \
		dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

build: deps-build
	cargo build --release

# The window uses the settings in the platform config directory (~/.config/linekey/linekey.toml
# on Linux; the first start opens the settings) unless CONFIG names a file.
CONFIG ?=

run: deps-build
	cargo run --release -- $(if $(CONFIG),--config $(CONFIG))

# The headless phone: type JSON commands such as {"cmd":"dial","target":"sip:bob@127.0.0.1:5062"}
# and read its events (see docs/agent.md).
agent: deps-build
	cargo run --release -- agent --config $(or $(CONFIG),assets/linekey.example.toml)

# The integration tests talk to sipp and kamailio on 127.0.0.1 only. As root, they run in a
# private network namespace with only loopback up, so nothing can leave the machine.
test: deps-test
	cargo fmt --check
	cargo clippy --release --all-targets -- -D warnings
	cargo test --release --no-run
	if [ "$$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then \
		unshare -n sh -c 'ip link set lo up && exec cargo test --release --offline --no-fail-fast'; \
	else \
		cargo test --release --no-fail-fast; \
	fi

bench: deps-build
	cargo bench
