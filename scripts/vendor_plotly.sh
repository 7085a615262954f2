#!/bin/sh
# Rebuild sitegen/assets/plotly.min.js: plotly.js with only the trace types the site draws (scatter, bar,
# funnel, scatterpolar), from the npm registry's plotly.js package, bundled by esbuild. 1.2 MB instead of the
# full bundle's 4.8 MB, and no trace type that needs eval (the site runs under script-src 'self').
# The output is committed: building or viewing the site never downloads anything.
#   sh scripts/vendor_plotly.sh            (needs node and npm; writes sitegen/assets/plotly.min.js)
set -eu
PLOTLY=4.1.1
ESBUILD=0.28.2
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts "plotly.js@$PLOTLY" "esbuild@$ESBUILD" >/dev/null
cat > entry.js <<'JS'
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/bar'), require('plotly.js/lib/funnel'), require('plotly.js/lib/scatterpolar')]);
module.exports = Plotly;
JS
# maplibre's CSS is pulled in by plotly's registry for map traces, which this bundle does not have
node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --global-name=Plotly --platform=browser \
  --target=es2016 --define:global=window --define:define.amd=false --loader:.css=empty --legal-comments=none \
  --log-level=warning --outfile=bundle.js
{
  printf '/*! plotly.js v%s (sitegen bundle: scatter, bar, funnel, scatterpolar; scripts/vendor_plotly.sh)\n' "$PLOTLY"
  printf ' * Copyright 2012-2026, Plotly, Inc. Licensed under the MIT license */\n'
  # the default topojson address of geo charts (not in this bundle) points at a CDN the intranet cannot reach:
  # make it a local path, so that nothing in the site names an outside host
  sed 's#dflt:"https://cdn.plot.ly/un/"#dflt:"assets/topojson/"#' bundle.js
} > "$here/sitegen/assets/plotly.min.js"
ls -l "$here/sitegen/assets/plotly.min.js"
