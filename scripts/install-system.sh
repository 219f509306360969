#!/usr/bin/env bash
# Install the Debian packages gridsvc needs, only those missing. Run by `make setup`.
set -euo pipefail

packages=(
  postgresql-15 postgresql-15-postgis-3   # the store
  python3-venv                            # the project's virtualenv
  chromium                                # PNG and PDF of maps, sheets and cards (headless)
  fonts-noto-cjk                          # Chinese glyphs in PNG/PDF (else empty boxes)
  poppler-utils                           # pdfinfo/pdftotext/pdffonts: the tests read the PDFs
  gdal-bin                                # ogrinfo/ogr2ogr: the tests read the OGC API with GDAL
  wrk                                     # the HTTP load tool of benchmarks/api.py
)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# pyenv or another interpreter may bring its own venv: python3-venv is then not needed
if [[ " ${missing[*]} " == *" python3-venv "* ]] && python3 -m venv --help >/dev/null 2>&1; then
  missing=("${missing[@]/python3-venv}")
fi
read -r -a missing <<< "${missing[*]}"
[ ${#missing[@]} -eq 0 ] && { echo "system packages: all present"; exit 0; }

echo "system packages to install: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
  echo "not root and no sudo: ask an administrator to run: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
