#!/usr/bin/env python3
"""Encrypted-file detection on a generated evaluation set (driven by benches/eval-encryption.sh).

1. Plaintext files of the formats hospitals keep, written by real format writers (zipfile, sqlite3,
   gzip, tarfile, qemu-img, mke2fs, cryptsetup) or by hand to their specifications (PDF, PNG, BMP,
   WAV, TIFF, DICOM, OLE2 compound files, MP4 boxes, EVTX chunks), from 100 B to about 100 MB in
   six size classes, with realistic content (records, notes, images with noise), not random bytes.
2. Copies encrypted with a real cipher (ChaCha20 or AES-256-CTR, a fresh random key per file) under
   the patterns seen in the wild: whole file, head only, stripes, percent blocks, LockFile's every
   other 16 bytes, tail only; named `name.ext.<extension no list knows>` (one chosen per run from
   the seed, one fixed across runs) or left under their own name (encrypted in place).
3. A benign set: files of this machine (documentation, man pages, icons, fonts, locales,
   libraries, packages, archives), generated look-alikes (Office temp files, renamed backups,
   password-protected zips and OOXML, compressed streams under neutral names, disk images), and,
   apart, encrypted containers (LUKS, a VeraCrypt-like volume, KeePass, age, gpg, openssl,
   BitLocker images of ../shared/corpora, scanned in place and never modified).
4. `shodo scan --ndjson` over all of it; the ground truth (manifest.jsonl) against the
   `encrypted` events: detection per pattern x size class, per name style, per format; false
   alarms; how the containers are classified. Always exits 0: it is a measurement.
"""

import argparse
import collections
import json
import math
import os
import random
import re
import shutil
import sqlite3
import string
import struct
import subprocess
import sys
import tarfile
import time
import zipfile
import zlib
import gzip
import lzma
import bz2

# Files the scan called an encrypted container (its "container" events).
said_container = {}

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KiB, MiB = 1024, 1024 * 1024
CLASSES = [
    ("<1K", 0, KiB),
    ("1-4K", KiB, 4 * KiB),
    ("4-64K", 4 * KiB, 64 * KiB),
    ("64K-1M", 64 * KiB, MiB),
    ("1-16M", MiB, 16 * MiB),
    ("16-100M", 16 * MiB, 1 << 40),
]
CLASS_NAMES = [c[0] for c in CLASSES]


def size_class(n):
    for name, lo, hi in CLASSES:
        if lo <= n < hi:
            return name
    return CLASSES[-1][0]


# ----------------------------------------------------------------------------------------------
# Content: what hospital files hold (made-up patients, departments, notes, lab values).

SURNAMES = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水 森 池田 橋本 石川".split()
GIVEN = "太郎 花子 一郎 美咲 健太 由美 翔太 陽子 大輔 恵子 直樹 真由美 誠 明美 拓也 さくら 悠斗 結衣".split()
ROMA_S = "SATO SUZUKI TAKAHASHI TANAKA ITO WATANABE YAMAMOTO NAKAMURA KOBAYASHI KATO YOSHIDA YAMADA INOUE KIMURA".split()
ROMA_G = "TARO HANAKO ICHIRO MISAKI KENTA YUMI SHOTA YOKO DAISUKE KEIKO NAOKI MAKOTO AKEMI TAKUYA".split()
DEPTS = "内科 外科 整形外科 小児科 産婦人科 眼科 耳鼻咽喉科 皮膚科 泌尿器科 精神科 放射線科 麻酔科 救急科 循環器内科 消化器内科 呼吸器内科".split()
DIAG = "高血圧症 2型糖尿病 気管支喘息 市中肺炎 慢性心不全 脳梗塞 大腿骨頸部骨折 胃潰瘍 慢性腎臓病 脂質異常症 急性虫垂炎 白内障 帯状疱疹 尿路感染症".split()
DRUGS = ["アムロジピン錠5mg", "メトホルミン塩酸塩錠500mg", "ロキソプロフェンNa錠60mg", "アトルバスタチン錠10mg",
         "ランソプラゾールOD錠15mg", "カルボシステイン錠500mg", "セフカペンピボキシル錠100mg", "アセトアミノフェン錠200mg",
         "ワルファリンK錠1mg", "フロセミド錠20mg"]
PLANS = ["経過観察とし2週間後に再診", "採血（CBC、生化学）を実施", "胸部CT検査を予約", "内服薬を継続", "リハビリテーションを開始",
         "退院に向けて多職種カンファレンスで調整", "紹介元へ診療情報提供書を送付", "次回外来で検査結果を説明", "点滴を終了し経口摂取へ",
         "疼痛コントロール良好"]
EN_NOTES = ["Patient stable, vital signs within normal limits.", "Follow-up visit in two weeks.",
            "Blood tests ordered (CBC, CMP, HbA1c).", "Chest X-ray shows no acute findings.",
            "Medication reconciled with pharmacy.", "Discharge planning discussed with family.",
            "Referral letter sent to the community clinic.", "Pain well controlled on current regimen.",
            "Wound clean and dry, dressing changed.", "Allergy list reviewed: no known drug allergies."]
WARDS = ["3東", "3西", "4東", "4西", "5東", "ICU", "HCU", "外来"]
EN_WARDS = ["3E", "3W", "4E", "4W", "5E", "ICU", "HCU", "OPD"]
STEMS = ["紹介状", "診療録", "検査結果", "退院サマリー", "患者一覧", "勤務表", "議事録", "薬剤在庫", "レセプト", "手術記録",
         "report", "invoice", "minutes", "referral", "discharge_summary", "lab_results", "roster", "budget"]


def date(rng):
    return f"20{rng.randint(18, 26):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def jp_name(rng):
    return rng.choice(SURNAMES) + " " + rng.choice(GIVEN)


def pid(rng):
    return f"{rng.randint(1, 9999999):07d}"


def line_note(rng):
    return (f"{date(rng)} {rng.randint(8, 19):02d}:{rng.randint(0, 59):02d} {rng.choice(DEPTS)} {rng.choice(WARDS)} "
            f"{jp_name(rng)}様（{rng.randint(1, 99)}歳・{rng.choice('男女')}） 主訴：{rng.choice(DIAG)}。"
            f"{rng.choice(PLANS)}。担当：{rng.choice(SURNAMES)}\n")


def line_en(rng):
    return (f"{date(rng)} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} "
            f"[{rng.choice(['INFO', 'INFO', 'INFO', 'WARN', 'NOTE'])}] ward={rng.choice(EN_WARDS)} "
            f"patient={pid(rng)} {rng.choice(ROMA_S)}^{rng.choice(ROMA_G)} BP {rng.randint(95, 170)}/"
            f"{rng.randint(55, 105)} HR {rng.randint(50, 120)} {rng.choice(EN_NOTES)}\n")


def line_csv(rng):
    return (f"{pid(rng)},{jp_name(rng)},{date(rng)},{rng.choice('男女')},{rng.choice(DEPTS)},{rng.choice(DIAG)},"
            f"{rng.choice(DRUGS)},{date(rng)},{rng.randint(100, 99999)}\r\n")


class Pool:
    """Lines made once and drawn again and again: files of records repeat themselves."""

    def __init__(self, rng, make, n=3000):
        self.lines = [make(rng) for _ in range(n)]
        self.rng = rng

    def text(self, nbytes, enc="utf-8", numbered=False, start=0):
        """About `nbytes` of lines once encoded (at least one line)."""
        if not self.lines:
            return ""
        avg = sum(len(l.encode(enc)) for l in self.lines[:200]) / 200
        k = max(1, int(nbytes / avg) + 1)
        picked = self.rng.choices(self.lines, k=k)
        if numbered:
            picked = [f"{start + i + 1}," + l for i, l in enumerate(picked)]
        return "".join(picked)


def fit_text(s, target, enc, pad=" "):
    """`s` encoded, cut (at a character) or padded to exactly `target` bytes where possible."""
    b = s.encode(enc)
    if len(b) > target:
        s = s[: max(1, int(len(s) * target / len(b)))]
        b = s.encode(enc)
        while len(b) > target and len(s) > 1:
            s = s[:-1]
            b = s.encode(enc)
    unit = len(pad.encode(enc))
    while len(b) + unit <= target:
        b += pad.encode(enc) * ((target - len(b)) // unit)
    return b


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ----------------------------------------------------------------------------------------------
# Pictures: gradients with sensor noise (X-rays, scanned pages), fast through bytes.translate.

def gray_rows(w, h, rng, style="xray"):
    """`h` rows of `w` 8-bit pixels."""
    rows = []
    noise = rng.randbytes(w * h)
    tables = {}
    for y in range(h):
        if style == "page":
            key = 0 if (y // 6) % 4 == 3 else 1  # lines of text on white paper
            if key not in tables:
                tables[key] = bytes((40 + (b & 31)) if (key and b < 20) else (225 + (b % 30)) for b in range(256))
        else:
            key = int(60 + 120 * math.sin(math.pi * y / max(h, 1))) & 0xFC
            if key not in tables:
                tables[key] = bytes(min(255, key + (b & 31)) for b in range(256))
        rows.append(noise[y * w:(y + 1) * w].translate(tables[key]))
    return rows


def png_bytes(w, h, rng, style="xray"):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in gray_rows(w, h, rng, style))
    idat = zlib.compress(raw, 6)
    out = [b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)),
           chunk(b"tEXt", b"Software\x00shodo eval scanner 1.0")]
    for i in range(0, len(idat), 8192):
        out.append(chunk(b"IDAT", idat[i:i + 8192]))
    out.append(chunk(b"IEND", b""))
    return b"".join(out)


def fitted(make, target, p0, lo=1, hi=1 << 30):
    """make(p) -> bytes, size about proportional to p: p fitted to `target` in two steps."""
    p = p0
    data = make(p)
    for _ in range(2):
        if len(data) == 0 or abs(len(data) - target) < target * 0.1:
            break
        p = max(lo, min(hi, int(p * target / len(data))))
        data = make(p)
    return data


# ----------------------------------------------------------------------------------------------
# Format writers: write(path, target_bytes, rng). Sizes come out near the target, not exact.

def w_text(kind, enc="utf-8", bom=b""):
    def write(path, target, rng):
        pool = POOLS[kind]
        header = {"csv": "患者ID,氏名,生年月日,性別,診療科,病名,処方,受診日,点数\r\n"}.get(kind, "")
        s = header + pool.text(target, enc)
        data = bom + fit_text(s, max(target - len(bom), 8), enc, pad="\n" if kind != "csv" else "\r\n")
        open(path, "wb").write(data)
    return write


