#!/bin/sh
# Builds (or tests) the web page with this machine's Node.js and npm; Maven runs it in the web module.
#   sh build.sh build   type-check, bundle into target/classes/agentry-web, check the bundle's size
#   sh build.sh test    the page's unit tests (Vitest)
set -eu
cd "$(dirname "$0")"

missing() {
  echo "agentry-web: $1" >&2
  echo "agentry-web: the server's jar serves the web page, so the build needs it; see the README's prerequisites." >&2
  exit 1
}
command -v node >/dev/null 2>&1 ||
  missing "Node.js 20 or newer is needed to build the web page, and there is no 'node' on the PATH. Install Node.js 20+ (https://nodejs.org/ or your system's nodejs package) and build again."
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] ||
  missing "Node.js 20 or newer is needed to build the web page; 'node' on the PATH is $(node --version)."
command -v npm >/dev/null 2>&1 ||
  missing "npm is needed to build the web page, and there is no 'npm' on the PATH (it comes with Node.js 20+)."

# Install exactly what the lock file names, again only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

case "${1:-build}" in
  build) npm run --silent build ;;
  test) npm run --silent test ;;
  *) echo "usage: sh build.sh build|test" >&2; exit 2 ;;
esac
