# linekey: build, run and test.
#
#   make run     build in release mode and start linekey (CONFIG=file to choose the settings)
#   make test    formatting, lints, then every test (unit, loopback, sipp, kamailio, load)
#   make bench   benchmarks
#
# `deps` installs the Debian packages that are missing (and only then touches apt).

BUILD_PACKAGES := libasound2-dev cmake pkg-config
TEST_PACKAGES  := $(BUILD_PACKAGES) sip-tester kamailio baresip-core linphone-cli iproute2

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all run test bench deps deps-build deps-test build

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

# Until the desktop window exists, the app is the headless phone: type JSON commands such as
# {"cmd":"dial","target":"sip:bob@127.0.0.1:5062"} and read its events (see AGENT.md).
CONFIG ?= assets/linekey.example.toml

run: deps-build
	cargo run --release -- agent --config $(CONFIG)

# The integration tests talk to sipp, kamailio, baresip and linphone on 127.0.0.1 only. As root,
# they run in a private network namespace with only loopback up, so nothing can leave the machine
# (linphone needs that: elsewhere it puts the machine's external address in its SDP).
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
