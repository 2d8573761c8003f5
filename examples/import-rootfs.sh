#!/bin/sh
# import-rootfs.sh TARBALL DIR - unpack a distribution's root filesystem tarball into DIR, for a
# box's Directory=. As root. This is the documented way to get Fedora, Arch Linux and Alpine
# trees (see fedora.box, archlinux.box and alpine.box for which tarball to download):
#
#   sh examples/import-rootfs.sh alpine-minirootfs-3.20.3-x86_64.tar.gz /var/lib/machines/alpine
#   sh examples/import-rootfs.sh archlinux-bootstrap-x86_64.tar.zst /var/lib/machines/archlinux
#
# - DIR must not exist, or be an empty directory; anything else is refused.
# - Every member name is checked first: absolute names and '..' components are refused.
# - The tarball is unpacked with tar --numeric-owner --xattrs -xpf, so owners, modes, file
#   capabilities and other extended attributes come out as they were packed, whatever the
#   host's /etc/passwd says. Compression (gzip, xz, zstd, bzip2) is recognised by tar.
# - A tarball whose members all sit under one top-level directory that holds the tree (Arch's
#   root.x86_64/) is unpacked without that directory.
# - DIR/.boxlaunch-rootfs records the tarball's name and SHA-256.
# On an error, what was unpacked is removed again.
set -eu

me=import-rootfs.sh
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }
say() { printf '%s: %s\n' "$me" "$*"; }

case ${1:-} in
-h | --help) sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
esac
[ $# -eq 2 ] || { echo "usage: $me TARBALL DIR" >&2; exit 2; }
tarball=$1
dir=${2%/}

[ "$(id -u)" = 0 ] || die "run me as root (the tree keeps its owners, device nodes and xattrs)"
if [ ! -f "$tarball" ] || [ ! -r "$tarball" ]; then
	die "$tarball is not a readable file"
fi
case $dir in
'' | / | /usr | /etc | /var | /var/lib | /var/lib/machines) die "refusing to unpack into '${2}'" ;;
esac

created=no
if [ -e "$dir" ] || [ -L "$dir" ]; then
	if [ ! -d "$dir" ] || [ -L "$dir" ]; then
		die "$dir exists and is not a directory"
	fi
	[ -z "$(ls -A "$dir")" ] || die "$dir exists and is not empty; remove it first, or choose another directory"
else
	mkdir -p -- "$dir"
	created=yes
fi
list=$(mktemp "${TMPDIR:-/tmp}/import-rootfs.XXXXXX")
cleanup() {
	rm -f -- "$list"
	if [ "$created" = yes ]; then
		rm -rf --one-file-system -- "$dir"
	else
		find "$dir" -mindepth 1 -maxdepth 1 -exec rm -rf --one-file-system -- {} +
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

tar -tf "$tarball" >"$list" 2>/dev/null || die "$tarball is not a tar archive that tar can read"
[ -s "$list" ] || die "$tarball is empty"
# Names such as /etc/passwd or ../x would land outside DIR; GNU tar defuses them too, but an
# archive that carries them is not a root filesystem to trust.
if bad=$(grep -m1 -E '^/|(^|/)\.\.(/|$)' "$list"); then
	die "$tarball holds the unsafe member name '$bad'"
fi

# One top-level directory, not itself part of a tree (usr, etc, ...), that holds one: strip it.
strip=
tops=$(sed -e 's|^\./||' -e 's|/.*||' -e '/^\.\{0,1\}$/d' "$list" | sort -u)
if [ "$(printf '%s\n' "$tops" | wc -l)" -eq 1 ]; then
	case $tops in
	bin | boot | dev | etc | home | lib | lib64 | opt | root | run | sbin | srv | tmp | usr | var) ;;
	*) grep -q -E "^(\./)?$tops/(usr|etc)(/|$)" "$list" && strip=$tops ;;
	esac
fi

say "unpacking $tarball into $dir${strip:+ (without its top-level directory $strip/)}"
if [ -n "$strip" ]; then
	case $(sed -n 1p "$list") in
	./*) n=2 ;;
	*) n=1 ;;
	esac
	tar --numeric-owner --xattrs --xattrs-include='*' --strip-components="$n" -C "$dir" -xpf "$tarball" ||
		die "unpacking $tarball failed"
else
	tar --numeric-owner --xattrs --xattrs-include='*' -C "$dir" -xpf "$tarball" ||
		die "unpacking $tarball failed"
fi

[ -d "$dir/usr" ] || [ -d "$dir/etc" ] ||
	die "$tarball does not hold a root filesystem (no usr/ or etc/ at its top)"
sum=$(sha256sum "$tarball" | cut -d' ' -f1)
printf 'imported from %s (sha256 %s) on %s by import-rootfs.sh\n' "${tarball##*/}" "$sum" \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$dir/.boxlaunch-rootfs"
trap - EXIT
rm -f -- "$list"

# The tree is not trusted: read os-release's PRETTY_NAME as text, never source it, and follow
# no symbolic link (an absolute one would point into the host).
os=
for f in "$dir/usr/lib/os-release" "$dir/etc/os-release"; do
	if [ -f "$f" ] && [ ! -L "$f" ]; then
		os=$(sed -n 's/^PRETTY_NAME=//p' "$f" | head -n 1 | tr -d "\"'" | tr -cd '[:print:]')
		break
	fi
done
say "$dir is ready${os:+: $os}"
init=
for i in /usr/lib/systemd/systemd /lib/systemd/systemd /sbin/init; do
	if [ -e "$dir$i" ] || [ -L "$dir$i" ]; then
		init=$i
		break
	fi
done
[ -n "$init" ] ||
	say "note: no init in the tree (/usr/lib/systemd/systemd, /lib/systemd/systemd, /sbin/init): Boot = yes will not start; install one first, or use Boot = no"
