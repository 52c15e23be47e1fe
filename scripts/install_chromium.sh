#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/python/test_browser.py), where the machine allows:
# already on PATH, or root (or password-less sudo) with apt-get. Otherwise it says so and exits 0:
# the browser tests then report "not run" (skipped), never passed. Playwright only drives it.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "browser: no chromium and no apt-get here; the browser tests will be reported as not run"
    exit 0
fi
if [[ "$(id -u)" == 0 ]]; then
    sudo=()
elif sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "browser: no chromium and no root to install it; the browser tests will be reported as not run"
    exit 0
fi
echo "browser: installing Debian's chromium for the browser tests (about 30 s)"
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get install -y -q chromium >/dev/null 2>&1; then
    # A fresh machine may have no package lists yet.
    "${sudo[@]}" apt-get update -q >/dev/null 2>&1 || true
    "${sudo[@]}" apt-get install -y -q chromium >/dev/null 2>&1 \
        || echo "browser: installing chromium failed; the browser tests will be reported as not run"
fi
