// Ransom notes by content: generic phrasing in English and Japanese, in UTF-8 and UTF-16.
// Written for shodo; each rule carries meta in both languages.

rule shodo_ransom_note_en
{
    meta:
        description_ja = "身代金要求文（英語の定型表現）"
        description_en = "Ransom note (English phrasing)"
        severity = "high"
        category = "ransom_note"
        family = "generic"
        reference = "shodo"
    strings:
        $enc1 = "files have been encrypted" ascii wide nocase
        $enc2 = "files are encrypted" ascii wide nocase
        $enc3 = "been encrypted by" ascii wide nocase
        $enc4 = "your network has been" ascii wide nocase
        $enc5 = "data has been stolen" ascii wide nocase
        $enc6 = "have been encrypted and stolen" ascii wide nocase
        $dec1 = "decrypt" ascii wide nocase
        $dec2 = "decryption" ascii wide nocase
        $dec3 = "private key" ascii wide nocase
        $dec4 = "recover your files" ascii wide nocase
        $warn1 = "do not rename" ascii wide nocase
        $warn2 = "third-party software" ascii wide nocase
        $warn3 = "third party software" ascii wide nocase
        $warn4 = "do not try to" ascii wide nocase
        $warn5 = "do not modify" ascii wide nocase
        $pay1 = "bitcoin" ascii wide nocase
        $pay2 = "tor browser" ascii wide nocase
        $pay3 = ".onion" ascii wide nocase
        $pay4 = "monero" ascii wide nocase
        $pay5 = "leak" ascii wide nocase
    condition:
        filesize < 512KB and any of ($enc*) and (any of ($dec*) or any of ($pay*) or any of ($warn*))
}

rule shodo_ransom_note_ja
{
    meta:
        description_ja = "身代金要求文（日本語の定型表現）"
        description_en = "Ransom note (Japanese phrasing)"
        severity = "high"
        category = "ransom_note"
        family = "generic"
        reference = "shodo"
    strings:
        $enc1 = "暗号化されました"
        $enc2 = "暗号化されています"
        $enc3 = "ファイルは暗号化"
        $enc4 = "データを盗み"
        $enc5 = "データは盗まれ"
        $dec1 = "復号"
        $dec2 = "復元"
        $pay1 = "ビットコイン"
        $pay2 = "身代金"
        $pay3 = "Tor"
        $pay4 = "公開します"
        $warn1 = "名前を変更しない"
        $warn2 = "第三者"
        // UTF-16LE (Windows "Unicode" text): 暗号化, 復号, ビットコイン, 身代金
        $w_enc = { 97 66 F7 53 16 53 }
        $w_dec = { A9 5F F7 53 }
        $w_pay1 = { D3 30 C3 30 C8 30 B3 30 A4 30 F3 30 }
        $w_pay2 = { AB 8E E3 4E D1 91 }
    condition:
        filesize < 512KB and
        ((any of ($enc*) and (any of ($dec*) or any of ($pay*) or any of ($warn*))) or
         ($w_enc and ($w_dec or any of ($w_pay*))))
}

rule shodo_ransom_contact_points
{
    meta:
        description_ja = "身代金要求の連絡先（.onion v3、Tox ID）を含む文書"
        description_en = "Document with ransom contact points (.onion v3 address, Tox ID)"
        severity = "medium"
        category = "ioc"
        family = "generic"
        reference = "shodo"
    strings:
        $onion = /[a-z2-7]{56}\.onion/ ascii wide nocase
        $tox = /[^0-9A-Fa-f][0-9A-F]{76}[^0-9A-Fa-f]/ ascii wide
    condition:
        filesize < 2MB and any of them
}

rule shodo_ransom_note_scored
{
    meta:
        description_ja = "身代金要求文（脅迫・支払い・連絡方法の表現が複数）"
        description_en = "Ransom note (several extortion, payment and contact phrases)"
        severity = "high"
        category = "ransom_note"
        family = "generic"
        reference = "shodo"
        // Notes are short (324 real notes of 215 families: largest 27 KB); long technical
        // documents use the same words, so the scored rule looks at small files only.
    strings:
        $c1 = /(files|data|network|systems?|servers?|documents)( \w+){0,3} (ha(s|ve) been|were|was|are|is)( \w+){0,2} (encrypted|locked|stolen|compromised|breached|downloaded|exfiltrated)/ ascii wide nocase
        $c7 = /encrypted (all )?(of )?your (files|data|network|systems|servers|documents)/ ascii wide nocase
        $c2 = /decrypt(ion|or|ed)?/ ascii wide nocase
        $c3 = /exfiltrat(ed|ion)/ ascii wide nocase
        $c4 = "ransom" ascii wide nocase
        $c5 = /(publish|leak|release|sell)(ed|ing)? (it|them|your|all|the)/ ascii wide nocase
        $c6 = /[a-z2-7]{56}\.onion/ ascii wide nocase
        $p1 = "tor browser" ascii wide nocase
        $p2 = /\b(bitcoin|btc|monero|xmr)\b/ ascii wide nocase
        $p3 = /do(n'?t| not|n’t) (try to |attempt to )?(rename|modify|delete|change|use|contact|turn off|reboot|touch|interrupt|stop)/ ascii wide nocase
        $p4 = /third[- ]part(y|ies)/ ascii wide nocase
        $p5 = /(private|unique|secret) key/ ascii wide nocase
        $p6 = /(restore|recover|get back) (all )?(your|the) (files|data)/ ascii wide nocase
        $p7 = /(contact|write to|reach)( with)? us/ ascii wide nocase
        $p8 = /(test|free) decrypt/ ascii wide nocase
        $p9 = /(personal|your|victim|company|unique) (id|key|code|token|identificator|identifier)\b/ ascii wide nocase
        $p10 = /\b(qtox|tox id|tox chat|session messenger|jabber|telegram)\b/ ascii wide nocase
        $p11 = /(deadline|within \d+ (hours|days)|price will|double)/ ascii wide nocase
        $p12 = /(negotiat|payment|pay us|pay the)/ ascii wide nocase
        $p13 = /(breach|breached|hacked|compromised|attacked)/ ascii wide nocase
        $p14 = /(data recovery|recovery compan|law enforcement|police|fbi)/ ascii wide nocase
        $p15 = /\.onion\b/ ascii wide nocase
        $p16 = /\b(use tor|tor network|tor site|tor link)\b/ ascii wide nocase
    condition:
        filesize < 64KB and (
            (2 of ($c*) and 2 of ($p*)) or
            (1 of ($c*) and 4 of ($p*))
        )
}
