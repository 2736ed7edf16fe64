#!/usr/bin/env bash
# Installs the Debian packages named on the command line that are not installed yet.
# apt-get runs only when something is missing; sudo is used only when not already root.
#
#   scripts/ensure-packages.sh clang zlib1g-dev curl
set -euo pipefail

missing=()
for package in "$@"; do
  if ! dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-packages: missing ${missing[*]}, and this is not a Debian/Ubuntu system with apt-get: install them by hand" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "ensure-packages: missing ${missing[*]}; run as root or install sudo" >&2
  exit 1
fi

echo "ensure-packages: installing ${missing[*]}"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
