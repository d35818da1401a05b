#!/usr/bin/env bash
# Install the peer tools into their own virtual environment, benchmarks/.peers/.
# They are GPL/AGPL and never enter journeymap's dependencies. A peer that cannot be
# installed here is recorded as unavailable with pip's error in .peers/status.json;
# the benchmark then reports its tasks as "not available".
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
PEERS="$HERE/.peers"
PYTHON="${PYTHON:-python3}"
test -x "$PEERS/bin/python" || "$PYTHON" -m venv "$PEERS"
"$PEERS/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
"$PEERS/bin/python" -m pip install -q numpy pandas pyarrow duckdb matplotlib >"$PEERS/base.log" 2>&1 || true

status="{"
sep=""
for spec in "channelattribution:ChannelAttribution" \
            "marketing-attribution-models:mam" \
            "pm4py:pm4py" \
            "duckdb:duckdb"; do
  pkg="${spec%%:*}"
  mod="${spec##*:}"
  log="$PEERS/install-$pkg.log"
  if "$PEERS/bin/python" -c "import $mod" >/dev/null 2>&1 ||
     { "$PEERS/bin/python" -m pip install -q "$pkg" >"$log" 2>&1 &&
       "$PEERS/bin/python" -c "import $mod" >>"$log" 2>&1; }; then
    version="$("$PEERS/bin/python" -m pip show "$pkg" 2>/dev/null | sed -n 's/^Version: //p')"
    entry="{\"available\": true, \"version\": \"$version\"}"
    echo "peer $pkg $version: installed"
  else
    err="$(tail -n 5 "$log" | tr -d '"\\' | tr '\n' ' ')"
    entry="{\"available\": false, \"error\": \"$err\"}"
    echo "peer $pkg: NOT available (see $log)"
  fi
  status="$status$sep\"$mod\": $entry"
  sep=", "
done
echo "$status}" >"$PEERS/status.json"
exit 0
