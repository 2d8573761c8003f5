#!/bin/sh
# mkrootfs-busybox.sh DIR - make a minimal root filesystem from the host's busybox-static.
# Used by install.sh for examples/hello.box and by the tests. Idempotent: an existing tree
# made from the same busybox binary is left alone.
set -eu
dir=${1:?usage: mkrootfs-busybox.sh DIR}
bb=$(command -v busybox || true)
[ -n "$bb" ] || { echo "mkrootfs-busybox.sh: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
if ! "$bb" --list >/dev/null 2>&1 || ldd "$bb" >/dev/null 2>&1; then
	echo "mkrootfs-busybox.sh: $bb is not a static busybox (apt-get install busybox-static)" >&2
	exit 1
fi
if [ -f "$dir/.boxlaunch-rootfs" ] && cmp -s "$bb" "$dir/usr/bin/busybox"; then
	exit 0
fi
mkdir -p "$dir"
cd "$dir"
mkdir -p usr/bin usr/sbin etc proc sys dev tmp run root var/tmp home/app
chmod 1777 tmp var/tmp
[ -e bin ] || ln -s usr/bin bin
[ -e sbin ] || ln -s usr/sbin sbin
cp "$bb" usr/bin/busybox
for a in $("$bb" --list); do
	[ "$a" = busybox ] && continue
	ln -sf busybox "usr/bin/$a"
done
cat >etc/passwd <<'P'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat >etc/group <<'G'
root:x:0:
tty:x:5:
app:x:1000:
wheel:x:10:app
nogroup:x:65534:
G
chown 1000:1000 home/app
cat >etc/os-release <<'O'
ID=busybox
NAME=BusyBox
PRETTY_NAME="BusyBox root filesystem (boxlaunch)"
O
: >etc/hostname
: >etc/resolv.conf
touch .boxlaunch-rootfs
