#!/usr/bin/env bash
# Publishes the edge as a native-AOT binary: artifacts/edge/edgefence-edge.
# Fails if the publish prints any warning: trim and AOT warnings are bugs under native AOT, and our
# code is zero-warning. Dockerfile.aot runs exactly this script.
#
#   scripts/publish-aot.sh          (from any directory)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Native AOT links with clang and needs zlib's headers (see shared/DESIGN.md, environment facts).
scripts/ensure-packages.sh clang zlib1g-dev

if ! command -v dotnet >/dev/null 2>&1; then
  echo "publish-aot: the .NET SDK (10.0, see global.json) is not on PATH: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  exit 1
fi

out=artifacts/edge
log=artifacts/publish-aot.log
binary="$out/edgefence-edge"
rm -rf "$out"
mkdir -p artifacts

# -tl:off: the plain console logger, one line per warning, so the log can be searched below.
echo "publish-aot: dotnet publish src/EdgeFence.Edge -c Release -r linux-x64 -o $out (log: $log)"
if ! dotnet publish src/EdgeFence.Edge -c Release -r linux-x64 -o "$out" -nologo -tl:off 2>&1 | tee "$log"; then
  echo "publish-aot: dotnet publish failed (log: $log)" >&2
  exit 1
fi

# Any line mentioning a warning, except MSBuild's "N Warning(s)" summary (MSBuild repeats each
# warning in its summary, hence sort -u) and the one-line-per-assembly IL2104/IL3053 of the
# third-party assemblies that aot.props lists, each with its reason.
allowed=$(sed -n 's/.*<EdgeFenceAotWarningAllowed Include="\([^"]*\)".*/\1/p' aot.props | paste -sd'|' -)
warnings=$(grep -i 'warning' "$log" | grep -Ev '^[[:space:]]*[0-9]+ Warning\(s\)[[:space:]]*$' \
  | grep -Ev "warning IL(2104|3053): Assembly '($allowed)' produced" | sort -u || true)
if [ -n "$warnings" ]; then
  echo "publish-aot: the publish printed warnings; the build must be warning-free:" >&2
  echo "$warnings" >&2
  exit 1
fi

if [ ! -x "$binary" ]; then
  echo "publish-aot: $binary was not produced (log: $log)" >&2
  exit 1
fi

size=$(stat -c %s "$binary")
echo "publish-aot: $binary: $size bytes ($(numfmt --to=iec-i --suffix=B "$size"))"
