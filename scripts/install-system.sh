#!/usr/bin/env bash
# Installs the Debian packages Kiri needs beyond Python: Chromium for the browser tests,
# poppler-utils (pdftoppm) for looking at reports, and R for the Robyn engine's checks.
# Runs apt-get only for what is missing; without root it prints what to install instead.
set -euo pipefail
wanted=(chromium poppler-utils r-base-core)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-system: please install these Debian packages: ${missing[*]}" >&2
  exit 0
fi
echo "install-system: apt-get install ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
