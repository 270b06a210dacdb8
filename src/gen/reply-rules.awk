# gen-reply-rules.awk — turns assets/reply-rules.tsv into src/reply_rules.inc,
# a C initializer list included by src/reply.c. Run by the Makefile:
#   awk -f src/gen/reply-rules.awk assets/reply-rules.tsv > src/reply_rules.inc
# Columns (tab-separated; '#' lines and blank lines are skipped):
#   id  code  enhanced  phrase  verdict  owner  reason  permanent  source
# A phrase of '-' is none; '~' is none too, and marks a catch-all code rule
# whose replies the words model may read first (include/mailvet/reply_model.h).
# A bad line stops the build with file:line and the reason; so does a rule
# that can never match (first match wins): an earlier rule takes every code
# and enhanced code it takes, and has its phrase, or a plain phrase that
# stands inside it ("forwarding loop" hides "mail forwarding loop for").
BEGIN { FS = "\t"; n = 0; bad = 0
	print "/* Generated from assets/reply-rules.tsv by src/gen/reply-rules.awk. Do not edit. */" }
function die(msg) { printf("%s:%d: %s\n", FILENAME, FNR, msg) > "/dev/stderr"; bad = 1; exit 1 }
function cstr(s,   r) { r = s; gsub(/\\/, "\\\\", r); gsub(/"/, "\\\"", r); return "\"" r "\"" }
function covers(ec, e1, e2, e3, enone, c, f1, f2, f3, fnone) {
	if (ec != 0 && !(ec == c || (ec < 10 && c >= 100 && int(c / 100) == ec))) return 0
	if (enone) return fnone
	if (e1 == -1 && e2 == -1 && e3 == -1) return 1
	if (fnone) return 0
	return (e1 == -1 || e1 == f1) && (e2 == -1 || e2 == f2) && (e3 == -1 || e3 == f3)
}
function enh(s, part) {
	if (s == "*" || s == "none") return -1
	if (s !~ /^[245*]\.([0-9]+|\*)\.([0-9]+|\*)$/) die("enhanced must be *, none or C.S.D with * parts: " s)
	split(s, e, "."); return e[part] == "*" ? -1 : e[part] + 0
}
/^#/ || /^[ \t]*$/ { next }
{
	if (NF != 9) die("expected 9 tab-separated columns, got " NF)
	id = $1; code = $2; en = $3; ph = $4; v = $5; o = $6; r = $7; p = $8; src = $9
	if (id !~ /^[a-z0-9][a-z0-9._-]*$/) die("bad id: " id)
	if (id in seen) die("duplicate id: " id)
	seen[id] = 1
	if (code == "*") c = 0
	else if (code ~ /^[245]xx$/) c = substr(code, 1, 1) + 0
	else if (code ~ /^[245][0-9][0-9]$/) c = code + 0
	else die("code must be *, Nxx or NNN: " code)
	guess = ph == "~"
	if (ph == "-" || ph == "~") ph = ""
	if (ph ~ /^\*/ || ph ~ /\*$/) die("phrase may not start or end with *")
	if (ph != "" && length(ph) < 2) die("phrase too short")
	if (v !~ /^(deliverable|risky|invalid|unknown)$/) die("bad verdict: " v)
	if (o !~ /^(recipient|sender|none)$/) die("bad owner: " o)
	if (r !~ /^[a-z_]+$/) die("bad reason: " r)
	if (p !~ /^(yes|no|code)$/) die("permanent must be yes, no or code: " p)
	if (src == "") die("every rule cites a source")
	x1 = enh(en, 1); x2 = enh(en, 2); x3 = enh(en, 3); xn = en == "none"
	for (k = 0; k < nph[ph]; k++) {
		split(prev[ph, k], q, SUBSEP)
		if (covers(q[1], q[2], q[3], q[4], q[5], c, x1, x2, x3, xn))
			die("rule " id " can never match: rule " q[6] " before it has the same phrase and codes")
	}
	prev[ph, nph[ph]++] = c SUBSEP x1 SUBSEP x2 SUBSEP x3 SUBSEP xn SUBSEP id
	# every part of a phrase is in the text it matches, so an earlier plain
	# phrase inside any part matches first
	if (ph != "") {
		ns = split(ph, seg, "*")
		for (k = 0; k < nplain; k++) {
			split(plain[k], q, SUBSEP)
			if (q[7] == ph || !covers(q[1], q[2], q[3], q[4], q[5], c, x1, x2, x3, xn))
				continue
			for (g = 1; g <= ns; g++)
				if (index(seg[g], q[7]))
					die("rule " id " can never match: rule " q[6] " before it has \"" q[7] "\" and its codes")
		}
		if (ph !~ /\*/)
			plain[nplain++] = c SUBSEP x1 SUBSEP x2 SUBSEP x3 SUBSEP xn SUBSEP id SUBSEP ph
	}
	printf("\t{ %s, %d, %d, %d, %d, %d, %s, %d, VERDICT_%s, OWNER_%s, REASON_%s, PERM_%s, %s, %s },\n",
	       cstr(id), c, enh(en, 1), enh(en, 2), enh(en, 3), en == "none", cstr(ph), guess,
	       toupper(v), toupper(o), toupper(r), toupper(p), cstr(src), cstr(id " (" src ")"))
	n++
}
END { if (!bad && n == 0) { print "no rules" > "/dev/stderr"; exit 1 } }