def w_json(path, target, rng):
    entries, size = [], 60
    while size < target - 40 or not entries:
        e = json.dumps({"resource": {"resourceType": "Observation", "id": pid(rng), "status": "final",
                                     "subject": {"display": jp_name(rng)}, "effectiveDateTime": date(rng),
                                     "code": {"text": rng.choice(["HbA1c", "CRP", "WBC", "eGFR", "LDL-C"])},
                                     "valueQuantity": {"value": round(rng.uniform(0.1, 200), 1)},
                                     "note": [{"text": rng.choice(PLANS)}]}}, ensure_ascii=False)
        entries.append(e)
        size += len(e.encode()) + 2
    s = '{"resourceType": "Bundle", "type": "collection", "entry": [\n' + ",\n".join(entries) + "\n"
    open(path, "wb").write(fit_text(s, target - 3, "utf-8", pad=" ") + b"]}\n")


def w_xml(path, target, rng):
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3">\n<component><structuredBody>\n'
    tail = "</structuredBody></component>\n</ClinicalDocument>\n"
    parts, size = [], len(head) + len(tail)
    while size < target or not parts:
        p = (f'<section><code code="{rng.randint(10000, 99999)}-{rng.randint(0, 9)}" codeSystem="2.16.840.1.113883.6.1"/>'
             f"<title>{rng.choice(DEPTS)}</title><text>{xml_escape(line_note(rng).strip())}</text>"
             f'<effectiveTime value="{date(rng).replace("-", "")}"/></section>\n')
        parts.append(p)
        size += len(p.encode())
    body = fit_text("".join(parts), max(target - len(head.encode()) - len(tail), 1), "utf-8", pad="\n")
    open(path, "wb").write(head.encode() + body + tail.encode())


def w_html(path, target, rng):
    head = ('<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8"><title>検査結果一覧</title></head><body>\n'
            "<table><tr><th>患者ID</th><th>氏名</th><th>項目</th><th>値</th><th>日付</th></tr>\n")
    tail = "</table></body></html>\n"
    rows, size = [], len(head.encode()) + len(tail)
    while size < target or not rows:
        r = (f"<tr><td>{pid(rng)}</td><td>{jp_name(rng)}</td><td>{rng.choice(['CRP', 'WBC', 'Hb', 'AST', 'ALT', 'Cr'])}</td>"
             f"<td>{round(rng.uniform(0.1, 30), 2)}</td><td>{date(rng)}</td></tr>\n")
        rows.append(r)
        size += len(r.encode())
    body = fit_text("".join(rows), max(target - len(head.encode()) - len(tail), 1), "utf-8", pad="\n")
    open(path, "wb").write(head.encode() + body + tail.encode())


def rtf_escape(s):
    out = []
    for ch in s:
        if ch == "\n":
            out.append("\\par\n")
        elif 32 <= ord(ch) < 127 and ch not in "\\{}":
            out.append(ch)
        else:
            try:
                out.append("".join(f"\\'{b:02x}" for b in ch.encode("cp932")))
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


