#!/bin/bash
# A developer tool (bench/README.md, "The landed tree beside main's previous build"): review-17 F2, a page beside two busy loops.
# F2 demonstration: a hub beside two nice-0 busy loops; how long /login takes, per web priority.
# usage: starve-demo.sh <tree> <idle|nice>
tree=$1; prio=$2
dir=$(mktemp -d); port=$((21000 + RANDOM % 2000)); mport=$((port + 1))
cd $tree
MALLOC_ARENA_MAX=2 NODE_ENV=production HOST=127.0.0.1 PORT=$port MQTT_PORT=$mport HEARTH_DATA_DIR=$dir HEARTH_SIMULATOR=0 HEARTH_WEB_PRIORITY=$prio \
  HEARTH_ADMIN_USER=admin HEARTH_ADMIN_PASSWORD=correct-horse-battery \
  node --max-semi-space-size=2 dist/hub.mjs > $dir/hub.log 2>&1 &
hub=$!
for i in $(seq 1 60); do grep -q "hub: ready" $dir/hub.log && break; sleep 0.5; done
curl -s -o /dev/null http://127.0.0.1:$port/login   # warm
t() { local s=$(date +%s%N); curl -s -o /dev/null -m 120 -w "%{http_code}" http://127.0.0.1:$port/login; echo " $(( ($(date +%s%N) - s) / 1000000 )) ms"; }
echo "quiet: $(t) $(t) $(t)"
timeout 60 node -e 'for(;;){}' & h1=$!
timeout 60 node -e 'for(;;){}' & h2=$!
sleep 1
out=""; for i in 1 2 3 4 5 6; do out="$out | $(t)"; done
echo "2 busy loops: $out"
kill $h1 $h2 2>/dev/null; wait $h1 $h2 2>/dev/null
grep -E "web-priority" $dir/hub.log | cut -c1-250
kill $hub; wait $hub 2>/dev/null; rm -rf $dir
