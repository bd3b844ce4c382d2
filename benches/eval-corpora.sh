#!/usr/bin/env bash
# Detection quality of the bundled rules on real data beside the checkout:
#   ransom notes (../shared/corpora/ransom-notes-threatlabz): share of files and of families
#   detected as notes by content (goal >= 95 % of both);
#   benign files (documentation, scripts and libraries of this Debian install): share flagged as
#   notes (goal <= 0.1 %);
#   note names (rules/ransomware/note-names.txt): share of a public list of note file names
#   (ransomware-indicator-lists) matched, and of every file name under /usr, /etc, /var/lib;
#   third-party rule sets (yara-reversinglabs, yara-signature-base-subset): loaded through
#   --rules with their errors counted, and run over the notes.
# Usage: benches/eval-corpora.sh [CORPORA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
corpora=${1:-../shared/corpora}
bin=target/x86_64-unknown-linux-gnu/release/shodo
[ -x "$bin" ] || cargo build --release --locked
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

notes="$corpora/ransom-notes-threatlabz"
(cd "$notes" && "$OLDPWD/$bin" scan . --ndjson 2>/dev/null || true) > "$work/notes.ndjson"
benign=(/usr/share/doc /usr/share/common-licenses /usr/share/perl5 /usr/lib/python3* /usr/bin /usr/sbin /usr/lib/x86_64-linux-gnu)
"$bin" scan "${benign[@]}" --ndjson 2>/dev/null > "$work/benign.ndjson" || true

# Note names: empty files under every listed note name and under every benign file name.
mkdir -p "$work/listed" "$work/names"
python3 - "$corpora/ransomware-indicator-lists/mthcht-ransomware_notes_list.csv" "$work/listed" "$work/names" <<'PY'
import csv, os, sys
listed, names = sys.argv[2], sys.argv[3]
for row in csv.DictReader(open(sys.argv[1])):
    n = row["file_name"].strip()
    if n and "/" not in n and "*" not in n:
        open(os.path.join(listed, n), "w").close()
seen = set()
for top in ("/usr", "/etc", "/var/lib"):
    for _, dirs, files in os.walk(top):
        for n in files + dirs:
            if n not in seen:
                seen.add(n)
                open(os.path.join(names, n), "w").close()
PY
for d in listed names; do
  "$bin" scan "$work/$d" --ndjson 2>/dev/null > "$work/$d.ndjson" || true
done
python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
for d, label, goal in (("listed", "listed note names matched", "higher is better"),
                        ("names", "distinct benign file names matched", "goal <= 0.1 %")):
    total = len(os.listdir(os.path.join(work, d)))
    hit = sum(1 for l in open(os.path.join(work, d + ".ndjson")) if json.loads(l)["event"] == "note_name")
    print(f"{label}: {hit}/{total} ({100*hit/max(total,1):.1f} %)  {goal}")
PY

# Third-party rule sets: each loads through --rules (errors counted) and runs over the notes.
for set in yara-reversinglabs yara-signature-base-subset; do
  [ -d "$corpora/$set" ] || continue
  files=$(find "$corpora/$set" -name '*.yar' -o -name '*.yara' | wc -l)
  out=$("$bin" scan --no-bundled --rules "$corpora/$set" --json "$notes" 2>"$work/$set.err" || true)
  errors=$(grep -c . "$work/$set.err" || true)
  echo "$out" | python3 -c "
import json, sys
r = json.load(sys.stdin)
print(f'third-party set $set: $files rule files, $errors not loaded, {r[\"summary\"][\"scanned\"]} notes scanned, {r[\"summary\"][\"hits\"]} hits')"
done

python3 - "$notes" "$work/notes.ndjson" "$work/benign.ndjson" "${benign[@]}" <<'PY'
import json, os, sys
notes_dir, notes_events, benign_events, *benign_dirs = sys.argv[1:]
def note_hits(path):
    out = set()
    for line in open(path):
        e = json.loads(line)
        if e["event"] == "hit" and e["meta"].get("category") == "ransom_note":
            out.add(os.path.normpath(e["path"]))
    return out
hits = note_hits(notes_events)
files = [os.path.normpath(os.path.relpath(os.path.join(d, f), notes_dir))
         for d, _, fs in os.walk(notes_dir) for f in fs if not f.startswith(("LICENSE", "README.md"))]
found = [f for f in files if f in hits]
families = {f.split(os.sep)[0] for f in files}
found_families = {f.split(os.sep)[0] for f in found}
benign_total = sum(len(fs) for d in benign_dirs for _, _, fs in os.walk(d))
benign_hits = note_hits(benign_events)
print(f"ransom notes detected: {len(found)}/{len(files)} files ({100*len(found)/len(files):.1f} %), "
      f"{len(found_families)}/{len(families)} families ({100*len(found_families)/len(families):.1f} %)  goal >= 95 %")
print(f"benign files flagged as notes: {len(benign_hits)}/{benign_total} ({100*len(benign_hits)/max(benign_total,1):.3f} %)  goal <= 0.1 %")
flagged = {}
for line in open(benign_events):
    e = json.loads(line)
    if e["event"] in ("hit", "encrypted", "note_name"):
        flagged.setdefault(os.path.normpath(e["path"]), e.get("rule") or e["event"])
print(f"benign files flagged by anything (any rule, encryption, note name): {len(flagged)}/{benign_total} "
      f"({100*len(flagged)/max(benign_total,1):.3f} %)", *[f"\n  {p}: {r}" for p, r in sorted(flagged.items())[:10]])
# Attribution: the first family a detected note names, against the corpus folder (the family).
norm = lambda x: "".join(c for c in x.lower().replace("0", "o") if c.isalnum())
named = {}
for line in open(notes_events):
    e = json.loads(line)
    if e["event"] == "hit" and e.get("attribution"):
        named.setdefault(os.path.normpath(e["path"]), e["attribution"][0]["family"])
right = sum(1 for p, fam in named.items() if norm(fam) in norm(p.split(os.sep)[0]) or norm(p.split(os.sep)[0]) in norm(fam))
print(f"family attribution: {len(named)}/{len(found)} detected notes attributed, {right}/{len(named)} agree with the corpus folder"
      f" ({100*right/max(len(named),1):.1f} %)")
missed = sorted(set(files) - hits)[:20]
if missed:
    print("missed (first 20):", *missed, sep="\n  ")
PY
