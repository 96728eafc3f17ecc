#!/usr/bin/env bash
# Runs a command as on a machine with only Node.js: the system's FFmpeg, ffprobe and Chromium are masked in
# a private mount namespace (nothing changes outside it), so only what npm installed can be found.
# Usage: scripts/bare-machine.sh COMMAND [ARGS...]   (needs root or unprivileged user namespaces)
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
if [ "${STREAMTIDE_BARE_INNER:-}" != 1 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    exec env STREAMTIDE_BARE_INNER=1 unshare --mount --propagation private "$0" "$@"
  fi
  exec env STREAMTIDE_BARE_INNER=1 unshare --user --map-root-user --mount --propagation private "$0" "$@"
fi
for tool in ffmpeg ffprobe chromium chromium-browser google-chrome; do
  for dir in /usr/bin /usr/local/bin /bin /usr/lib/chromium; do
    [ -e "$dir/$tool" ] && mount --bind /dev/null "$dir/$tool"
  done
done
unset STREAMTIDE_BARE_INNER FFMPEG_PATH FFPROBE_PATH CHROMIUM_PATH
exec "$@"
