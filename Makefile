# linekey: build, run and test.
#
#   make run     build in release mode and open the linekey window (CONFIG=file for other settings)
#   make agent   the headless phone on stdin/stdout (CONFIG=file, default the example settings)
#   make test    formatting, lints, then every test (unit, loopback, sipp, kamailio, load)
#   make bench   benchmarks
#   make install install the binary, desktop file, icons and metainfo (PREFIX=/usr/local,
#                DESTDIR for staging); without DESTDIR it also makes linekey the sip:/tel: handler
#   make deb     a Debian package (cargo-deb, installed first if missing)
#   make icons   render the PNG icons from the SVG (their output is committed)
#
# `deps` installs the Debian packages that are missing (and only then touches apt).

BUILD_PACKAGES := libasound2-dev cmake pkg-config
DEB_PACKAGES   := dpkg-dev
# xvfb, xauth, xdotool and imagemagick: the window test types into the real window on a virtual
# X server and takes a screenshot.
TEST_PACKAGES  := $(BUILD_PACKAGES) $(DEB_PACKAGES) sip-tester kamailio baresip-core linphone-cli iproute2 \
                  desktop-file-utils appstream xdg-utils xvfb xauth xdotool imagemagick

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all run agent test bench deps deps-build deps-test build install uninstall deb cargo-deb icons

APP_ID     := io.github.linekey.Linekey
ICON_SIZES := 16 24 32 48 64 128 256 512
PREFIX     ?= /usr/local
BINDIR     := $(PREFIX)/bin
DATADIR    := $(PREFIX)/share
SCHEMES    := sip sips tel callto
BINARY     := $(or $(CARGO_TARGET_DIR),target)/release/linekey

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

# The integration tests talk to sipp, kamailio, baresip and linphone on 127.0.0.1 only. As root,
# they run in a private network namespace with only loopback up, so nothing can leave the machine
# (linphone needs that: elsewhere it puts the machine's external address in its SDP).
test: deps-test cargo-deb
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

# Not dependent on `build`, so that `make && sudo make install` does not build as root.
install:
	@test -x $(BINARY) || { echo "$(BINARY) is missing: run make build first"; exit 1; }
	install -Dm755 $(BINARY) $(DESTDIR)$(BINDIR)/linekey
	install -Dm644 packaging/linux/$(APP_ID).desktop $(DESTDIR)$(DATADIR)/applications/$(APP_ID).desktop
	install -Dm644 packaging/linux/$(APP_ID).metainfo.xml $(DESTDIR)$(DATADIR)/metainfo/$(APP_ID).metainfo.xml
	install -Dm644 assets/icons/$(APP_ID).svg $(DESTDIR)$(DATADIR)/icons/hicolor/scalable/apps/$(APP_ID).svg
	for s in $(ICON_SIZES); do \
		install -Dm644 assets/icons/$${s}x$${s}/$(APP_ID).png \
			$(DESTDIR)$(DATADIR)/icons/hicolor/$${s}x$${s}/apps/$(APP_ID).png || exit 1; \
	done
	@# A staged install (DESTDIR) is registered by whoever installs it for real.
	@if [ -z "$(DESTDIR)" ]; then \
		echo "registering $(APP_ID).desktop as the handler of $(SCHEMES) links"; \
		command -v update-desktop-database >/dev/null && update-desktop-database -q $(DATADIR)/applications; \
		command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -qtf $(DATADIR)/icons/hicolor; \
		if command -v xdg-mime >/dev/null; then \
			for s in $(SCHEMES); do xdg-mime default $(APP_ID).desktop x-scheme-handler/$$s; done; \
		else echo "xdg-mime not found: linekey is not the default handler for call links"; fi; \
	fi; true

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/linekey \
		$(DESTDIR)$(DATADIR)/applications/$(APP_ID).desktop \
		$(DESTDIR)$(DATADIR)/metainfo/$(APP_ID).metainfo.xml \
		$(DESTDIR)$(DATADIR)/icons/hicolor/scalable/apps/$(APP_ID).svg
	for s in $(ICON_SIZES); do rm -f $(DESTDIR)$(DATADIR)/icons/hicolor/$${s}x$${s}/apps/$(APP_ID).png; done

# cargo-deb is built from source by cargo install (1 min 44 s on 2 cores here), so only when missing.
cargo-deb:
	@command -v cargo-deb >/dev/null || cargo install cargo-deb --locked

# DEB_FLAGS=--no-build packages the binary already in target/release as it is.
deb: deps-build cargo-deb
	@$(MAKE) --no-print-directory deps PACKAGES="$(DEB_PACKAGES)"
	cargo deb $(DEB_FLAGS)

icons:
	@$(MAKE) --no-print-directory deps PACKAGES=librsvg2-bin
	for s in $(ICON_SIZES); do \
		mkdir -p assets/icons/$${s}x$${s} && \
		rsvg-convert -w $$s -h $$s assets/icons/$(APP_ID).svg -o assets/icons/$${s}x$${s}/$(APP_ID).png || exit 1; \
	done
