#!/usr/bin/env bash
# Makes sure a Chromium browser (Debian's chromium) is on this machine: the dashboard test opens
# the dashboard's page in it, headless, through playwright-core (which downloads no browser of its
# own). `npm test` runs this first; it installs only when missing.
exec "$(dirname "$0")/ensure-debian-package.sh" chromium chromium "the dashboard test drives a real Chromium"
