#!/usr/bin/env bash
# Regenerates the dashboard screenshots committed under docs/screenshots/ (the README shows them): runs the
# browser test (real control plane, edge, origin and redis-server on loopback; Debian's chromium), which writes
# one PNG per page to $EDGEFENCE_SCREENSHOTS.
#
#   scripts/screenshots.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-packages.sh redis-server chromium chromium-driver
if [ "${1:-}" != "--no-build" ]; then
  dotnet build tests/EdgeFence.ControlPlane.Tests -c Release -v q
fi
mkdir -p docs/screenshots
EDGEFENCE_SCREENSHOTS="$PWD/docs/screenshots" dotnet test tests/EdgeFence.ControlPlane.Tests -c Release --no-build \
  --filter "FullyQualifiedName~DashboardBrowserTests" --logger "console;verbosity=minimal"
ls -l docs/screenshots/*.png
