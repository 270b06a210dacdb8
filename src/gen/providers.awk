# gen-providers.awk — assets/providers.tsv to src/providers.inc (a C initializer list
# included by src/bounces.c). Columns: kind pattern provider.
BEGIN { FS = "\t"; print "/* Generated from assets/providers.tsv by src/gen/providers.awk. Do not edit. */" }
function die(msg) { printf("%s:%d: %s\n", FILENAME, FNR, msg) > "/dev/stderr"; exit 1 }
function cstr(s,   r) { r = s; gsub(/\\/, "\\\\", r); gsub(/"/, "\\\"", r); return "\"" r "\"" }
/^#/ || /^[ \t]*$/ { next }
{
	if (NF != 3) die("expected 3 tab-separated columns")
	if ($1 != "domain" && $1 != "mx") die("kind must be domain or mx")
	if ($2 ~ /[A-Z \t]/ || $2 == "") die("pattern must be lower case, no spaces")
	printf("\t{ %d, %s, %s },\n", $1 == "mx", cstr($2), cstr($3))
}