def w_rtf(path, target, rng):
    head = "{\\rtf1\\ansi\\ansicpg932\\deff0{\\fonttbl{\\f0\\fnil\\fcharset128 MS Mincho;}}\\f0\\fs21\n"
    body = rtf_escape(POOLS["note"].text(max(target // 4, 20)))
    data = fit_text(head + body, max(target - 2, len(head) + 8), "ascii", pad="\n")
    data = re.sub(rb"\\('[0-9a-f]?|p|pa)?$", b"", data.rstrip(b"\n")) + b"\n}\n"  # no escape cut in two
    open(path, "wb").write(data)


def ooxml(kind):
    main = {"docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
            "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
            "pptx": ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml")}[kind]

    def body(n, rng):
        pool = POOLS["note"]
        text = pool.text(n).splitlines()
        if kind == "docx":
            return {"word/document.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                    + "".join(f"<w:p><w:r><w:t>{xml_escape(t)}</w:t></w:r></w:p>" for t in text)
                    + "<w:sectPr/></w:body></w:document>"}
        if kind == "xlsx":
            rows = "".join(f'<row r="{i + 1}"><c r="A{i + 1}"><v>{i + 1}</v></c><c r="B{i + 1}" t="inlineStr"><is><t>'
                           f"{xml_escape(t)}</t></is></c><c r=\"C{i + 1}\"><v>{(i * 37) % 1000}</v></c></row>"
                           for i, t in enumerate(text))
            return {"xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns='
                    '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="患者一覧" sheetId="1" '
                    'r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>',
                    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas'
                    '.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
                    '.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
                    "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
                    '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + rows + "</sheetData></worksheet>"}
        slides = {}
        per = 12
        for s in range(max(1, math.ceil(len(text) / per))):
            chunk = text[s * per:(s + 1) * per]
            slides[f"ppt/slides/slide{s + 1}.xml"] = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<p:sld xmlns:a="http://schemas.openxmlformats.org/'
                'drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree>'
                + "".join(f"<p:sp><p:txBody><a:p><a:r><a:t>{xml_escape(t)}</a:t></a:r></a:p></p:txBody></p:sp>" for t in chunk)
                + "</p:spTree></p:cSld></p:sld>")
        ids = "".join(f'<p:sldId id="{256 + i}" r:id="rId{i + 1}"/>' for i in range(len(slides)))
        slides["ppt/presentation.xml"] = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<p:presentation xmlns:p='
                                          '"http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.'
                                          'openxmlformats.org/officeDocument/2006/relationships"><p:sldIdLst>' + ids
                                          + '</p:sldIdLst><p:sldSz cx="12192000" cy="6858000"/></p:presentation>')
        return slides

    def write(path, target, rng):
        media = []
        if target > 512 * KiB:  # large documents are large by their pictures (scans, photos)
            left = int(target * 0.7)
            while left > 0:
                img = png_bytes(1024, max(16, min(2048, left // 700)), rng, rng.choice(["xray", "page"]))
                media.append(img)
                left -= len(img)
        text_target = max(200, target - sum(len(m) for m in media) - 1800)
        sample = zlib.compress(POOLS["note"].text(64 * KiB).encode(), 6)
        ratio = len(sample) / (64 * KiB)
        parts = body(int(text_target / ratio / 1.25), rng)
        overrides = "".join(f'<Override PartName="/{p}" ContentType="{main[1] if p == main[0] else "application/xml"}"/>'
                            for p in parts if p.endswith(".xml"))
        ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
              'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
              'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" '
              'ContentType="image/png"/>' + overrides + '<Override PartName="/docProps/core.xml" ContentType="application/'
              'vnd.openxmlformats-package.core-properties+xml"/></Types>')
        rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.'
                'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                f'2006/relationships/officeDocument" Target="{main[0]}"/><Relationship Id="rId2" Type="http://schemas.'
                'openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
                "</Relationships>")
        core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.'
                'openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<dc:title>{rng.choice(STEMS)}</dc:title><dc:creator>{rng.choice(SURNAMES)}</dc:creator></cp:coreProperties>")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", ct)
            z.writestr("_rels/.rels", rels)
            z.writestr("docProps/core.xml", core)
            for name, xml in parts.items():
                z.writestr(name, xml)
            media_dir = {"docx": "word", "xlsx": "xl", "pptx": "ppt"}[kind]
            for i, m in enumerate(media):
                z.writestr(f"{media_dir}/media/image{i + 1}.png", m, compress_type=zipfile.ZIP_STORED)
    return write


def w_zip(path, target, rng):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        i = 0
        while i == 0 or z.fp.tell() < target - 300:
            i += 1
            left = target - z.fp.tell()
            if left > 256 * KiB and i % 3 == 0:  # a scanned page as PDF, stored (already compressed)
                data = pdf_bytes(rng, pages=1, images=1, img_rows=max(64, min(1600, left // 1400)))
                z.writestr(f"スキャン/scan_{i:04d}.pdf", data, compress_type=zipfile.ZIP_STORED)
            else:
                raw = POOLS[rng.choice(["note", "csv", "en"])].text(max(50, int(min(left, 4 * MiB) * 3.0))).encode()
                z.writestr(f"書類/{rng.choice(STEMS)}_{i:04d}.txt", raw)


def w_gzip(path, target, rng):
    sample = POOLS["en"].text(64 * KiB).encode()
    ratio = len(gzip.compress(sample, 6)) / len(sample)
    raw = POOLS["en"].text(max(64, int(target / ratio))).encode()
    open(path, "wb").write(gzip.compress(raw, 6, mtime=int(time.time())))


def w_tar(path, target, rng):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        i, size = 0, 1024
        while size < target - 10 * KiB or i == 0:
            i += 1
            n = min(max(512, target // 20), 2 * MiB)
            data = POOLS[rng.choice(["note", "csv", "en"])].text(n).encode()
            info = tarfile.TarInfo(f"共有/{rng.choice(DEPTS)}/{rng.choice(STEMS)}_{i:04d}.txt")
            info.size, info.mtime, info.mode = len(data), int(time.time()) - rng.randint(0, 10 ** 7), 0o644
            t.addfile(info, __import__("io").BytesIO(data))
            size += 512 + (len(data) + 511) // 512 * 512


def w_sqlite(path, target, rng):
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("CREATE TABLE patients(id INTEGER PRIMARY KEY, pid TEXT, name TEXT, birth TEXT, sex TEXT, dept TEXT,"
                " diagnosis TEXT, note TEXT, updated TEXT)")
    con.execute("CREATE INDEX patients_pid ON patients(pid)")
    con.execute("CREATE TABLE visits(id INTEGER PRIMARY KEY, pid TEXT, day TEXT, ward TEXT, memo TEXT)")
    con.commit()
    n = 0
    notes = POOLS["note"].lines
    while True:
        size = con.execute("PRAGMA page_count").fetchone()[0] * con.execute("PRAGMA page_size").fetchone()[0]
        if size >= target:
            break
        batch = max(1, min(20000, (target - size) // 400))
        rows = [(n + i, pid(rng), jp_name(rng), date(rng), rng.choice("男女"), rng.choice(DEPTS), rng.choice(DIAG),
                 rng.choice(notes).strip(), date(rng)) for i in range(batch)]
        con.executemany("INSERT INTO patients VALUES (?,?,?,?,?,?,?,?,?)", rows)
        con.executemany("INSERT INTO visits(pid, day, ward, memo) VALUES (?,?,?,?)",
                        [(r[1], r[8], rng.choice(WARDS), rng.choice(PLANS)) for r in rows[: batch // 2 + 1]])
        con.commit()
        n += batch
    con.close()


def pdf_bytes(rng, pages=1, images=0, img_rows=400, compress=True, nlines=(30, 60)):
    objs = {}
    font = 3
    objs[font] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    kids, nxt = [], 4
    for p in range(pages):
        lines = ["BT /F1 10 Tf 50 800 Td 12 TL"]
        for _ in range(rng.randint(*nlines)):
            t = line_en(rng).strip().replace("\\", "").replace("(", "[").replace(")", "]")
            lines.append(f"({t[:95]}) '")
        lines.append("ET")
        xobj = b""
        if p < images:
            w, h = 800, img_rows
            pix = zlib.compress(b"".join(gray_rows(w, h, rng, "page")), 6)
            objs[nxt] = (f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray "
                         f"/BitsPerComponent 8 /Filter /FlateDecode /Length {len(pix)} >>\nstream\n").encode() + pix + b"\nendstream"
            xobj = f"/XObject << /Im1 {nxt} 0 R >>".encode()
            lines.insert(0, "q 495 0 0 700 50 70 cm /Im1 Do Q")
            nxt += 1
        content = "\n".join(lines).encode("latin-1", "replace")
        if compress:
            content = zlib.compress(content, 6)
            objs[nxt] = f"<< /Length {len(content)} /Filter /FlateDecode >>\nstream\n".encode() + content + b"\nendstream"
        else:
            objs[nxt] = f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"
        objs[nxt + 1] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {nxt} 0 R "
                         f"/Resources << /Font << /F1 {font} 0 R >> ").encode() + xobj + b" >> >>"
        kids.append(nxt + 1)
        nxt += 2
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[2] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    info = nxt
    objs[info] = b"<< /Producer (shodo eval PDF writer) /Title (Referral letter) >>"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for i in sorted(objs):
        offsets[i] = len(out)
        out += f"{i} 0 obj\n".encode() + objs[i] + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {info + 1}\n0000000000 65535 f \n".encode()
    for i in range(1, info + 1):
        out += f"{offsets[i]:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {info + 1} /Root 1 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def w_pdf(path, target, rng):
    if target < 1200:  # a one-page note
        data = pdf_bytes(rng, pages=1, compress=True, nlines=(1, max(1, (target - 500) // 60)))
    elif target < 200 * KiB:
        data = fitted(lambda p: pdf_bytes(rng, pages=p), target, max(1, target // 1500), 1, 400)
    else:
        n = max(1, int(target // (600 * KiB)))
        data = fitted(lambda r: pdf_bytes(rng, pages=n + 1, images=n, img_rows=r), target, 800, 16, 4000)
    open(path, "wb").write(data)


def w_png(path, target, rng):
    w = max(8, min(1024, int(math.sqrt(target * 1.6))))
    open(path, "wb").write(fitted(lambda h: png_bytes(w, h, rng, "xray"), target, max(8, w), 4, 20000))


def w_bmp(path, target, rng):
    w = max(4, min(1280, int(math.sqrt(max(target - 54, 48) / 3))))
    row = (w * 3 + 3) // 4 * 4
    h = max(1, (target - 54) // row)
    tint = [bytes(min(255, (b * k) // 8) for b in range(256)) for k in (7, 8, 8)]
    pix = bytearray()
    for r in gray_rows(w, h, rng, "xray"):
        line = bytearray(w * 3)
        for c in range(3):
            line[c::3] = r.translate(tint[c])
        pix += line + b"\x00" * (row - w * 3)
    size = 54 + len(pix)
    head = b"BM" + struct.pack("<IHHI", size, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(pix),
                                                                         2835, 2835, 0, 0)
    open(path, "wb").write(head + pix)


def w_wav(path, target, rng):
    rate = 16000
    snippets = []
    for k in range(8):
        f = rng.choice([220, 330, 440, 550, 660, 880])
        amp = rng.randint(2000, 9000)
        noise = rng.randbytes(rate // 4)
        snippets.append(struct.pack(f"<{rate // 4}h", *[
            int(amp * math.sin(2 * math.pi * f * i / rate) * (0.5 + 0.5 * math.sin(math.pi * i / (rate // 4))))
            + (noise[i] - 128) * 8 for i in range(rate // 4)]))
    n = max(2, (target - 44) // 2 * 2)
    data = bytearray()
    while len(data) < n:
        data += rng.choice(snippets) if rng.random() > 0.2 else b"\x00\x00" * (rate // 8)
    data = bytes(data[:n])
    head = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) \
        + b"data" + struct.pack("<I", len(data))
    open(path, "wb").write(head + data)


def w_tiff(path, target, rng):
    w = max(4, min(2048, int(math.sqrt(max(target - 200, 16)))))
    h = max(1, (target - 200) // w)
    pix = b"".join(gray_rows(w, h, rng, "page"))
    ifd_at = 8 + len(pix) + (len(pix) & 1)
    tags = [(256, 4, 1, w), (257, 4, 1, h), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1), (273, 4, 1, 8),
            (277, 3, 1, 1), (278, 4, 1, h), (279, 4, 1, len(pix)), (282, 5, 1, 0), (283, 5, 1, 0), (296, 3, 1, 2)]
    res_at = ifd_at + 2 + 12 * len(tags) + 4
    ifd = struct.pack("<H", len(tags))
    for tag, typ, count, value in tags:
        if typ == 5:
            value = res_at + (0 if tag == 282 else 8)
        ifd += struct.pack("<HHI", tag, typ, count) + (struct.pack("<HH", value, 0) if typ == 3 else struct.pack("<I", value))
    ifd += struct.pack("<I", 0) + struct.pack("<IIII", 300, 1, 300, 1)
    open(path, "wb").write(b"II*\x00" + struct.pack("<I", ifd_at) + pix + b"\x00" * (len(pix) & 1) + ifd)


def dicom_element(group, elem, vr, value):
    if isinstance(value, str):
        value = value.encode("ascii")
    if len(value) % 2:
        value += b"\x00" if vr in ("UI", "OB") else b" "
    if vr in ("OB", "OW", "SQ", "UN", "UT"):
        return struct.pack("<HH", group, elem) + vr.encode() + b"\x00\x00" + struct.pack("<I", len(value)) + value
    return struct.pack("<HH", group, elem) + vr.encode() + struct.pack("<H", len(value)) + value


def w_dicom(path, target, rng):
    frames = 1
    side = max(16, min(512, int(math.sqrt(max(target - 900, 512) / 2))))
    if target > 4 * MiB:
        side = 512
        frames = max(1, (target - 900) // (side * side * 2))
    uid = f"1.2.392.200036.9116.2.{rng.randint(10 ** 8, 10 ** 9)}.{rng.randint(1, 10 ** 6)}"
    meta = (dicom_element(2, 1, "OB", b"\x00\x01") + dicom_element(2, 2, "UI", "1.2.840.10008.5.1.4.1.1.2")
            + dicom_element(2, 3, "UI", uid + ".1") + dicom_element(2, 0x10, "UI", "1.2.840.10008.1.2.1")
            + dicom_element(2, 0x12, "UI", "1.2.392.200036.9116.1"))
    meta = dicom_element(2, 0, "UL", struct.pack("<I", len(meta))) + meta
    name = f"{rng.choice(ROMA_S)}^{rng.choice(ROMA_G)}"
    ds = (dicom_element(8, 0x16, "UI", "1.2.840.10008.5.1.4.1.1.2") + dicom_element(8, 0x18, "UI", uid + ".1")
          + dicom_element(8, 0x20, "DA", date(rng).replace("-", "")) + dicom_element(8, 0x60, "CS", "CT")
          + dicom_element(8, 0x80, "LO", "SHODO GENERAL HOSPITAL") + dicom_element(0x10, 0x10, "PN", name)
          + dicom_element(0x10, 0x20, "LO", pid(rng)) + dicom_element(0x10, 0x30, "DA", date(rng).replace("-", ""))
          + dicom_element(0x10, 0x40, "CS", rng.choice("MF")) + dicom_element(0x18, 0x50, "DS", "5.0")
          + dicom_element(0x20, 0x0D, "UI", uid + ".2") + dicom_element(0x20, 0x0E, "UI", uid + ".3")
          + dicom_element(0x28, 2, "US", struct.pack("<H", 1)) + dicom_element(0x28, 4, "CS", "MONOCHROME2")
          + dicom_element(0x28, 8, "IS", str(frames)) + dicom_element(0x28, 0x10, "US", struct.pack("<H", side))
          + dicom_element(0x28, 0x11, "US", struct.pack("<H", side)) + dicom_element(0x28, 0x100, "US", struct.pack("<H", 16))
          + dicom_element(0x28, 0x101, "US", struct.pack("<H", 12)) + dicom_element(0x28, 0x102, "US", struct.pack("<H", 11))
          + dicom_element(0x28, 0x103, "US", struct.pack("<H", 0)))
    with open(path, "wb") as f:
        f.write(b"\x00" * 128 + b"DICM" + meta + ds)
        f.write(struct.pack("<HH", 0x7FE0, 0x10) + b"OW\x00\x00" + struct.pack("<I", side * side * 2 * frames))
        high = bytes(b & 0x0F for b in range(256))
        for _ in range(frames):
            rows = gray_rows(side, side, rng, "xray")
            lo = b"".join(rows)
            hi = rng.randbytes(len(lo)).translate(bytes(min(15, (b >> 5) + (3 if b > 200 else 0)) for b in range(256)))
            px = bytearray(2 * len(lo))
            px[0::2], px[1::2] = lo, hi.translate(high)
            f.write(px)


ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def ole2_bytes(streams):
    """A compound file (v3, 512-byte sectors) holding `streams` (name -> bytes, each >= 4096 bytes so
    that no mini stream is needed), the directory a chain of siblings under the root."""
    sec = 512
    chains, data = [], bytearray()
    for name, body in streams:
        start = len(data) // sec
        n = (len(body) + sec - 1) // sec
        data += body + b"\x00" * (n * sec - len(body))
        chains.append((name, start, n, len(body)))
    entries = [("Root Entry", 5, ENDOFCHAIN, 0)] + [(n, 2, s, size) for n, s, _, size in chains]
    dir_bytes = bytearray()
    for i, (name, typ, start, size) in enumerate(entries):
        raw = name.encode("utf-16-le")[:62] + b"\x00\x00"
        left, right, child = NOSTREAM, NOSTREAM, NOSTREAM
        if typ == 5 and len(entries) > 1:
            child = 1
        elif typ == 2 and i + 1 < len(entries):
            right = i + 1
        dir_bytes += (raw + b"\x00" * (64 - len(raw)) + struct.pack("<HBB", len(raw), typ, 1)
                      + struct.pack("<III", left, right, child) + b"\x00" * 16 + struct.pack("<I", 0) + b"\x00" * 16
                      + struct.pack("<IQ", start, size))
    dir_bytes += b"\x00" * (-len(dir_bytes) % sec)
    data_secs, dir_secs = len(data) // sec, len(dir_bytes) // sec
    n_fat = 1
    while n_fat * 128 < data_secs + dir_secs + n_fat:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file too large for a header-only DIFAT")
    fat = [FREESECT] * (n_fat * 128)
    for _, start, n, _ in chains:
        for k in range(n):
            fat[start + k] = start + k + 1 if k + 1 < n else ENDOFCHAIN
    for k in range(dir_secs):
        fat[data_secs + k] = data_secs + k + 1 if k + 1 < dir_secs else ENDOFCHAIN
    for k in range(n_fat):
        fat[data_secs + dir_secs + k] = FATSECT
    difat = [data_secs + dir_secs + k for k in range(n_fat)] + [FREESECT] * (109 - n_fat)
    header = (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, n_fat, data_secs, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
              + struct.pack("<109I", *difat))
    return header + bytes(data) + bytes(dir_bytes) + struct.pack(f"<{len(fat)}I", *fat)


def ole_summary():
    body = struct.pack("<HHI", 0xFFFE, 0, 0x00020006) + b"\x00" * 16 + struct.pack("<I", 1) \
        + bytes.fromhex("E0859FF2F94F6810AB9108002B27B3D9") + struct.pack("<I", 48)
    return body + b"\x00" * (4096 - len(body))


def w_ole(kind):
    def write(path, target, rng):
        text_bytes = max(4096, target - 4096 * 3 - 1536)
        text = fit_text(POOLS["note"].text(text_bytes // 2), text_bytes, "utf-16-le", pad=" ")
        if kind == "doc":
            fib = struct.pack("<HHHH", 0xA5EC, 0x00C1, 0x0409, 0) + b"\x00" * 504
            streams = [("WordDocument", fib + text), ("1Table", b"".join(struct.pack("<IHH", i * 512, i % 7, 0x1F)
                                                                        for i in range(512))),
                       ("\x05SummaryInformation", ole_summary())]
        elif kind == "xls":
            recs = [struct.pack("<HHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC) + b"\x00" * 8]
            size, r = 20, 0
            while size < text_bytes:
                s = rng.choice(POOLS["csv"].lines).strip()[:120].encode("utf-16-le")
                cell = struct.pack("<HHHHB", r, 1, 15, len(s) // 2, 1) + s
                recs.append(struct.pack("<HH", 0x0204, len(cell)) + cell)
                recs.append(struct.pack("<HHHHHd", 0x0203, 14, r, 2, 15, rng.uniform(0, 9999)))
                size += len(cell) + 22
                r += 1
            recs.append(struct.pack("<HH", 0x000A, 0))
            wb = b"".join(recs)
            streams = [("Workbook", wb + b"\x00" * max(0, 4096 - len(wb))), ("\x05SummaryInformation", ole_summary()),
                       ("\x05DocumentSummaryInformation", ole_summary())]
        else:  # 一太郎 (.jtd): a compound file of its own streams
            streams = [("DocumentText", text), ("DocumentViewStyles", b"".join(struct.pack("<II", i, i * 3) for i in range(600))),
                       ("\x05SummaryInformation", ole_summary())]
        open(path, "wb").write(ole2_bytes(streams))
    return write


def disk_image(fmt):
    """A disk (MBR, one ext4 partition holding a department's share) converted by qemu-img."""
    def write(path, target, rng):
        scratch = path + ".d"
        os.makedirs(scratch + "/share", exist_ok=True)
        raw_size = max(4 * MiB, (target if fmt != "vmdk" else int(target * 1.6)) // MiB * MiB)
        if fmt == "vhdx":
            raw_size = max(4 * MiB, raw_size - 2 * MiB)
        used = (raw_size - MiB) // 2  # the share fills half the file system
        i = 0
        while used > 0:
            i += 1
            n = min(used, rng.choice([20 * KiB, 200 * KiB, 1 * MiB]))
            kind = rng.choice(["note", "csv", "en"])
            open(f"{scratch}/share/{rng.choice(STEMS)}_{i:04d}.{'csv' if kind == 'csv' else 'txt'}", "wb").write(
                POOLS[kind].text(n).encode())
            used -= n
        raw = scratch + "/raw.img"
        with open(raw, "wb") as f:
            f.truncate(raw_size)
        subprocess.run(["sfdisk", "-q", raw], input=b"label: dos\nstart=2048, type=83\n", check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        journal = [] if raw_size >= 32 * MiB else ["-O", "^has_journal"]
        subprocess.run(["mke2fs", "-q", "-t", "ext4", *journal, "-E", f"offset={MiB}", "-d", scratch + "/share", "-F", raw,
                        f"{(raw_size - MiB) // KiB}k"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        opts = {"vpc": [], "vhdx": ["-o", "block_size=1M,log_size=1M"], "vmdk": []}[fmt]
        subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", fmt, *opts, raw, path], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(scratch)
    return write


def w_mp4(path, target, rng):
    """An MP4 as a camera or an encoder writes one: ftyp, then the index (moov: a video track whose
    sample tables, stsd with avc1/avcC, stsz, stsc and stco, place every sample) and the media
    (mdat: AVC samples, each a NAL unit behind its 4-byte length) in either order (`moov` first
    when written for streaming, last when recorded)."""
    def box(kind, payload):
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    def full(kind, payload):
        return box(kind, b"\x00\x00\x00\x00" + payload)

    samples, size = [], 0
    while size < max(64, target - 1200):  # compressed video is random-looking by nature
        frame = zlib.compress(b"".join(gray_rows(640, 120, rng, "xray")), 1)[2:]
        nal = bytes([0x65 if not samples else 0x41]) + frame[: max(16, min(len(frame), target - 1200 - size - 5))]
        samples.append(struct.pack(">I", len(nal)) + nal)
        size += len(samples[-1])
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    avc1 = box(b"avc1", b"\x00" * 6 + struct.pack(">H", 1) + b"\x00" * 16 + struct.pack(">HHII", 640, 120, 0x480000, 0x480000)
               + b"\x00" * 4 + struct.pack(">H", 1) + b"\x00" * 32 + struct.pack(">Hh", 0x18, -1)
               + box(b"avcC", bytes([1, 0x64, 0, 0x1F, 0xFF, 0xE0, 0, 0])))

    def moov(mdat_at):
        offsets, at = [], mdat_at + 8
        for sample in samples:
            offsets.append(at)
            at += len(sample)
        stbl = box(b"stbl", full(b"stsd", struct.pack(">I", 1) + avc1)
                   + full(b"stts", struct.pack(">III", 1, len(samples), 1000))
                   + full(b"stsc", struct.pack(">IIII", 1, 1, 1, 1))
                   + full(b"stsz", struct.pack(">II", 0, len(samples)) + b"".join(struct.pack(">I", len(s)) for s in samples))
                   + full(b"stco", struct.pack(">I", len(samples)) + b"".join(struct.pack(">I", o) for o in offsets)))
        mdia = box(b"mdia", full(b"mdhd", struct.pack(">IIII", 0, 0, 30000, 1000 * len(samples)) + b"\x55\xc4\x00\x00")
                   + full(b"hdlr", b"\x00" * 4 + b"vide" + b"\x00" * 12 + b"VideoHandler\x00")
                   + box(b"minf", full(b"vmhd", b"\x00" * 8) + stbl))
        mvhd = full(b"mvhd", struct.pack(">IIII", 0, 0, 1000, 1000 * len(samples)) + struct.pack(">IH", 0x00010000, 0x0100)
                    + b"\x00" * 10 + struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000) + b"\x00" * 24
                    + struct.pack(">I", 2))
        return box(b"moov", mvhd + box(b"trak", mdia) + box(b"udta", box(b"\xa9too", b"shodo eval muxer")))

    mdat = box(b"mdat", b"".join(samples))
    with open(path, "wb") as f:
        if rng.random() < 0.5:
            f.write(ftyp + moov(len(ftyp) + len(moov(0))) + mdat)
        else:
            f.write(ftyp + mdat + moov(len(ftyp)))


def w_evtx(path, target, rng):
    chunks = max(1, (target - 4096) // 65536)
    rec_id = 1
    out = bytearray()
    for c in range(chunks):
        recs = bytearray()
        first = rec_id
        last_off = 512
        while True:
            user = rng.choice(ROMA_S).lower()
            xml = (f"4624 Security {user} WORKSTATION-{rng.randint(1, 200):03d} 10.0.{rng.randint(0, 20)}.{rng.randint(1, 254)} "
                   f"Logon Type {rng.choice([2, 3, 10])} NtLmSsp Advapi {rng.choice(EN_NOTES)}").encode("utf-16-le")
            body = b"\x0f\x01\x01\x00\x0c\x01" + struct.pack("<I", rng.randint(0, 1 << 20)) + b"\x00" * 10 + xml + b"\x00\x00"
            size = 24 + len(body) + 4
            if 512 + len(recs) + size > 65536:
                break
            last_off = 512 + len(recs)
            ft = 133000000000000000 + rec_id * 10000000
            recs += b"\x2a\x2a\x00\x00" + struct.pack("<IQQ", size, rec_id, ft) + body + struct.pack("<I", size)
            rec_id += 1
        free = 512 + len(recs)
        head = bytearray(b"ElfChnk\x00" + struct.pack("<QQQQIIII", first, rec_id - 1, first, rec_id - 1, 128, last_off, free,
                                                       zlib.crc32(recs) & 0xFFFFFFFF) + b"\x00" * 64 + struct.pack("<II", 0, 0))
        head += b"\x00" * (512 - len(head))
        crc = zlib.crc32(bytes(head[:120]) + bytes(head[128:512])) & 0xFFFFFFFF
        head[124:128] = struct.pack("<I", crc)
        out += head + recs + b"\x00" * (65536 - 512 - len(recs))
    fh = bytearray(b"ElfFile\x00" + struct.pack("<QQQIHHHH", 0, chunks - 1, rec_id, 128, 1, 3, 4096, chunks) + b"\x00" * 76
                   + struct.pack("<I", 0))
    fh += struct.pack("<I", zlib.crc32(bytes(fh[:120])) & 0xFFFFFFFF)
    fh += b"\x00" * (4096 - len(fh))
    open(path, "wb").write(bytes(fh) + bytes(out))


def w_jpeg(path, target, rng):
    from PIL import Image  # only when present
    w = max(8, min(2048, int(math.sqrt(target * 8))))

    def make(h):
        img = Image.frombytes("L", (w, h), b"".join(gray_rows(w, h, rng, "xray")))
        import io
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=85)
        return buf.getvalue()
    open(path, "wb").write(fitted(make, target, max(8, w), 4, 20000))


def have_pil():
    try:
        import PIL  # noqa: F401
        return True
    except ImportError:
        return False


# Formats: name, file extension(s) in the name, size classes it comes in, writer.
ALL = set(CLASS_NAMES)
UP_TO_16M = set(CLASS_NAMES[:5])
FORMATS = [
    ("docx", "docx", set(CLASS_NAMES[1:5]), ooxml("docx")),
    ("xlsx", "xlsx", set(CLASS_NAMES[1:5]), ooxml("xlsx")),
    ("pptx", "pptx", set(CLASS_NAMES[2:5]), ooxml("pptx")),
    ("zip", "zip", set(CLASS_NAMES[1:]), w_zip),
    ("sqlite", "sqlite", set(CLASS_NAMES[2:]), w_sqlite),
    ("sqlite-db", "db", set(CLASS_NAMES[2:5]), w_sqlite),
    ("gzip", "log.gz", UP_TO_16M, w_gzip),
    ("tar", "tar", set(CLASS_NAMES[2:]), w_tar),
    ("csv-utf8", "csv", ALL, w_text("csv")),
    ("csv-sjis", "csv", UP_TO_16M, w_text("csv", "shift_jis")),
    ("txt-utf8", "txt", ALL, w_text("note")),
    ("txt-utf16", "txt", UP_TO_16M, w_text("note", "utf-16-le", b"\xff\xfe")),
    ("json", "json", UP_TO_16M, w_json),
    ("xml", "xml", UP_TO_16M, w_xml),
    ("html", "html", set(CLASS_NAMES[:4]), w_html),
    ("rtf", "rtf", UP_TO_16M, w_rtf),
    ("pdf", "pdf", UP_TO_16M, w_pdf),
    ("png", "png", UP_TO_16M, w_png),
    ("bmp", "bmp", UP_TO_16M, w_bmp),
    ("wav", "wav", set(CLASS_NAMES[1:5]), w_wav),
    ("tiff", "tif", set(CLASS_NAMES[1:5]), w_tiff),
    ("dicom", "dcm", set(CLASS_NAMES[1:]), w_dicom),
    ("ole2-doc", "doc", set(CLASS_NAMES[2:5]), w_ole("doc")),
    ("ole2-xls", "xls", set(CLASS_NAMES[2:5]), w_ole("xls")),
    ("ole2-jtd", "jtd", set(CLASS_NAMES[2:5]), w_ole("jtd")),
    ("vhd", "vhd", set(CLASS_NAMES[4:]), disk_image("vpc")),
    ("vhdx", "vhdx", set(CLASS_NAMES[4:]), disk_image("vhdx")),
    ("vmdk", "vmdk", set(CLASS_NAMES[3:]), disk_image("vmdk")),
    ("mp4", "mp4", set(CLASS_NAMES[3:]), w_mp4),
    ("evtx", "evtx", set(CLASS_NAMES[3:]), w_evtx),
    ("jpeg", "jpg", UP_TO_16M, w_jpeg),
]
# Targets of the largest class, per format (the formats that grow that big).
XXL = {"sqlite": 96 * MiB, "zip": 60 * MiB, "tar": 30 * MiB, "csv-utf8": 40 * MiB, "txt-utf8": 24 * MiB,
       "vhd": 40 * MiB, "vhdx": 34 * MiB, "vmdk": 24 * MiB, "dicom": 50 * MiB, "mp4": 64 * MiB, "evtx": 20 * MiB}
# Largest a writer makes (OLE2 with a header-only DIFAT holds about 7 MiB).
CAP = {"ole2-doc": 6 * MiB, "ole2-xls": 6 * MiB, "ole2-jtd": 6 * MiB}


# ----------------------------------------------------------------------------------------------
# Encryption patterns: the byte ranges a family encrypts in a file of n bytes.

def pct_blocks(n, pct, parts=10):
    block = max(16, int(n * pct / 100 / parts))
    return [(k * n // parts, min(n, k * n // parts + block)) for k in range(parts)]


PATTERNS = {
    "whole": lambda n: [(0, n)],
    "head-4K": lambda n: [(0, min(n, 4 * KiB))],
    "head-64K": lambda n: [(0, min(n, 64 * KiB))],
    "head-1M": lambda n: [(0, min(n, MiB))],
    "stripe-64K/1M": lambda n: [(s, min(n, s + 64 * KiB)) for s in range(0, n, MiB)],
    "stripe-1M/10M": lambda n: [(s, min(n, s + MiB)) for s in range(0, n, 10 * MiB)],
    "pct-10": lambda n: pct_blocks(n, 10),
    "pct-20": lambda n: pct_blocks(n, 20),
    "interleave-16": None,  # every other 16 bytes from the start (LockFile)
    "tail-1M": lambda n: [(max(0, n - MiB), n)],
    "tail-10%": lambda n: [(n - max(16, n // 10), n)] if n > 16 else [(0, n)],
}


def merged(ranges):
    out = []
    for a, b in sorted(r for r in ranges if r[1] > r[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def cipher(kind):
    key, nonce = os.urandom(32), os.urandom(16)
    if kind == "chacha20":
        return Cipher(algorithms.ChaCha20(key, nonce), mode=None).encryptor()
    return Cipher(algorithms.AES(key), modes.CTR(nonce)).encryptor()


def copy(src, dst):
    subprocess.run(["cp", "--sparse=always", "--reflink=auto", src, dst], check=True)


def encrypt_copy(src, dst, pattern, kind):
    """Copies src to dst and encrypts the pattern's ranges in place; the share of bytes encrypted."""
    copy(src, dst)
    n = os.path.getsize(dst)
    enc = cipher(kind)
    done = 0
    with open(dst, "r+b") as f:
        if pattern == "interleave-16":
            step = MiB
            for off in range(0, n, step):
                f.seek(off)
                plain = f.read(step)
                ct = enc.update(plain)
                out = bytearray(plain)
                for k in range(16):
                    out[k::32] = ct[k::32]
                f.seek(off)
                f.write(out)
            return 0.5
        for a, b in merged(PATTERNS[pattern](n)):
            for off in range(a, b, 4 * MiB):
                f.seek(off)
                chunk = f.read(min(4 * MiB, b - off))
                f.seek(off)
                f.write(enc.update(chunk))
            done += b - a
    return done / max(n, 1)


# ----------------------------------------------------------------------------------------------
# Extensions no list knows.

def known_extensions(repo):
    known = set()
    for line in open(os.path.join(repo, "rules/ransomware/extensions.txt"), encoding="utf-8"):
        line = line.split("#")[0].strip().lower()
        if line:
            known.add(line)
    for f in ("rules/ransomware/families.toml", "rules/formats/signatures.toml"):
        for m in re.finditer(r"extensions\s*=\s*\[([^\]]*)\]", open(os.path.join(repo, f), encoding="utf-8").read()):
            known.update(x.lower() for x in re.findall(r'"([^"]+)"', m.group(1)))
    return known


def unknown_ext(rng, known):
    while True:
        e = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 8)))
        if e not in known:
            return e


# ----------------------------------------------------------------------------------------------
# The benign set of this machine.

SYSTEM_ROOTS = ["/usr/share", "/usr/lib", "/usr/bin", "/var/cache/apt/archives", "/var/lib/dpkg",
                "/root/.cargo/registry", "/root/.rustup/toolchains"]


def system_files(rng, want, max_size):
    groups = collections.defaultdict(list)
    for root in SYSTEM_ROOTS:
        if not os.path.isdir(root):
            continue
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for name in files:
                p = os.path.join(d, name)
                try:
                    st = os.lstat(p)
                except OSError:
                    continue
                if not (st.st_mode & 0o170000 == 0o100000) or st.st_size > max_size or not os.access(p, os.R_OK):
                    continue
                ext = name.rsplit(".", 1)[1].lower() if "." in name[1:] else ""
                if len(ext) > 8 or not ext.isalnum():
                    ext = "?"
                groups[(root, ext)].append(p)
    for g in groups.values():
        rng.shuffle(g)
    picked, keys = [], sorted(groups)
    while len(picked) < want and keys:
        nxt = []
        for k in keys:
            if groups[k]:
                picked.append(groups[k].pop())
                if groups[k]:
                    nxt.append(k)
            if len(picked) >= want:
                break
        keys = nxt
    return picked


# ----------------------------------------------------------------------------------------------

class Scanner:
    """Runs `shodo scan --ndjson` over paths, watching each run: a worker that panics ends the run
    (or leaves it hanging when every worker is gone), so the run is stopped and its files scanned
    again in runs of 50 files, then one by one; a file that still fails is recorded as crashed."""

    def __init__(self, binary, cache, out, err, crashed, panics):
        self.binary, self.cache, self.out, self.err = binary, cache, out, err
        self.crashed, self.panics, self.runs = crashed, panics, 0

    def run(self, paths, nbytes):
        self.runs += 1
        limit = 120 + nbytes / 20e6
        errf = self.err.name + ".run"
        with open(errf, "wb") as e:
            proc = subprocess.Popen([self.binary, "scan", "--cache", self.cache, "--ndjson", *paths], stdout=self.out,
                                    stderr=e)
            start, panicked = time.time(), None
            while proc.poll() is None:
                time.sleep(0.2)
                if panicked is None and b"panicked at" in open(errf, "rb").read():
                    panicked = time.time()
                if (panicked and time.time() - panicked > 5) or time.time() - start > limit:
                    proc.kill()
                    proc.wait()
                    break
        self.out.write(b"\n")  # a run stopped mid-line leaves no half line before the next run's
        self.out.flush()
        text = open(errf, "rb").read()
        self.err.write(text)
        os.remove(errf)
        for m in re.finditer(rb"panicked at ([^\n]*?):\n", text):
            self.panics[m.group(1).decode(errors="replace")] += 1
        return proc.returncode in (0, 1) and b"panicked at" not in text

    def scan(self, paths, nbytes):
        if self.run(paths, nbytes):
            return
        files = []
        for p in paths:
            if os.path.isdir(p):
                files += sorted(os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs)
            else:
                files.append(p)
        for i in range(0, len(files), 50):
            part = files[i:i + 50]
            size = sum(os.path.getsize(f) for f in part if os.path.exists(f))
            if len(part) > 1 and self.run(part, size):
                continue
            for f in part:
                if not self.run([f], os.path.getsize(f) if os.path.exists(f) else 0):
                    self.crashed.append(os.path.abspath(f))


POOLS = {}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--quick", action="store_true", help="a small run (at most about 300 MB generated)")
    ap.add_argument("--seed", type=int, default=None, help="seed of names, sizes and content (default: from the clock)")
    ap.add_argument("--budget", type=float, default=None, help="most bytes generated, in GB (default 0.3 quick, 10 full)")
    ap.add_argument("--benign", type=int, default=None, help="files of this machine in the benign set (default 12000 quick, 40000 full)")
    ap.add_argument("--keep", default=None, help="copy manifest.jsonl and the scan's events to this directory")
    ap.add_argument("--corpora", default="../shared/corpora")
    ap.add_argument("--generate-only", action="store_true", help="make the set, print the plan, scan nothing")
    a = ap.parse_args()
    t0 = time.time()
    seed = a.seed if a.seed is not None else int(time.time()) % 100000
    rng = random.Random(seed)
    repo = os.getcwd()
    work = a.work
    for k, make in (("note", line_note), ("en", line_en), ("csv", line_csv)):
        POOLS[k] = Pool(random.Random(seed * 7 + len(k)), make)
    known = known_extensions(repo)
    run_ext = unknown_ext(random.Random(seed), known)
    fixed_ext = unknown_ext(random.Random(20261122), known)
    budget = int((a.budget if a.budget is not None else (0.3 if a.quick else 10)) * 1e9)
    free = shutil.disk_usage(work).free
    if budget > free * 0.5:
        print(f"note: {free / 1e9:.1f} GB free where the set is made; the budget shrinks from {budget / 1e9:.1f} "
              f"to {free * 0.5 / 1e9:.1f} GB")
        budget = int(free * 0.5)
    print(f"eval-encryption: {'quick' if a.quick else 'full'} run, seed {seed}, appended extensions .{run_ext} "
          f"(this run) and .{fixed_ext} (fixed), budget {budget / 1e9:.2f} GB, work {work}")
    skipped_formats = []
    if not have_pil():
        skipped_formats.append("jpeg (no PIL here: python3-pil is not installed)")
    skipped_formats.append("7z, rar (no 7z or rar tool on this machine)")
    for t in ("qemu-img", "mke2fs", "sfdisk"):
        if not shutil.which(t):
            skipped_formats.append(f"vhd, vhdx, vmdk ({t} missing)")
    formats = [f for f in FORMATS if not (f[0] == "jpeg" and not have_pil())
               and not (f[0] in ("vhd", "vhdx", "vmdk") and any("vhd," in s for s in skipped_formats))]

    # The plan: (format, class, target) with the copies each plaintext gets.
    npat = len(PATTERNS)
    plan = []
    for name, ext, classes, writer in formats:
        for ci, (cname, lo, hi) in enumerate(CLASSES):
            if cname not in classes:
                continue
            reps = 2 if ci <= 2 else 1
            for r in range(reps):
                if cname == "16-100M":
                    target = XXL.get(name)
                    if target is None:
                        continue
                else:
                    lo2 = max(lo, 100)
                    hi2 = min(hi, CAP.get(name, hi))
                    if hi2 <= lo2:
                        continue
                    # low end of the class, then high end; log-uniform inside each half
                    mid = math.sqrt(lo2 * hi2)
                    a_, b_ = (lo2 * 1.1, mid) if r == 0 else (mid, hi2 / 1.1)
                    target = int(math.exp(rng.uniform(math.log(a_), math.log(b_))))
                plan.append([name, ext, writer, cname, target])

    def copies(target, cname):
        inplace = cname != "16-100M"
        return 1 + npat * (2 if inplace else 1)

    if a.quick:  # small run: files up to 1 MiB, a few formats at 1-16 MiB near its low end
        keep = {"sqlite", "csv-utf8", "vhd", "zip"}
        plan = [p for p in plan if CLASS_NAMES.index(p[3]) <= 3 or (p[3] == "1-16M" and p[0] in keep)]
        for p in plan:
            if p[3] == "64K-1M":
                p[4] = min(p[4], 150 * KiB)
            if p[3] == "1-16M":
                p[4] = int(1.1 * MiB) if p[0] != "vhd" else 4 * MiB
    total = sum(p[4] * copies(p[4], p[3]) for p in plan)
    while total > budget:
        big = max(plan, key=lambda p: p[4])
        if big[3] == "16-100M" and big[4] > 20 * MiB:
            big[4] //= 2
        else:
            plan.remove(big)
        total = sum(p[4] * copies(p[4], p[3]) for p in plan)
        print(f"note: over budget, scaled down {big[0]} {big[3]} (planned now {total / 1e9:.2f} GB)")
    print(f"plan: {len(plan)} plaintext files of {len(formats)} formats, about {total / 1e9:.2f} GB with their copies")
    for s in skipped_formats:
        print(f"  format left out: {s}")

    dirs = {k: os.path.join(work, k) for k in ("plain", "enc", "benign", "containers", "scratch")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    manifest = []

    def record(path, **kw):
        size = os.path.getsize(path)
        manifest.append(dict(path=os.path.abspath(path), size=size, cls=size_class(size), **kw))

    # 1. Plaintexts.
    plains = []
    for i, (name, ext, writer, cname, target) in enumerate(plan):
        os.makedirs(os.path.join(dirs["plain"], name), exist_ok=True)
        base = f"{rng.choice(STEMS)}_{i:04d}.{ext}"
        path = os.path.join(dirs["plain"], name, base)
        try:
            writer(path, target, random.Random(seed * 1000 + i))
        except Exception as e:  # a writer that fails is reported, not fatal
            print(f"  writer {name} ({target} B) failed: {e}")
            continue
        record(path, group="plain", format=name, pattern="-", style="-", encrypted=False)
        plains.append((name, path, base))
    t_plain = time.time()
    print(f"plaintexts: {len(plains)} files, {sum(os.path.getsize(p) for _, p, _ in plains) / 1e6:.1f} MB "
          f"({t_plain - t0:.0f} s)")

    # 2. Encrypted copies: every pattern, named with an appended extension (this run's or the fixed
    # one, alternately), and in place under the plaintext's own name (below 16 MiB).
    n_enc = 0
    for j, (name, path, base) in enumerate(plains):
        size = os.path.getsize(path)
        for k, pattern in enumerate(PATTERNS):
            styles = [("run", run_ext) if (j + k) % 2 == 0 else ("fixed", fixed_ext)]
            if size < 16 * MiB:
                styles.append(("inplace", None))
            for style, ext in styles:
                d = os.path.join(dirs["enc"], pattern.replace("/", "_"), style)
                os.makedirs(d, exist_ok=True)
                dst = os.path.join(d, base + (f".{ext}" if ext else ""))
                kind = "chacha20" if (j + k) % 2 else "aes-ctr"
                frac = encrypt_copy(path, dst, pattern, kind)
                record(dst, group="encrypted", format=name, pattern=pattern, style=style, encrypted=True,
                       cipher=kind, fraction=round(frac, 4))
                n_enc += 1
    t_enc = time.time()
    print(f"encrypted copies: {n_enc} ({t_enc - t_plain:.0f} s)")

    # 3a. Benign variants of the plaintexts (hard links: no bytes): backups and renamed files that
    # are not encrypted, and Windows' copy names.
    vdir = os.path.join(dirs["benign"], "variants")
    os.makedirs(vdir, exist_ok=True)
    for j, (name, path, base) in enumerate(plains):
        if os.path.getsize(path) >= 16 * MiB:
            continue
        stem, _, ext = base.partition(".")
        for v in (base + ".bak", base + ".old", base + f".{run_ext}", f"{stem} - コピー.{ext}", f"{stem} (1).{ext}"):
            dst = os.path.join(vdir, v)
            if not os.path.exists(dst):
                os.link(path, dst)
                record(dst, group="variant", format=name, pattern="-", style="-", encrypted=False)

    # 3b. Look-alikes: temp files, Office owner files, protected documents, compressed streams
    # under neutral names, packages, disk images.
    ldir = os.path.join(dirs["benign"], "lookalike")
    os.makedirs(ldir, exist_ok=True)
    lrng = random.Random(seed + 3)
    some_text = POOLS["note"].text(300 * KiB).encode()
    en_text = POOLS["en"].text(300 * KiB).encode()

    def look(name, data=None, how=""):
        p = os.path.join(ldir, name)
        if data is not None:
            open(p, "wb").write(data)
        if not os.path.exists(p):
            print(f"  look-alike {name}: its tool failed, left out")
            return p
        record(p, group="lookalike", format=how or name.rsplit(".", 1)[-1], pattern="-", style="-", encrypted=False)
        return p

    for k in range(6):
        tag = "".join(lrng.choice("0123456789ABCDEF") for _ in range(4))
        zp = os.path.join(ldir, f"~DF{tag}{k}.tmp")
        ooxml("docx")(zp, lrng.choice([8 * KiB, 40 * KiB, 200 * KiB]), lrng)
        look(os.path.basename(zp), how="tmp-zip")
        look(f"~WRL{tag}{k:03d}.tmp", some_text[: lrng.choice([900, 5000, 70000])], "tmp-text")
        look(f"tmp{tag.lower()}{k}", en_text[: lrng.choice([3000, 50000])], "tmp-text")
    look("~$紹介状_0001.docx", ("\x08" + "yamada".ljust(53) + "\x00" * 108).encode()[:162], "office-owner")
    look(".~lock.勤務表_0002.xlsx#", b",yamada,WS-012,03.12.2026 09:14,file:///home/yamada/.config/libreoffice/4;\n", "lo-lock")
    look("Thumbs.db", ole2_bytes([("Catalog", b"\x10\x00\x07\x00" + b"\x00" * 4092),
                                  ("256_1", png_bytes(96, 96, lrng) + b"\x00" * 4096)]), "ole2-thumbs")
    look("給与明細_2026.xlsx", ole2_bytes([("EncryptionInfo", struct.pack("<HHI", 4, 4, 0x40) + b"<?xml version=\"1.0\"?>"
                                                           b"<encryption/>".ljust(4088, b" ")),
                                         ("EncryptedPackage", struct.pack("<Q", 50000) + os.urandom(50000))]),
         "ooxml-password")
    look("患者一覧_password.docx", ole2_bytes([("EncryptionInfo", b"\x04\x00\x04\x00" + b"\x00" * 4092),
                                          ("EncryptedPackage", struct.pack("<Q", 9000) + os.urandom(9000))]),
         "ooxml-password")
    # a zip protected by password (the "PPAP" habit), with the real zip tool
    src_csv = os.path.join(dirs["scratch"], "患者一覧.csv")
    open(src_csv, "wb").write(POOLS["csv"].text(200 * KiB).encode())
    if shutil.which("zip"):
        for i in range(2):
            zp = os.path.join(ldir, f"患者一覧_暗号化_{i}.zip")
            subprocess.run(["zip", "-q", "-j", "-P", "himitsu2026", zp, src_csv], check=False)
            look(os.path.basename(zp), how="zip-password")
    # compressed streams, under their names and under neutral ones
    for tool, ext, comp in (("gzip", "gz", lambda b: gzip.compress(b)), ("xz", "xz", lambda b: lzma.compress(b)),
                            ("bzip2", "bz2", lambda b: bz2.compress(b))):
        data = comp(some_text + en_text)
        look(f"export_{tool}.csv.{ext}", data, ext)
        look(f"export_{tool}.dat", data, ext + "-neutral")
        look(f"export_{tool}", data, ext + "-neutral")
    for tool, args, ext in (("zstd", ["zstd", "-q", "-19", "-c"], "zst"), ("lz4", ["lz4", "-q", "-c"], "lz4")):
        if shutil.which(tool):
            data = subprocess.run(args, input=some_text + en_text, stdout=subprocess.PIPE, check=False).stdout
            look(f"backup.{ext}", data, ext)
            look(f"backup_{tool}.bin", data, ext + "-neutral")
    tgz = os.path.join(ldir, "共有フォルダ_backup.tar.gz")
    with tarfile.open(tgz, "w:gz") as t:
        t.add(src_csv, arcname="共有/患者一覧.csv")
    look(os.path.basename(tgz), how="tar.gz")
    # a package, a wheel, compiled python, a squashfs and an ISO image, made with their tools
    if shutil.which("dpkg-deb"):
        pkg = os.path.join(dirs["scratch"], "pkg")
        os.makedirs(pkg + "/DEBIAN")
        os.makedirs(pkg + "/usr/share/doc/hospital-forms")
        open(pkg + "/DEBIAN/control", "w").write("Package: hospital-forms\nVersion: 1.0\nArchitecture: all\n"
                                                  "Maintainer: IT <it@example.org>\nDescription: forms\n")
        open(pkg + "/usr/share/doc/hospital-forms/forms.txt", "wb").write(some_text)
        subprocess.run(["dpkg-deb", "-Zxz", "--build", pkg, os.path.join(ldir, "hospital-forms_1.0_all.deb")],
                       check=False, stdout=subprocess.DEVNULL)
        look("hospital-forms_1.0_all.deb", how="deb")
    whl = os.path.join(ldir, "hospital_forms-1.0-py3-none-any.whl")
    with zipfile.ZipFile(whl, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("hospital_forms/__init__.py", "FORMS = %r\n" % POOLS["en"].lines[:200])
        z.writestr("hospital_forms-1.0.dist-info/METADATA", "Name: hospital-forms\nVersion: 1.0\n")
    look(os.path.basename(whl), how="whl")
    import py_compile
    src_py = os.path.join(dirs["scratch"], "forms.py")
    open(src_py, "w").write("FORMS = %r\n" % POOLS["en"].lines[:300])
    py_compile.compile(src_py, cfile=os.path.join(ldir, "forms.cpython-311.pyc"))
    look("forms.cpython-311.pyc", how="pyc")
    if shutil.which("mksquashfs"):
        subprocess.run(["mksquashfs", os.path.dirname(src_csv), os.path.join(ldir, "share.squashfs"), "-quiet", "-noappend"],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        look("share.squashfs", how="squashfs")
    if shutil.which("xorriso"):
        subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-o", os.path.join(ldir, "archive_2026.iso"), src_csv],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        look("archive_2026.iso", how="iso9660")
    # a PNG icon, a PDF scan and a SQLite file under temp-like names
    look("~img0001.tmp", png_bytes(200, 200, lrng), "tmp-png")
    look("scan_20261203.pdf.part", pdf_bytes(lrng, pages=2, images=1, img_rows=300), "pdf-part")
    w_sqlite(os.path.join(ldir, "cache.db-journal"), 40 * KiB, lrng)
    look("cache.db-journal", how="sqlite-neutral")

    # 3c. Encrypted containers (reported apart): LUKS made with cryptsetup (data area filled with
    # AES-XTS ciphertext as a used volume holds), a VeraCrypt-like volume (random bytes, .hc),
    # KeePass, age, gpg, openssl; BitLocker images of the corpora (read-only).
    cdir = dirs["containers"]
    containers = []

    def container(path, what):
        if not os.path.exists(path):
            print(f"  container {os.path.basename(path)} ({what}): its tool failed, left out")
            return
        record(path, group="container", format=what, pattern="-", style="-", encrypted=False)
        containers.append(os.path.abspath(path))

    if shutil.which("cryptsetup"):
        for typ, size in (("luks2", 24 * MiB), ("luks1", 6 * MiB)):
            p = os.path.join(cdir, f"vault_{typ}.img")
            with open(p, "wb") as f:
                f.truncate(size)
            r = subprocess.run(["cryptsetup", "luksFormat", "--batch-mode", "--type", typ, "--pbkdf", "pbkdf2",
                                "--pbkdf-force-iterations", "1000", "--key-file", "-", p], input=b"correct horse",
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if r.returncode != 0:
                print(f"  container: cryptsetup luksFormat {typ} on a file failed ({r.stdout.decode()[-200:].strip()}); skipped")
                os.remove(p)
                continue
            dump = subprocess.run(["cryptsetup", "luksDump", p], stdout=subprocess.PIPE, text=True).stdout
            m = re.search(r"offset:\s*(\d+) \[bytes\]", dump) or re.search(r"Payload offset:\s*(\d+)", dump)
            off = int(m.group(1)) * (1 if "bytes" in m.group(0) else 512) if m else 4 * MiB
            volume_key = os.urandom(64)
            with open(p, "r+b") as f:
                f.seek(off)
                for k in range((size - off) // (64 * KiB)):  # sector-wise tweaks, as dm-crypt
                    xts = Cipher(algorithms.AES(volume_key), modes.XTS(struct.pack("<QQ", k, 0))).encryptor()
                    f.write(xts.update(some_text[k * 4096 % (200 * KiB):][:64 * KiB].ljust(64 * KiB, b" ")) + xts.finalize())
            container(p, f"LUKS ({typ}, data area written)")
    else:
        print("  container: cryptsetup missing, no LUKS file")
    for name, size in (("secure.hc", 8 * MiB), ("病歴保管庫.hc", 300 * KiB), ("volume.tc", 2 * MiB)):
        p = os.path.join(cdir, name)
        open(p, "wb").write(os.urandom(size))
        container(p, "VeraCrypt-like (random bytes)")
    p = os.path.join(cdir, "passwords.kdbx")
    open(p, "wb").write(bytes.fromhex("03D9A29A67FB4BB5") + struct.pack("<I", 0x00040000) + os.urandom(60000))
    container(p, "KeePass (kdbx)")
    if shutil.which("age") and shutil.which("age-keygen"):
        key = os.path.join(dirs["scratch"], "age.key")
        subprocess.run(["age-keygen", "-o", key], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rcp = subprocess.run(["age-keygen", "-y", key], check=False, stdout=subprocess.PIPE, text=True).stdout.strip()
        for name, armor in (("case_export.tar.age", []), ("case_export.txt.age", ["-a"])):
            p = os.path.join(cdir, name)
            subprocess.run(["age", *armor, "-r", rcp, "-o", p, src_csv], check=False)
            container(p, "age" + (" (armored)" if armor else ""))
    if shutil.which("gpg"):
        home = os.path.join(dirs["scratch"], "gnupg")
        os.makedirs(home, mode=0o700)
        p = os.path.join(cdir, "患者一覧.csv.gpg")
        r = subprocess.run(["gpg", "--homedir", home, "--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase",
                            "x", "--symmetric", "--compress-algo", "none", "-o", p, src_csv], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        if r.returncode == 0:
            container(p, "gpg (symmetric)")
    if shutil.which("openssl"):
        p = os.path.join(cdir, "患者一覧.csv.enc")
        subprocess.run(["openssl", "enc", "-aes-256-cbc", "-pbkdf2", "-salt", "-pass", "pass:x", "-in", src_csv, "-out", p],
                       check=False)
        container(p, "openssl enc")
    corpora_dirs = []
    for d in sorted(os.listdir(a.corpora)) if os.path.isdir(a.corpora) else []:
        if d.startswith("bitlocker-"):
            full = os.path.abspath(os.path.join(a.corpora, d))
            corpora_dirs.append(full)
            for dp, _, fs in os.walk(full):
                for f in fs:
                    if not f.startswith("LICENSE"):
                        container(os.path.join(dp, f), f"BitLocker corpus ({d}, in place)")
                    if f.endswith(".tar.xz"):  # its images, unpacked into the work directory
                        out = os.path.join(cdir, "bitlk")
                        os.makedirs(out, exist_ok=True)
                        subprocess.run(["tar", "-xJf", os.path.join(dp, f), "-C", out], check=False)
                        images = sorted(os.path.join(dp2, f2) for dp2, _, fs2 in os.walk(out) for f2 in fs2)
                        quick_set = ("bitlk-aes-cbc-128.img", "bitlk-aes-xts-128.img", "bitlk-togo-aes-xts-128.img")
                        for img in images:
                            if not img.endswith(".img"):
                                continue  # keys and the test's configuration
                            if a.quick and os.path.basename(img) not in quick_set:
                                os.remove(img)  # a quick run reads three of them (each is 100 MiB, sparse)
                                continue
                            container(img, f"BitLocker image (from {d}/{f})")
    if not corpora_dirs:
        print(f"  container: no BitLocker images under {a.corpora}")

    # 3d. Files of this machine.
    want = a.benign if a.benign is not None else (12000 if a.quick else 40000)
    system = system_files(random.Random(seed + 11), want, 256 * MiB)
    shutil.rmtree(dirs["scratch"])
    gen_bytes = sum(m["size"] for m in manifest if m["group"] != "container" or m["path"].startswith(work))
    t_gen = time.time()
    print(f"benign: {len(system)} files of this machine, "
          f"{sum(1 for m in manifest if m['group'] in ('variant', 'lookalike', 'plain'))} generated benign files, "
          f"{len(containers)} containers; generated {gen_bytes / 1e9:.2f} GB (apparent) in {t_gen - t0:.0f} s")

    if a.generate_only:
        counts = collections.Counter((m["format"], m["cls"]) for m in manifest if m["group"] == "plain")
        for f in sorted({k[0] for k in counts}):
            print(f"  {f:11}", "  ".join(f"{c} {counts[(f, c)]}" for c in CLASS_NAMES if counts[(f, c)]))
        with open(os.path.join(a.keep or work, "manifest.jsonl"), "w") as f:
            for m in manifest:
                f.write(json.dumps(m, ensure_ascii=False) + "\n")
        return

    # 4. The scans.
    events = os.path.join(work, "events.ndjson")
    cache = os.path.join(work, "rule-cache")
    os.makedirs(cache, exist_ok=True)
    crashed, panics = [], collections.Counter()
    with open(events, "wb") as out, open(os.path.join(work, "scan.err"), "wb") as err:
        scanner = Scanner(a.bin, cache, out, err, crashed, panics)
        t1 = time.time()
        # one run per folder, so that a run a panic stops is scanned again alone
        units = [dirs["plain"], dirs["benign"], cdir, *corpora_dirs]
        units += sorted(os.path.join(dirs["enc"], p, st) for p in os.listdir(dirs["enc"])
                        for st in os.listdir(os.path.join(dirs["enc"], p)))
        for u in units:
            scanner.scan([u], sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(u) for f in fs))
        t_scan1 = time.time() - t1
        t1 = time.time()
        for i in range(0, len(system), 2000):
            chunk = system[i:i + 2000]
            scanner.scan(chunk, sum(os.path.getsize(p) for p in chunk if os.path.exists(p)))
        t_scan2 = time.time() - t1
    print(f"scans: generated set {t_scan1:.0f} s ({gen_bytes / max(t_scan1, 0.01) / 1e6:.0f} MB/s), "
          f"files of this machine {t_scan2:.0f} s; {scanner.runs} runs of shodo")
    if crashed:
        print(f"SCAN CRASHED: a worker of shodo panicked on {len(crashed)} files (not scanned; after a panic the "
              f"scan can hang, so each run is watched and the files are scanned again in smaller runs):")
        for where, n in panics.most_common(5):
            print(f"  {n} x panicked at {where}")
        for p in crashed[:10]:
            print(f"  {p}")

    # 5. The measure.
    flagged, skipped = {}, {}
    said_container.clear()
    for line in open(events, "rb"):
        try:
            e = json.loads(line)
        except ValueError:
            continue
        p = os.path.abspath(e.get("path", ""))
        if e.get("event") == "encrypted":
            flagged[p] = e["assessment"]
        elif e.get("event") == "container":
            said_container[p] = e.get("format", "")
        elif e.get("event") == "skip":
            skipped[p] = f"{e.get('reason')} {e.get('detail', '')}".strip()
    for p in crashed:
        skipped.setdefault(p, "crashed (worker panic)")
    report(manifest, system, flagged, skipped, containers, run_ext, fixed_ext)
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
        with open(os.path.join(a.keep, "manifest.jsonl"), "w") as f:
            for m in manifest:
                f.write(json.dumps(m, ensure_ascii=False) + "\n")
        shutil.copy(events, os.path.join(a.keep, "events.ndjson"))
        print(f"manifest and events kept in {a.keep}")
    else:
        with open(os.path.join(work, "manifest.jsonl"), "w") as f:
            for m in manifest:
                f.write(json.dumps(m, ensure_ascii=False) + "\n")
    print(f"elapsed: {time.time() - t0:.0f} s (generation {t_gen - t0:.0f} s, scans {t_scan1 + t_scan2:.0f} s)")


def pct(n, d):
    return f"{100 * n / d:5.1f}" if d else "    -"


def report(manifest, system, flagged, skipped, containers, run_ext, fixed_ext):
    enc = [m for m in manifest if m["encrypted"]]
    for m in enc:
        m["hit"] = m["path"] in flagged
    print(f"\n== detection of encrypted files: {sum(m['hit'] for m in enc)}/{len(enc)} "
          f"({pct(sum(m['hit'] for m in enc), len(enc)).strip()} %)")
    w = 14
    print("pattern".ljust(15) + "".join(c.rjust(w) for c in CLASS_NAMES) + "  |" + "<4K".rjust(w) + ">=4K".rjust(w))
    missed_goals = []
    for pattern in PATTERNS:
        row = [m for m in enc if m["pattern"] == pattern]
        cells = []
        for c in CLASS_NAMES:
            sel = [m for m in row if m["cls"] == c]
            hit = sum(m["hit"] for m in sel)
            cells.append(f"{hit}/{len(sel)} {pct(hit, len(sel)).strip()}".rjust(w) if sel else "-".rjust(w))
        small = [m for m in row if m["size"] < 4 * KiB]
        large = [m for m in row if m["size"] >= 4 * KiB]
        hs, hl = sum(m["hit"] for m in small), sum(m["hit"] for m in large)
        print(pattern.ljust(15) + "".join(cells) + "  |" + f"{pct(hs, len(small))} %".rjust(w) + f"{pct(hl, len(large))} %".rjust(w))
        if small and hs / len(small) < 0.90:
            missed_goals.append(f"GOAL MISSED: {pattern}: {hs}/{len(small)} encrypted files below 4 KiB detected "
                                f"({pct(hs, len(small)).strip()} %, goal >= 90 %)")
        if large and hl / len(large) < 0.98:
            missed_goals.append(f"GOAL MISSED: {pattern}: {hl}/{len(large)} encrypted files of 4 KiB or more detected "
                                f"({pct(hl, len(large)).strip()} %, goal >= 98 %)")

    # incident_extension: the file is marked because 3 or more files of the same run lost their
    # format under its appended extension (each pattern/style folder is its own run here).
    alone = lambda m: m["hit"] and flagged[m["path"]]["reasons"] != ["incident_extension"]
    print("\nby the file alone (without incident_extension, the mark an extension gets from its siblings):")
    print("pattern".ljust(15) + "<4K".rjust(w) + ">=4K".rjust(w) + "   appended >=4K".rjust(18) + "in place >=4K".rjust(16))
    for pattern in PATTERNS:
        row = [m for m in enc if m["pattern"] == pattern]
        cols = [[m for m in row if m["size"] < 4 * KiB], [m for m in row if m["size"] >= 4 * KiB],
                [m for m in row if m["size"] >= 4 * KiB and m["style"] != "inplace"],
                [m for m in row if m["size"] >= 4 * KiB and m["style"] == "inplace"]]
        print(pattern.ljust(15) + "".join(f"{pct(sum(map(alone, c)), len(c))} %".rjust(x)
                                          for c, x in zip(cols, (w, w, 18, 16))))

    print("\nby name style (<4K / >=4K):")
    for style, label in (("run", f"name.ext.{run_ext} (this run's extension)"), ("fixed", f"name.ext.{fixed_ext} (fixed)"),
                         ("inplace", "name.ext (in place, no extension)")):
        sel = [m for m in enc if m["style"] == style]
        s = [m for m in sel if m["size"] < 4 * KiB]
        l_ = [m for m in sel if m["size"] >= 4 * KiB]
        print(f"  {label:45} {sum(m['hit'] for m in s)}/{len(s)} ({pct(sum(m['hit'] for m in s), len(s)).strip()} %)   "
              f"{sum(m['hit'] for m in l_)}/{len(l_)} ({pct(sum(m['hit'] for m in l_), len(l_)).strip()} %)")

    print("\nby format: detected/encrypted, and the patterns with misses (misses/files)")
    for f in sorted({m["format"] for m in enc}):
        sel = [m for m in enc if m["format"] == f]
        hit = sum(m["hit"] for m in sel)
        miss = collections.Counter(m["pattern"] for m in sel if not m["hit"])
        tot = collections.Counter(m["pattern"] for m in sel)
        detail = ", ".join(f"{p} {miss[p]}/{tot[p]}" for p in PATTERNS if miss[p])
        print(f"  {f:11} {hit:5}/{len(sel):<5} {pct(hit, len(sel))} %  {detail}")

    print("\nreasons given for the encrypted files found (per pattern, most common first):")
    for pattern in PATTERNS:
        c = collections.Counter("+".join(flagged[m["path"]]["reasons"]) for m in enc if m["pattern"] == pattern and m["hit"])
        inter = sum(1 for m in enc if m["pattern"] == pattern and m["hit"] and flagged[m["path"]].get("intermittent"))
        print(f"  {pattern:15} " + ", ".join(f"{k} {v}" for k, v in c.most_common(4)) + f"; intermittent {inter}")

    sk = [m for m in enc if m["path"] in skipped]
    if sk:
        print(f"\nencrypted files the scan skipped: {len(sk)}")
        for m in sk[:10]:
            print(f"  {m['path']}: {skipped[m['path']]}")

    # False alarms: the benign set (this machine, the generated look-alikes, the plaintexts).
    benign = [(m["path"], m["group"], m["format"]) for m in manifest if m["group"] in ("plain", "variant", "lookalike")]
    benign += [(p, "system", "") for p in system]
    alarms = [(p, g, f) for p, g, f in benign if p in flagged]
    by_group = collections.Counter(g for _, g, _ in benign)
    print(f"\n== false alarms on the benign set: {len(alarms)}/{len(benign)} (goal 0): "
          + ", ".join(f"{g} {sum(1 for _, g2, _ in alarms if g2 == g)}/{n}" for g, n in by_group.items()))
    if alarms:
        kinds = collections.Counter((os.path.basename(p).rsplit(".", 1)[-1] if "." in os.path.basename(p) else "(none)",
                                     "+".join(flagged[p]["reasons"])) for p, _, _ in alarms)
        print("  by extension and reasons: " + ", ".join(f".{e} {r} {n}" for (e, r), n in kinds.most_common(12)))
    for p, g, f in alarms[:30]:
        a = flagged[p]
        why = "+".join(a["reasons"]) + (f" format={a['format']}" if a.get("format") else "") \
            + (f" ext={a['extension']}" if a.get("extension") else "") + (" intermittent" if a.get("intermittent") else "")
        print(f"  [{g}{' ' + f if f else ''}] {p}: {why}")
    if alarms:
        missed_goals.append(f"GOAL MISSED: {len(alarms)} false alarms on {len(benign)} benign files (goal 0)")
    bsk = sum(1 for p, _, _ in benign if p in skipped)
    if bsk:
        print(f"  ({bsk} benign files skipped by the scan: "
              + ", ".join(f"{k} {v}" for k, v in collections.Counter(skipped[p].split()[0] for p, _, _ in benign
                                                                     if p in skipped).most_common()) + ")")

    print("\n== encrypted containers (should be an \"encrypted container\", not ransomware):")
    fmt = {m["path"]: m["format"] for m in manifest}
    for p in containers:
        a = flagged.get(p)
        verdict = ("flagged encrypted: " + "+".join(a["reasons"])) if a else \
            ("encrypted container: " + said_container[p]) if p in said_container else \
            ("skipped: " + skipped[p]) if p in skipped else "not flagged"
        print(f"  {fmt.get(p, ''):45} {os.path.basename(p)[:40]:40} {os.path.getsize(p):>10} B  {verdict}")
    print()
    for g in missed_goals:
        print(g)
    if not missed_goals:
        print("all goals met")


if __name__ == "__main__":
    main()
