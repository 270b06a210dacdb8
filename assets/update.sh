#!/usr/bin/env bash
# Refresh the generated lists in assets/ from their npm packages.
# Usage: assets/update.sh            (latest versions)
#        assets/update.sh PKG@VER... (pin versions)
# Needs npm and node. Rewrites disposable.txt, free.txt, role.txt and
# tlds.txt (one lower-case entry a line, sorted, unique), then prints the
# versions to record in assets/README.md. Rebuild afterwards (the lists are
# compiled into the binary): make && make test.
set -eu
cd "$(dirname "$0")"
pkgs=${*:-"disposable-email-domains free-email-domains role-based-email-addresses tlds"}
work=$(mktemp -d /tmp/mailvet-assets.XXXXXX)
trap 'rm -rf "$work"' EXIT
for p in $pkgs; do
	(cd "$work" && npm pack --silent "$p" >/dev/null)
done
for t in "$work"/*.tgz; do
	d="$work/$(basename "$t" .tgz)"; mkdir -p "$d"; tar -xzf "$t" -C "$d"
done
node - "$work" <<'JS'
const fs = require('fs'), path = require('path');
const work = process.argv[2];
const dir = (name) => fs.readdirSync(work).filter(d => d.startsWith(name + '-') &&
	!d.endsWith('.tgz')).map(d => path.join(work, d, 'package'))[0];
const { domainToASCII } = require('url');
/* Domains as lower-case A-labels (the form mailvet compares), others as is. */
const out = (file, list, head, domains = true) => {
	const uniq = [...new Set(list.map(s => String(s).trim().toLowerCase())
		.map(s => domains && /[^\x00-\x7f]/.test(s) ? domainToASCII(s) : s).filter(Boolean))].sort();
	fs.writeFileSync(file, uniq.join('\n') + '\n');
	const v = JSON.parse(fs.readFileSync(path.join(head, 'package.json'))).version;
	console.log(`${file}: ${uniq.length} entries from ${path.basename(path.dirname(head)).replace(/-[0-9.]+$/, '')}@${v}`);
};
let d = dir('disposable-email-domains');
out('disposable.txt', [...require(path.join(d, 'index.json')), ...require(path.join(d, 'wildcard.json'))], d);
d = dir('free-email-domains');
out('free.txt', require(path.join(d, 'domains.json')), d);
d = dir('role-based-email-addresses');
out('role.txt', require(path.join(d, 'src/index.js')), d, false);
d = dir('tlds');
out('tlds.txt', require(path.join(d, 'index.json')), d);
JS
echo "now record the versions and today's date ($(date -u +%Y-%m-%d)) in assets/README.md"
