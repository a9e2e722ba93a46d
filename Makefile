# Switchyard: `make demo` shows it working, `make check` runs everything CI runs.
# Run `make help` for the rest.

SHELL := /bin/bash
.DEFAULT_GOAL := help
include toolchain/firmware.mk

SWIFT ?= swift
HOST_SCRATCH := .build
export SWITCHYARD_CACHE

.PHONY: help toolchain build test firmware firmware-all smoke size bench fuzz demo check clean image images qemu-test
FUZZ_SECONDS ?= 10

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([^:]*:)?([a-z-]+):.*## /  make \2\t/' | expand -t 24

toolchain: ## Install Debian packages and build the static C libraries (idempotent)
	@toolchain/setup

build: toolchain ## Host build (full Swift)
	$(SWIFT) build --scratch-path $(HOST_SCRATCH)

test: build ## Host test suite (Swift Testing; the leak suite in a process of its own beside the rest)
	SWIFT=$(SWIFT) HOST_SCRATCH=$(HOST_SCRATCH) scripts/host-tests

firmware: toolchain ## Static firmware for ARCH=aarch64 (default) or ARCH=x86_64 -> build/<arch>/switchyard (VERSION=x.y.z stamps it)
	$(SWIFT) build $(FW_SWIFTPM_FLAGS)
	@mkdir -p $(FW_OUT)
	$(FW_CC) -Os -fPIC -ffunction-sections -Wall -Werror -c toolchain/embedded-runtime-fix.c -o $(FW_RUNTIME_FIX)
	$(FW_CC) $(FW_LDFLAGS) -o $(FW_OUT)/switchyard.debug $(FW_RUNTIME_FIX) $$(python3 toolchain/firmware-objects.py $(FW_OBJDIR)) $(FW_LDLIBS) 2> $(FW_OUT)/link.log \
	    || { cat $(FW_OUT)/link.log; exit 1; }
	@grep -v -e 'statically linked applications requires at runtime' -e 'in function' $(FW_OUT)/link.log || true
	$(FW_STRIP) $(FW_STRIP_FLAGS) -o $(FW_OUT)/switchyard $(FW_OUT)/switchyard.debug
	@[ -z "$(VERSION)" ] || python3 toolchain/stamp-version.py $(FW_OUT)/switchyard $(VERSION)
	@echo "firmware: $(FW_OUT)/switchyard ($$(stat -c %s $(FW_OUT)/switchyard) bytes, stripped)"

firmware-all: ## Firmware for both architectures
	$(MAKE) firmware ARCH=x86_64
	$(MAKE) firmware ARCH=aarch64

smoke: firmware-all ## `switchyard selftest` natively (x86_64) and under qemu (aarch64), then the x86_64 firmware against the simulators
	build/x86_64/switchyard selftest
	qemu-aarch64-static build/aarch64/switchyard selftest
	scripts/firmware-check build/x86_64/switchyard

size: firmware ## Binary size by section, by C library and the largest symbols (ARCH=...)
	@python3 toolchain/size-report.py $(FW_OUT)/switchyard $(FW_OUT)/switchyard.debug $(FW_OUT)/switchyard.map

bench: build ## Benchmarks (printed ratios, never asserted)
	@bench/run

fuzz: toolchain ## Run every libFuzzer target for FUZZ_SECONDS (default 10) each
	fuzz/run $(FUZZ_SECONDS)

demo: toolchain ## Start a local broker and the gateway with simulated devices, show the data
	@scripts/demo

BOARD ?= qemu-virt
IMAGE_BOARDS := rpi3 rpi4 rpi5 zero2w qemu-virt
image: ## SD card image for BOARD=rpi3|rpi4|rpi5|zero2w|qemu-virt (default) -> build/images/switchyard-<board>.img
	@toolchain/image-packages.sh
	$(MAKE) firmware ARCH=aarch64
	image/build.sh $(BOARD) build/aarch64/switchyard build/images/switchyard-$(BOARD).img

images: ## Every board's image, then check them all (partitions, boot files, root contents)
	@toolchain/image-packages.sh
	$(MAKE) firmware ARCH=aarch64
	for board in $(IMAGE_BOARDS); do image/build.sh $$board build/aarch64/switchyard build/images/switchyard-$$board.img || exit 1; done
	tests/image/check_images.py $(foreach b,$(IMAGE_BOARDS),build/images/switchyard-$(b).img)

qemu-test: ## Boot the qemu-virt image (online, UART console, SocketCAN on vcan and SJA1000, USB SLCAN hotplug, OTA push and rollback, power cut) and the rpi3 image (-M raspi3b)
	$(MAKE) image BOARD=qemu-virt
	image/build.sh rpi3 build/aarch64/switchyard build/images/switchyard-rpi3.img
	tests/image/check_images.py build/images/switchyard-qemu-virt.img build/images/switchyard-rpi3.img
	$(MAKE) firmware ARCH=x86_64
	SWITCHYARD_HOST_BINARY=build/x86_64/switchyard tests/image/qemu_boot_test.py build/images/switchyard-qemu-virt.img
	tests/image/raspi3_boot_test.py build/images/switchyard-rpi3.img

check: ## Everything CI runs: host build and tests, firmware for both archs, qemu smoke, image boot test, fuzzing
	$(MAKE) test
	$(MAKE) smoke
	$(MAKE) qemu-test
	$(MAKE) fuzz
	@echo "make check: all passed"

clean: ## Remove build output (not the toolchain cache)
	rm -rf build .build .build-fw-aarch64 .build-fw-x86_64 .build-bench .build-demo
