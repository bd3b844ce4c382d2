use super::*;

/// Notes as families write them, one per language, each with the phrases of that language only
/// (and the ID and contact points notes carry).
const NOTES: &[(&str, &str)] = &[
    (
        "ru",
        "Внимание! Все ваши файлы зашифрованы.\nЧтобы расшифровать их, напишите нам на почту и оплатите выкуп.\nНе пытайтесь восстановить файлы сами.",
    ),
    ("zh-Hans", "您的所有文件已被加密！\n如需解密，请联系我们并支付比特币。\n不要尝试使用第三方软件恢复。"),
    ("zh-Hant", "您的所有檔案已被加密！\n如需解密，請聯繫我們並支付贖金。\n請勿嘗試自行還原。"),
    (
        "ko",
        "당신의 모든 파일이 암호화되었습니다.\n복호화를 원하시면 이메일로 연락하십시오.\n비트코인으로 지불해야 합니다.",
    ),
    (
        "es",
        "¡Todos sus archivos han sido cifrados!\nPara descifrar sus archivos, escríbanos y realice el pago del rescate.\nNo intente modificar los archivos.",
    ),
    (
        "pt",
        "Todos os seus arquivos foram criptografados.\nPara descriptografar, entre em contato e faça o pagamento do resgate.\nNão tente renomear os arquivos.",
    ),
    (
        "fr",
        "Tous vos fichiers ont été chiffrés !\nPour déchiffrer vos fichiers, contactez-nous. Le paiement se fait en bitcoin.\nN'essayez pas de les modifier.",
    ),
    (
        "de",
        "Alle Ihre Dateien wurden verschlüsselt.\nUm sie zu entschlüsseln, kontaktieren Sie uns. Die Zahlung erfolgt in Bitcoin.\nVersuchen Sie nicht, die Dateien umzubenennen.",
    ),
    (
        "it",
        "Tutti i tuoi file sono stati crittografati.\nPer decrittografare i file, contattaci ed effettua il pagamento del riscatto.\nNon tentare di modificarli.",
    ),
    (
        "tr",
        "Tüm dosyalarınız şifrelendi!\nŞifre çözme için bize yazın ve fidye ödemesi yapın.\nDosyaları değiştirmeyin.",
    ),
    ("ar", "تم تشفير جميع ملفاتك!\nلاستعادة ملفاتك تواصل معنا وادفع الفدية بالبيتكوين.\nلا تحاول فك التشفير بنفسك."),
    (
        "fa",
        "تمام فایل های شما رمزگذاری شده است.\nبرای رمزگشایی با ما تماس بگیرید و باج را پرداخت کنید.\nسعی نکنید فایل ها را تغییر دهید.",
    ),
    (
        "vi",
        "Tất cả các tập tin của bạn đã bị mã hóa!\nĐể giải mã, hãy liên hệ với chúng tôi và thanh toán tiền chuộc.\nĐừng cố khôi phục bằng phần mềm bên thứ ba.",
    ),
    (
        "ja",
        "あなたのファイルは暗号化されました。\n復号するにはメールで連絡し、ビットコインで支払ってください。\nファイルの名前を変更しないでください。",
    ),
    (
        "en",
        "All your files were encrypted by us.\nTo decrypt them write to us and pay in Monero.\nDo not rename the files.",
    ),
];

/// The legacy code page a language is written in on Windows, where it has one (Persian letters
/// such as ی are not all in Windows-1256: Persian notes come in Unicode).
fn legacy(code: &str) -> Option<&'static encoding_rs::Encoding> {
    Some(match code {
        "ru" => encoding_rs::WINDOWS_1251,
        "zh-Hans" => encoding_rs::GB18030,
        "zh-Hant" => encoding_rs::BIG5,
        "ko" => encoding_rs::EUC_KR,
        "ja" => encoding_rs::SHIFT_JIS,
        "es" | "pt" | "fr" | "de" | "it" | "en" => encoding_rs::WINDOWS_1252,
        "tr" => encoding_rs::WINDOWS_1254,
        "ar" => encoding_rs::WINDOWS_1256,
        _ => return None,
    })
}

fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
    let mut out = if bom { if le { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] } } else { Vec::new() };
    for u in text.encode_utf16() {
        out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

#[test]
fn the_bundled_phrases_load() {
    assert!(checked().unwrap() > 300);
    force_patterns();
}

#[test]
fn a_broken_phrase_file_is_refused_with_its_reason() {
    let good = DATA;
    for (from, to, why) in [
        ("code = \"ru\"", "code = \"en\"", "twice"),
        ("encrypted = [\"зашифрованы\"", "encrypted = [\"Зашифрованы\"", "lower case"),
        ("[shape.key_block]", "[shape.other]", "no [shape.key_block]"),
        ("leak = [\"опубликуем\"", "lek = [\"опубликуем\"", "lek"),
    ] {
        assert!(good.contains(from), "{from}");
        let e = load(&good.replacen(from, to, 1)).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains(why) && e.contains(SOURCE), "{why}: {e}");
    }
}

#[test]
fn notes_in_every_language_and_encoding_are_read() {
    let mut missed = Vec::new();
    for &(code, note) in NOTES {
        let mut forms: Vec<(String, Vec<u8>)> = vec![
            ("UTF-8".into(), note.as_bytes().to_vec()),
            ("UTF-8 BOM".into(), [b"\xEF\xBB\xBF", note.as_bytes()].concat()),
            ("UTF-16LE BOM".into(), utf16(note, true, true)),
            ("UTF-16BE BOM".into(), utf16(note, false, true)),
        ];
        if let Some(e) = legacy(code) {
            let (bytes, _, unmappable) = e.encode(note);
            assert!(!unmappable, "{code} in {}", e.name());
            forms.push((e.name().into(), bytes.into_owned()));
        }
        for (form, bytes) in forms {
            match judge(&bytes) {
                Some(n) if n.shape == "phrases" && n.language.as_deref() == Some(code) => {}
                other => missed.push(format!("{code} {form}: {other:?}")),
            }
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

#[test]
fn the_encoding_and_language_are_told() {
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(NOTES[0].1);
    let n = judge(&bytes).unwrap();
    assert_eq!((n.encoding, n.language.as_deref()), ("windows-1251", Some("ru")));
    assert!(n.signals.contains(&"encrypted") && n.signals.contains(&"pay"), "{:?}", n.signals);
    let (ja, en) = n.description();
    assert!(ja.contains("ロシア語") && en.contains("Russian"), "{ja} / {en}");
}

#[test]
fn html_hta_and_rtf_notes_are_read_as_they_show() {
    let html = "<html><head><title>x</title><style>body{background:#000}</style></head><body>\
                <h1>Vos fichiers ont &eacute;t&eacute; <b>chiffr&#233;s</b></h1>\
                <p>Pour d&eacute;chiffrer, contactez-nous&nbsp;: le paiement se fait en bitcoin.</p></body></html>";
    let n = judge(html.as_bytes()).unwrap();
    assert_eq!((n.markup, n.language.as_deref()), (Some("html"), Some("fr")), "{n:?}");
    let hta = "<HTA:APPLICATION ID=\"x\"/><html><body><div>Все ваши файлы <i>зашифрованы</i>. \
               Для расшифровки напишите нам, оплата в биткоин.</div><script>window.resizeTo(800,600)</script></body></html>";
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(hta);
    assert_eq!(judge(&bytes).unwrap().language.as_deref(), Some("ru"));
    let rtf = b"{\\rtf1\\ansi\\ansicpg1251{\\fonttbl{\\f0 Arial;}}\\f0 \\'c2\\'e0\\'f8\\'e8 \\'f4\\'e0\\'e9\\'eb\\'fb \
                \\'e7\\'e0\\'f8\\'e8\\'f4\\'f0\\'ee\\'e2\\'e0\\'ed\\'fb\\par \\u1088?\\u1072?\\u1089?\\u1096?\\u1080?\\u1092?\\u1088?\\u1086?\\u1074?\\u1082?\\u1072? \
                bitcoin\\par}";
    let n = judge(rtf).unwrap();
    assert_eq!((n.markup, n.language.as_deref()), (Some("rtf"), Some("ru")), "{n:?}");
}

#[test]
fn contact_only_and_key_block_notes_are_read_by_their_shape() {
    let session = format!("05{}", "a1".repeat(32));
    for note in [
        "YOUR ID: 8F3A2C1D9E\nEmail: restorefiles@onionmail.org".to_string(),
        "[ID-5F1B2E3A4C]\nTelegram: @file_recovery_team".to_string(),
        format!("ID 3e5b7a9c11f0\nSession: {session}"),
        format!("personal id: 1a2b3c4d5e6f7a8b\nqTox: {}", "A1B2".repeat(19)),
    ] {
        let n = judge(note.as_bytes()).unwrap_or_else(|| panic!("{note}"));
        assert_eq!(n.shape, "contact", "{note}");
        assert!(n.signals.contains(&"id") && n.signals.contains(&"attacker_contact"));
    }
    let block: String = (0..8).map(|i| format!("{}\n", "QmFzZTY0S2V5QmxvY2s".repeat(3 + i % 2))).collect();
    let note = format!("---KEY---\n{block}---END KEY---\nSend this to decryptor@tuta.io");
    assert_eq!(judge(note.as_bytes()).unwrap().shape, "key_block");
}

#[test]
fn ordinary_documents_are_not_notes() {
    let block: String = (0..8).map(|_| format!("{}\n", "QmFzZTY0S2V5QmxvY2s".repeat(3))).collect();
    for doc in [
        // Documentation of encryption tools, in several languages.
        "Les fichiers sont chiffrés avec la clé publique du destinataire. Pour déchiffrer, utilisez gpg --decrypt. \
         Contactez l'administrateur en cas de problème."
            .to_string(),
        "Файлы зашифрованы алгоритмом AES-256. Чтобы расшифровать архив, введите пароль. Подробности на сайте."
            .to_string(),
        "备份文件已加密。如需恢复，请使用管理工具。联系管理员获取密钥。".to_string(),
        "The files are encrypted with AES. To decrypt, run the tool with your password; contact support@example.com."
            .to_string(),
        // A mail with an attachment, an SSH key, a certificate: blocks and addresses, no notes.
        format!("From: a@proton.me\nContent-Transfer-Encoding: base64\n\n{block}"),
        format!("ssh-ed25519 {} admin@proton.me", "A".repeat(300)),
        format!("-----BEGIN CERTIFICATE-----\n{block}-----END CERTIFICATE-----\nissuer: ca@proton.me"),
        // An ID and an ordinary address in a configuration file.
        "id: 4f3e2d1c0b\nowner = admin@hospital.example.jp".to_string(),
        "患者ID: 00012345\n連絡先メール: info@hospital.example.jp".to_string(),
    ] {
        assert_eq!(judge(doc.as_bytes()), None, "{doc}");
    }
    assert_eq!(judge(&[0u8; 1000]), None);
    assert_eq!(judge(&vec![b'a'; MAX_NOTE_BYTES + 1]), None);
}

#[test]
fn short_notes_say_little_beside_a_contact_point() {
    let dharma_like: Vec<u8> = "all your data has been locked us\r\nYou want to return?\r\nwrite email restore@aol.com"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    for (what, note) in [
        (
            "one line and an anonymous mailbox",
            b"All your data have been encrypted!\r\nWrite me: recover@cock.li".to_vec(),
        ),
        ("a redacted messenger handle", b"Message us for decrypt!\r\nSession: getsession.org xxxx".to_vec()),
        ("two anonymous mailboxes", b"Send an email to one@tutamail.com or two@proton.me".to_vec()),
        ("UTF-16 without a mark", dharma_like),
        (
            "an ordinary mailbox and an ID",
            b"Your files are encrypted.\nYour ID 5612\nwrite to the mail back@mail.example".to_vec(),
        ),
    ] {
        let shape = judge(&note).map(|n| n.shape);
        assert!(matches!(shape, Some("contact" | "phrases")), "{what}: {shape:?}");
    }
    for benign in [
        "To decrypt the archive, contact us at support@vendor.example",
        "Telegram: @hospital_it_desk",
        "Session timed out. Please contact the administrator: admin@hospital.example.jp",
    ] {
        assert_eq!(judge(benign.as_bytes()), None, "{benign}");
    }
}

#[test]
fn latin_words_written_with_cyrillic_look_alikes_are_read_in_latin() {
    // о, і, а, е, с below are Cyrillic.
    let note = "Yоur fіles hаve bееn encrypted!\nTо dе\u{441}rypt them pay in bitcoin and write to us: x@example.org";
    let n = judge(note.as_bytes()).unwrap();
    assert_eq!((n.shape, n.language.as_deref()), ("phrases", Some("en")));
    assert_eq!(fold_look_alikes("все ваши файлы".into()), "все ваши файлы");
}
