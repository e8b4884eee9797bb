#!/usr/bin/env bash
# Vendor @noble/curves and @noble/hashes (audited, MIT) into static/vendor/ for the
# tablet's and the tellers' in-browser cryptography (docs/BOARD.md). The files are the
# packages' own ES modules, unchanged but for one thing: the bare imports
# '@noble/hashes/<file>' become relative paths, because the pages' Content-Security-Policy
# (script-src 'self') allows no inline import map. qrcode-generator (MIT) draws the
# teller's printable backup QR in the browser (the share never goes to the server).
# Run from the repository root.
set -euo pipefail
CURVES=2.4.0
HASHES=2.4.0
QRCODE=2.0.4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@noble/curves@$CURVES" "@noble/hashes@$HASHES" "qrcode-generator@$QRCODE" >/dev/null
 mkdir curves hashes qr && tar xzf "noble-curves-$CURVES.tgz" -C curves --strip-components=1 \
 && tar xzf "noble-hashes-$HASHES.tgz" -C hashes --strip-components=1 \
 && tar xzf "qrcode-generator-$QRCODE.tgz" -C qr --strip-components=1)
mkdir -p static/vendor/qrcode-generator
cp "$work"/qr/dist/qrcode.mjs "$work"/qr/package.json static/vendor/qrcode-generator/
rm -rf static/vendor/noble-curves static/vendor/noble-hashes
mkdir -p static/vendor/noble-curves/abstract static/vendor/noble-hashes
cp "$work"/curves/*.js static/vendor/noble-curves/
cp "$work"/curves/abstract/*.js static/vendor/noble-curves/abstract/
cp "$work"/curves/LICENSE "$work"/curves/package.json static/vendor/noble-curves/
cp "$work"/hashes/*.js "$work"/hashes/LICENSE "$work"/hashes/package.json static/vendor/noble-hashes/
sed -i "s#'@noble/hashes/#'../noble-hashes/#g" static/vendor/noble-curves/*.js
sed -i "s#'@noble/hashes/#'../../noble-hashes/#g" static/vendor/noble-curves/abstract/*.js
if grep -rl "@noble/hashes" static/vendor/noble-curves --include=*.js | grep -q .; then
  echo "a bare @noble/hashes import is left" >&2; exit 1
fi
echo "vendored @noble/curves $CURVES, @noble/hashes $HASHES and qrcode-generator $QRCODE"
