#!/usr/bin/env bash
# Refresh the vendored uPlot (the cycle page's chart) from the npm registry.
#
# Usage: monitor/web/static/vendor/refresh.sh [VERSION]   (default: the version vendored now)
#
# The files keep the names the cycle page loads (templates/cycle.html), so a refresh is a
# diff to review, not a change to the pages. The package is fetched with `npm pack`, which
# checks it against the registry's integrity hash; nothing is installed or run from it.
set -euo pipefail

version="${1:-1.6.32}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="$here/uplot"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --ignore-scripts: a pack of a registry package must not run the package's lifecycle scripts.
tarball="$(cd "$work" && npm pack --silent --ignore-scripts "uplot@$version" | tail -n 1)"
tar -xzf "$work/$tarball" -C "$work"
packed="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$work/package/package.json" | head -n 1)"

mkdir -p "$target"
for file in dist/uPlot.iife.min.js dist/uPlot.min.css LICENSE; do
    cp "$work/package/$file" "$target/$(basename "$file")"
done
echo "uPlot $packed vendored in $target"
