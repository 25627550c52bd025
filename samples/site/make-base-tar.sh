#!/bin/sh
# Makes base.tar, the sample's base layer, from the text files in base/.
#
# Why a tarball and not the base/ directory itself: git keeps neither empty directories nor directory modes, and
# checks files out with the local umask, so a base directory from a clone could not give /tmp its 1777 mode (nor
# the same modes on every machine). A tarball records modes and owners exactly. base/ stays the readable source;
# this script turns it into the same bytes every time (one mtime, sorted names, root-owned, numeric ids only),
# and a test (SampleTests) checks that the committed base.tar is what it writes.
#
# Usage: ./make-base-tar.sh [OUTPUT]   (default: base.tar next to this script; needs GNU tar)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/base.tar}
case $out in /*) ;; *) out=$PWD/$out ;; esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT INT TERM
cp -R "$here/base/." "$stage/"
mkdir -p "$stage/root" "$stage/tmp"
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -exec chmod 0644 {} +
chmod 0700 "$stage/root"
chmod 1777 "$stage/tmp"

cd "$stage"
tar --format=ustar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --blocking-factor=1 \
    -cf "$out" etc root tmp
