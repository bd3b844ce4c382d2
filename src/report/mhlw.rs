//! 厚生労働省への報告 (2018 notice 医政総発1029第1号 etc.: report promptly when care is disrupted
//! or personal data may have leaked). No official form exists; the fields follow what the notice
//! and the ministry's later guidance ask for (REGULATORY.md).

use super::doc::{Block, Doc};
use super::model::{Field, Incident};
use super::ppc;
use crate::lang::Lang;

fn or_unset(v: Option<String>, lang: Lang, fill: &str) -> String {
    v.filter(|v| !v.trim().is_empty()).unwrap_or_else(|| match lang {
        Lang::Ja => format!("[未確定] incident.toml の {fill} に記入"),
        Lang::En => format!("[undetermined] fill in {fill} in incident.toml"),
    })
}

fn field(f: &Field, lang: Lang) -> String {
    f.value.clone().unwrap_or_else(|| lang.pick("[未設定]", "[not set]").into())
}

/// The report as blocks.
pub fn doc(m: &Incident, lang: Lang) -> Doc {
    let t = |ja: &str, en: &str| lang.pick(ja, en).to_string();
    let mut d = Doc {
        title: t(
            "厚生労働省への報告（医療機関のサイバー攻撃被害）",
            "Report to the Ministry of Health, Labour and Welfare (cyber attack on a medical institution)",
        ),
        lang: lang.code(),
        blocks: Vec::new(),
    };
    let h = |k: &str| m.hospital.get(k).map(|f| field(f, lang)).unwrap_or_default();
    d.push(Block::List(vec![format!(
        "{}: {}",
        t("提出先", "Submit to"),
        m.desk(crate::config::ContactRole::Mhlw, lang)
    )]));
    d.push(Block::Heading(1, t("1. 医療機関情報", "1. Institution")));
    d.push(Block::Table(
        vec![t("項目", "Item"), t("内容", "Value")],
        vec![
            vec![t("名称", "Name"), h("name")],
            vec![t("開設者", "Founder"), h("founder")],
            vec![t("所在地", "Address"), h("address")],
            vec![t("管理者", "Administrator"), h("administrator")],
            vec![t("担当者（医療情報システム安全管理責任者）", "Contact (security officer)"), h("security_officer")],
            vec![t("連絡先", "Phone"), h("phone")],
        ],
    ));
    d.push(Block::Heading(1, t("2. 発生日時・覚知日時", "2. When")));
    d.push(Block::List(vec![
        format!("{}: {}", t("覚知日時", "Became aware"), field(&m.aware_at, lang)),
        format!(
            "{}: {}{}",
            t("発生日時（証拠からの推定）", "Occurred (estimated from evidence)"),
            field(&m.occurred_at, lang),
            if m.occurred_at.basis.is_empty() {
                String::new()
            } else {
                format!(" — {}", m.occurred_at.basis.join("; "))
            }
        ),
    ]));
    d.push(Block::Heading(1, t("3. 発生場所・影響範囲", "3. Where, and how far")));
    d.push(Block::Table(
        vec![
            t("端末", "Endpoint"),
            "OS".into(),
            t("IP アドレス", "IP addresses"),
            t("暗号化", "Encrypted"),
            t("脅迫文", "Notes"),
            t("隔離", "Isolation"),
        ],
        m.endpoints.iter().map(|e| endpoint_row(e, lang)).collect(),
    ));
    d.push(Block::Heading(1, t("4. 被害状況", "4. Damage")));
    let families = m.families();
    d.push(Block::List(vec![
        format!(
            "{}: {} / {}",
            t("暗号化されたファイル / 影響を受けた端末", "Encrypted files / affected endpoints"),
            m.encrypted_files(),
            m.affected().len()
        ),
        format!("{}: {}", t("脅迫文", "Ransom notes"), m.ransom_notes()),
        format!(
            "{}: {}",
            t("ランサムウェアの種類（推定）", "Family (estimated)"),
            if families.is_empty() { t("未確定", "undetermined") } else { families.join(", ") }
        ),
    ]));
    d.push(Block::Heading(1, t("5. 診療への影響", "5. Impact on care")));
    d.push(Block::Para(or_unset(m.input.care_impact.clone(), lang, "care_impact")));
    d.push(Block::Heading(1, t("6. 個人情報漏えいのおそれ", "6. Risk of a personal data leak")));
    let trig = ppc::triggers(m);
    d.push(Block::List(
        trig.iter()
            .filter(|x| x.applies == Some(true))
            .map(|x| format!("{}: {}", lang.pick(&x.title.0, &x.title.1), lang.pick(&x.why.0, &x.why.1)))
            .collect(),
    ));
    d.push(Block::Para(t(
        "個人情報保護委員会への漏えい等報告は別紙（ppc-sokuho / ppc-kakuho）",
        "The PPC breach report is attached separately (ppc-sokuho / ppc-kakuho)",
    )));
    d.push(Block::Heading(1, t("7. 攻撃経路（証拠に基づく推定）", "7. Way in (estimated from evidence)")));
    entry_blocks(&mut d, m, lang);
    d.push(Block::Heading(1, t("8. 対応状況", "8. Response so far")));
    let mut done: Vec<String> = m
        .endpoints
        .iter()
        .filter_map(|e| {
            let mode = e.isolation_mode.clone()?;
            let state =
                if e.isolated == Some(true) { t("隔離中", "isolated") } else { t("解除済み", "released") };
            Some(format!("{}: {state}（{mode}）", e.id))
        })
        .collect();
    done.extend(m.preserved.iter().filter(|p| p.files > 0).map(|p| match lang {
        Lang::Ja => format!("{}: 証拠保全 {} ファイル（SHA-256 付き、記録の連鎖に記載）", p.endpoint, p.files),
        Lang::En => {
            format!("{}: evidence preserved, {} files (with SHA-256, on the custody record)", p.endpoint, p.files)
        }
    }));
    done.extend(m.notes.iter().map(|n| format!("{}: {n}", t("記録", "note"))));
    if done.is_empty() {
        done.push(t(
            "[未確定] 隔離・証拠保全・連絡の記録はまだありません（連絡したことは shodo case note で記録）",
            "[undetermined] no isolation, preservation or contact on record yet (record calls with shodo case note)",
        ));
    }
    d.push(Block::List(done));
    d.push(Block::Heading(
        1,
        t("9. 復旧見込み（バックアップの検証結果）", "9. Recovery outlook (backup verification)"),
    ));
    d.push(Block::List(backup_lines(m, lang)));
    d.push(Block::Heading(1, t("10. 公表予定", "10. Public announcement")));
    d.push(Block::Para(or_unset(m.input.publication.clone(), lang, "publication")));
    d.push(Block::Heading(1, t("11. 再発防止策", "11. Measures against recurrence")));
    d.push(Block::Para(or_unset(m.input.measures.clone(), lang, "measures")));
    d
}

