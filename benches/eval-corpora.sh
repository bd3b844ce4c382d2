#!/usr/bin/env bash
# Detection quality of the bundled rules on real data beside the checkout:
#   ransom notes (../shared/corpora/ransom-notes-threatlabz): share of files and of families
#   detected as notes by content (goal >= 95 % of both);
#   benign files (documentation, scripts and libraries of this Debian install): share flagged as
#   notes (goal <= 0.1 %).
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
benign=(/usr/share/doc /usr/share/common-licenses /usr/share/perl5 /usr/lib/python3*)
"$bin" scan "${benign[@]}" --ndjson 2>/dev/null > "$work/benign.ndjson" || true

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
