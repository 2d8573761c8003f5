#!/bin/sh
# mkrootfs-webapp.sh DIR - the root filesystem of examples/webapp.box: the busybox tree of
# mkrootfs-busybox.sh (from the host's busybox-static) plus a page in /srv/www.
#   sh examples/mkrootfs-webapp.sh /var/lib/machines/webapp
# Idempotent: the busybox tree is left alone when it is current, and an existing
# /srv/www/index.html is never overwritten.
set -eu
me=mkrootfs-webapp.sh
if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $me DIR" >&2
	exit 2
fi
dir=$1
here=$(dirname "$0")
[ -r "$here/mkrootfs-busybox.sh" ] || { echo "$me: error: $here/mkrootfs-busybox.sh not found" >&2; exit 1; }
sh "$here/mkrootfs-busybox.sh" "$dir" || { echo "$me: error: making the busybox tree in $dir failed" >&2; exit 1; }
mkdir -p "$dir/srv/www"
if [ ! -e "$dir/srv/www/index.html" ]; then
	cat >"$dir/srv/www/index.html" <<'H'
<!DOCTYPE html>
<html><head><title>webapp</title></head>
<body><h1>Hello from the webapp box</h1>
<p>Served by busybox httpd from a read-only root filesystem, run by boxlaunch.</p></body></html>
H
fi
# Readable by the box's app user; owned by root, so the server cannot change its own content.
chmod 0755 "$dir/srv" "$dir/srv/www"
chmod 0644 "$dir/srv/www/index.html"