fn endpoint_row(e: &super::model::EndpointFacts, lang: Lang) -> Vec<String> {
    let isolation = match (e.isolated, &e.isolation_mode) {
        (Some(true), Some(m)) => format!("{} ({m})", lang.pick("隔離中", "isolated")),
        (Some(false), Some(m)) => format!("{} ({m})", lang.pick("解除済み", "released")),
        _ => lang.pick("なし", "none").into(),
    };
    vec![
        e.hostname.clone().map_or_else(|| e.id.clone(), |h| format!("{h} ({})", e.id)),
        e.os.clone().unwrap_or_else(|| "-".into()),
        if e.addresses.is_empty() { "-".into() } else { e.addresses.join(", ") },
        e.encrypted_files.to_string(),
        e.ransom_notes.to_string(),
        isolation,
    ]
}

/// The ways in found (connection points, logons from outside) as a table, or that none were.
pub(super) fn entry_blocks(d: &mut Doc, m: &Incident, lang: Lang) {
    if m.entry_points.is_empty() {
        d.push(Block::Warn(lang.pick("[未確定] 外部接続点・外部からのログオンは証拠から見つかっていません（解析 analyze の実施を確認）", "[undetermined] no external connection point or inbound logon found in the evidence (check that analyze ran)").into()));
        return;
    }
    d.push(Block::Table(
        vec![
            lang.pick("端末", "Endpoint").into(),
            lang.pick("種類", "Kind").into(),
            lang.pick("名前・アドレス", "Name / address").into(),
            lang.pick("日時", "Time").into(),
            lang.pick("根拠", "Evidence").into(),
        ],
        m.entry_points
            .iter()
            .map(|p| {
                vec![
                    p.endpoint.clone(),
                    p.kind.clone(),
                    p.name.clone(),
                    p.time.clone().unwrap_or_default(),
                    p.evidence.join("\n"),
                ]
            })
            .collect(),
    ));
}

fn backup_lines(m: &Incident, lang: Lang) -> Vec<String> {
    if m.backups.is_empty() {
        return vec![
            lang.pick(
                "[未確定] バックアップはまだ検証されていません（shodo backup verify）",
                "[undetermined] no backup verified yet (shodo backup verify)",
            )
            .into(),
        ];
    }
    m.backups
        .iter()
        .map(|b| {
            let clean = b.last_clean.clone().unwrap_or_else(|| lang.pick("なし", "none").into());
            match lang {
                Lang::Ja => format!(
                    "{}: 最後のクリーンな世代 {clean}{}",
                    b.medium,
                    b.first_bad.as_ref().map(|f| format!("、侵害の兆候がある最初の世代 {f}")).unwrap_or_default()
                ),
                Lang::En => format!(
                    "{}: last clean generation {clean}{}",
                    b.medium,
                    b.first_bad.as_ref().map(|f| format!(", first with signs of compromise {f}")).unwrap_or_default()
                ),
            }
        })
        .collect()
}
