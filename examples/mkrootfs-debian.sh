#!/bin/sh
# mkrootfs-debian.sh [--force] DIR [SUITE] - make a bootable Debian (or Ubuntu) root filesystem
# for a Boot=yes box such as examples/debian.box, with debootstrap. As root.
#
#   sh examples/mkrootfs-debian.sh /var/lib/machines/debian             # Debian 12 "bookworm"
#   sh examples/mkrootfs-debian.sh /var/lib/machines/ubuntu jammy       # Ubuntu 22.04
#
# SUITE defaults to bookworm. MIRROR defaults to http://deb.debian.org/debian, or to
# http://archive.ubuntu.com/ubuntu for the Ubuntu suites focal, jammy and noble. Ubuntu suites
# need debootstrap's script for the suite (/usr/share/debootstrap/scripts/SUITE: Debian 12's
# debootstrap has jammy but not noble) and Ubuntu's archive key, from the ubuntu-keyring package
# (/usr/share/keyrings/ubuntu-archive-keyring.gpg); KEYRING=FILE names another key file.
#
# The tree is built with debootstrap --variant=minbase plus systemd, systemd-sysv, dbus and
# iproute2 (EXTRA_PACKAGES=a,b adds more), in DIR.new next to DIR, then prepared without booting
# it: /etc/hostname (the last component of DIR), an empty /etc/machine-id (systemd fills it at
# boot from the container_uuid= boxlaunch passes, derived from the box name), root without a
# password so the console logs in, and the apt package cache emptied. Only then is it renamed
# to DIR, so a failed run never leaves a half-made DIR.
# Idempotent: if DIR/etc/os-release exists, nothing is done unless --force is given, which builds
# a new tree and replaces the old one.
set -eu

me=mkrootfs-debian.sh
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }
say() { printf '%s: %s\n' "$me" "$*"; }
# PRETTY_NAME of the tree in $1, read as text (os-release is not sourced).
pretty() { sed -n 's/^PRETTY_NAME=//p' "$1/etc/os-release" | head -n 1 | tr -d "\"'"; }

force=no
while [ $# -gt 0 ]; do
	case $1 in
	--force) force=yes; shift ;;
	-h | --help) sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option $1 (usage: $me [--force] DIR [SUITE])" ;;
	*) break ;;
	esac
done
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	die "usage: $me [--force] DIR [SUITE]"
fi
dir=$1
suite=${2:-bookworm}

case $dir in
/*) ;;
*) dir=$(pwd)/$dir ;;
esac
dir=${dir%/}
case $dir in
'' | / | /usr | /etc | /var | /var/lib | /var/lib/machines) die "refusing to use $1 as the root filesystem directory" ;;
esac
case $suite in
*[!a-z0-9-]* | '') die "'$suite' is not a suite name (such as bookworm or jammy)" ;;
esac

if [ -e "$dir/etc/os-release" ] && [ "$force" = no ]; then
	say "$dir already holds a root filesystem ($(pretty "$dir")); use --force to rebuild it"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "run me as root (debootstrap creates device nodes and chroots)"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap not found (apt-get install debootstrap)"
[ -e "/usr/share/debootstrap/scripts/$suite" ] ||
	die "this debootstrap has no script for '$suite' (/usr/share/debootstrap/scripts/$suite); a newer debootstrap may have it"

ubuntu=no
case $suite in
focal | jammy | kinetic | lunar | mantic | noble | oracular | plucky) ubuntu=yes ;;
esac
if [ "$ubuntu" = yes ]; then
	mirror=${MIRROR:-http://archive.ubuntu.com/ubuntu}
	keyring=${KEYRING:-/usr/share/keyrings/ubuntu-archive-keyring.gpg}
	[ -r "$keyring" ] ||
		die "Ubuntu's archive key $keyring is missing: install the ubuntu-keyring package, or set KEYRING=FILE"
else
	mirror=${MIRROR:-http://deb.debian.org/debian}
	keyring=${KEYRING:-}
fi

name=${dir##*/}
case $name in
*[!A-Za-z0-9.-]* | '' | .*) die "the directory name '$name' is not a valid host name; choose another DIR" ;;
esac

new=$dir.new
old=$dir.old
if [ -e "$new" ]; then
	say "removing $new left over from an earlier run"
	rm -rf --one-file-system -- "$new"
fi
mkdir -p -- "${dir%/*}"
mkdir -- "$new"
trap 'rm -rf --one-file-system -- "$new"' EXIT
trap 'exit 130' INT TERM HUP

include=systemd,systemd-sysv,dbus,iproute2${EXTRA_PACKAGES:+,$EXTRA_PACKAGES}
say "debootstrap $suite from $mirror into $new (this downloads about 100 MB)"
set -- --variant=minbase --include="$include"
[ -n "$keyring" ] && set -- "$@" --keyring="$keyring"
debootstrap "$@" "$suite" "$new" "$mirror" >"$new.log" 2>&1 || {
	tail -n 20 "$new.log" >&2
	die "debootstrap failed; its log is $new.log"
}
rm -f -- "$new.log"

say "preparing the tree"
[ -x "$new/usr/lib/systemd/systemd" ] || [ -x "$new/lib/systemd/systemd" ] ||
	die "systemd is missing from the new tree"
printf '%s\n' "$name" >"$new/etc/hostname"
grep -q "[[:space:]]$name\$" "$new/etc/hosts" 2>/dev/null ||
	printf '127.0.1.1\t%s\n' "$name" >>"$new/etc/hosts"
# Empty, not missing: at boot systemd fills it from container_uuid= (which boxlaunch derives from
# the box name, so the id is stable), or makes a random one when there is none.
: >"$new/etc/machine-id"
rm -f -- "$new/var/lib/dbus/machine-id"
[ -d "$new/var/lib/dbus" ] && ln -s /etc/machine-id "$new/var/lib/dbus/machine-id"
# Root logs in on the console without a password; set one (passwd) before giving the machine a
# network others can reach.
chroot "$new" /usr/bin/passwd -d root >/dev/null
# Nothing to mask: the units that cannot work in a container (udev, getty on /dev/tty1, ...)
# are either not installed by minbase or carry ConditionVirtualization=!container.
rm -f "$new"/var/cache/apt/archives/*.deb
touch "$new/.boxlaunch-rootfs"

if [ -e "$dir" ]; then
	rm -rf --one-file-system -- "$old"
	mv -- "$dir" "$old"
fi
mv -- "$new" "$dir"
trap - EXIT
rm -rf --one-file-system -- "$old"
say "$dir is ready: $(pretty "$dir")"
