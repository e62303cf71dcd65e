#!/usr/bin/env bash
# Debian packages the tests drive for real: Chromium (browser tests), CJK fonts (so
# screenshots show Chinese glyphs), Hugo (compatibility tests), epubcheck (with its Java, for the
# books export-epub writes). Installed only when missing.
set -euo pipefail
missing=()
for package in chromium fonts-noto-cjk hugo epubcheck; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo -n"; fi
echo "installing ${missing[*]} with apt-get" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
