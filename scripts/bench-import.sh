#!/bin/sh
# Item bank import: items per second and peak RSS of `examctl import` for
# 10,000 generated QTI 2.2 items (XSD-validated like the sample bank), beside
# the same import of 1,000 items in the same run, so the ratio shows how it
# scales. Usage: scripts/bench-import.sh BUILD BIN  (BENCH_IMPORT_N to change
# the 10,000).
set -eu
BIN=$2
N=${BENCH_IMPORT_N:-10000}
REF=$((N / 10))
tmp=$(mktemp -d /tmp/examd-bench-import.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# gen DIR COUNT: COUNT multiple-choice items like items/bank/mc.
gen() {
	python3 - "$1" "$2" <<'EOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d)
doms = ["theoretical-foundations", "direct-service-skills", "reflection"]
tops = ["attachment", "trauma", "screening-assessment"]
for i in range(n):
    with open(os.path.join(d, "gen-%05d.xml" % i), "w") as f:
        f.write('''<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p2"
    xmlns:examd="urn:examd:qti:1" identifier="gen-%05d" title="Generated %d"
    adaptive="false" timeDependent="false" xml:lang="en"
    examd:domain="%s" examd:topic="%s">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>Choice%s</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <p>Generated stem number %d: a caregiver describes a <em>pattern</em> of
    behaviour in a toddler of <strong>%d months</strong>; what is the most
    likely explanation, given what is known about early development?</p>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="1">
      <prompt>Choose the best answer.</prompt>
      <simpleChoice identifier="ChoiceA">First option for item %d</simpleChoice>
      <simpleChoice identifier="ChoiceB">Second option for item %d</simpleChoice>
      <simpleChoice identifier="ChoiceC">Third option for item %d</simpleChoice>
      <simpleChoice identifier="ChoiceD">Fourth option for item %d</simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p2/rptemplates/match_correct"/>
</assessmentItem>
''' % (i, i, doms[i % 3], tops[i % 3], "ABCD"[i % 4], i, 6 + i % 30,
       i, i, i, i))
EOF
}

# run LABEL DIR COUNT: prints items/s and peak RSS.
run() {
	db="$tmp/$1.db"
	"$BIN/examctl" --db "$db" init >/dev/null
	python3 - "$BIN/examctl" "$db" "$2" "$3" "$1" <<'EOF'
import os, resource, subprocess, sys, time
exe, db, d, n, label = sys.argv[1:6]
env = dict(os.environ, EXAMCTL_TIMING="1")
t0 = time.monotonic()
p = subprocess.run([exe, "--db", db, "import", d], capture_output=True,
                   text=True, env=env)
t = time.monotonic() - t0
if p.returncode != 0:
    sys.exit("import failed: " + p.stderr[:2000])
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
parse = [l for l in p.stdout.splitlines() if l.startswith("parse ")]
with open(os.path.join(os.path.dirname(db), label + ".t"), "w") as f:
    f.write("%f\n" % t)
print("%-6s %6d items  %6.2f s  %7.0f items/s  peak RSS %6.1f MiB  (%s)" % (
    label, int(n), t, int(n) / t, rss, parse[0] if parse else ""))
EOF
}

gen "$tmp/ref" "$REF"
gen "$tmp/big" "$N"
echo "examctl import of generated QTI 2.2 MC items (XSD load ~5 s included in each run):"
run ref "$tmp/ref" "$REF"
run big "$tmp/big" "$N"
# The fixed cost (loading the 2.2 XSD, ~5 s) is the same in both runs; the
# difference is what each further item costs.
awk -v n="$N" -v r="$REF" -v a="$(cat "$tmp/ref.t")" -v b="$(cat "$tmp/big.t")" \
    'BEGIN { printf "marginal: %.0f items/s for the %d items beyond the first %d (%.2f ms each); fixed cost ~%.1f s\n", (n - r) / (b - a), n - r, r, 1000 * (b - a) / (n - r), a - r * (b - a) / (n - r) }'
