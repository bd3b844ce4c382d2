//! Facts of executables (goblin): PE and ELF type, architecture, compile time, imports that
//! matter for ransomware (crypto, shadow copies, services, Restart Manager, network), section
//! entropy and packer hints, Authenticode table, .NET; ELF interpreter and needed libraries.
//! Nothing is executed; a malformed file becomes a finding, never a crash.

use serde::Serialize;

/// Imports worth a responder's attention, by what they are used for.
const INTERESTING: [(&str, &[&str]); 6] = [
    (
        "crypto",
        &[
            "CryptEncrypt",
            "CryptGenKey",
            "CryptImportKey",
            "CryptAcquireContextW",
            "BCryptEncrypt",
            "BCryptGenerateSymmetricKey",
            "BCryptGenRandom",
        ],
    ),
    ("shadow_copy", &["CreateVssBackupComponents", "CreateVssBackupComponentsInternal"]),
    (
        "service_control",
        &["OpenSCManagerW", "OpenSCManagerA", "ControlService", "ChangeServiceConfigW", "DeleteService"],
    ),
    ("restart_manager", &["RmStartSession", "RmRegisterResources", "RmGetList", "RmShutdown"]),
    (
        "network",
        &[
            "WSAStartup",
            "InternetOpenW",
            "InternetOpenA",
            "WinHttpOpen",
            "URLDownloadToFileW",
            "NetShareEnum",
            "WNetOpenEnumW",
        ],
    ),
    ("injection", &["CreateRemoteThread", "VirtualAllocEx", "WriteProcessMemory", "NtUnmapViewOfSection"]),
];

/// Section names left by common packers.
const PACKERS: [(&str, &str); 8] = [
    ("UPX0", "UPX"),
    ("UPX1", "UPX"),
    (".aspack", "ASPack"),
    (".themida", "Themida"),
    (".vmp0", "VMProtect"),
    (".MPRESS1", "MPRESS"),
    (".petite", "Petite"),
    (".enigma1", "Enigma"),
];

/// One section.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Section {
    /// Name.
    pub name: String,
    /// Raw size.
    pub size: u64,
    /// Shannon entropy of its raw bytes.
    pub entropy: f64,
}

/// What an executable says about itself.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ExeFacts {
    /// `pe` or `elf`.
    pub format: &'static str,
    /// Machine (`x86_64`, `i386`, `aarch64` …).
    pub arch: String,
    /// 64-bit.
    pub is_64: bool,
    /// A library (DLL / shared object).
    pub library: bool,
    /// PE compile timestamp (UTC; forgeable, but often telling).
    pub compiled: Option<String>,
    /// The PE has an Authenticode certificate table (present, not verified).
    pub signature_table: bool,
    /// .NET assembly.
    pub dotnet: bool,
    /// Interesting imports, by purpose (`crypto: BCryptEncrypt` …).
    pub imports_of_interest: Vec<String>,
    /// Sections with entropy.
    pub sections: Vec<Section>,
    /// Packer hints (section names, high-entropy executable sections).
    pub packer_hints: Vec<String>,
    /// ELF interpreter.
    pub interpreter: Option<String>,
    /// ELF needed libraries.
    pub needed: Vec<String>,
}

/// Facts of `data` if it is an executable: `None` when it is not one, `Some(Err)` when it
/// claims to be one but cannot be parsed.
pub fn facts(data: &[u8]) -> Option<Result<ExeFacts, ExeError>> {
    let format = if data.starts_with(b"MZ") {
        ExeFormat::Pe
    } else if data.starts_with(b"\x7fELF") {
        ExeFormat::Elf
    } else {
        return None;
    };
    let parsed = std::panic::catch_unwind(|| match format {
        ExeFormat::Pe => pe(data),
        ExeFormat::Elf => elf(data),
    });
    Some(parsed.unwrap_or(Err(ExeError::ParserFailed { format })))
}

/// The executable formats shodo reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExeFormat {
    /// Windows PE (`MZ`).
    Pe,
    /// ELF.
    Elf,
}

/// Why a file that claims to be an executable cannot be read as one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExeError {
    /// Its structure is broken, as the parser words it.
    #[error("{why}")]
    Malformed { format: ExeFormat, why: String },
    /// The parser itself failed on it (a defect met on hostile input, contained).
    #[error("the parser failed on this file")]
    ParserFailed { format: ExeFormat },
}

fn pe(data: &[u8]) -> Result<ExeFacts, ExeError> {
    let pe =
        goblin::pe::PE::parse(data).map_err(|e| ExeError::Malformed { format: ExeFormat::Pe, why: e.to_string() })?;
    let coff = &pe.header.coff_header;
    let dirs = pe.header.optional_header.as_ref().map(|o| &o.data_directories);
    let imports: Vec<String> = INTERESTING
        .iter()
        .flat_map(|(why, names)| {
            pe.imports.iter().filter(|i| names.contains(&i.name.as_ref())).map(move |i| format!("{why}: {}", i.name))
        })
        .collect();
    let sections: Vec<Section> = pe
        .sections
        .iter()
        .map(|s| {
            let start = s.pointer_to_raw_data as usize;
            let end = start.saturating_add(s.size_of_raw_data as usize).min(data.len());
            let bytes = data.get(start.min(end)..end).unwrap_or_default();
            Section {
                name: s.name().unwrap_or("?").to_string(),
                size: u64::from(s.size_of_raw_data),
                entropy: entropy(bytes),
            }
        })
        .collect();
    let mut hints: Vec<String> =
        PACKERS.iter().filter(|(n, _)| sections.iter().any(|s| s.name == *n)).map(|(_, p)| p.to_string()).collect();
    let exec = |s: &goblin::pe::section_table::SectionTable| s.characteristics & 0x2000_0000 != 0;
    for (s, facts) in pe.sections.iter().zip(&sections) {
        if exec(s) && facts.entropy > 7.2 {
            hints.push(format!("high-entropy code section {} ({:.2})", facts.name, facts.entropy));
        }
    }
    hints.dedup();
    Ok(ExeFacts {
        format: "pe",
        arch: pe_machine(coff.machine),
        is_64: pe.is_64,
        library: pe.is_lib,
        compiled: chrono::DateTime::from_timestamp(i64::from(coff.time_date_stamp), 0).map(crate::clock::utc_string),
        signature_table: dirs.and_then(|d| d.get_certificate_table()).is_some(),
        dotnet: dirs.and_then(|d| d.get_clr_runtime_header()).is_some(),
        imports_of_interest: imports,
        sections,
        packer_hints: hints,
        interpreter: None,
        needed: Vec::new(),
    })
}

fn pe_machine(m: u16) -> String {
    match m {
        0x8664 => "x86_64".into(),
        0x14c => "i386".into(),
        0xaa64 => "aarch64".into(),
        0x1c4 => "arm".into(),
        other => format!("0x{other:04x}"),
    }
}

fn elf(data: &[u8]) -> Result<ExeFacts, ExeError> {
    let elf = goblin::elf::Elf::parse(data)
        .map_err(|e| ExeError::Malformed { format: ExeFormat::Elf, why: e.to_string() })?;
    let sections = elf
        .section_headers
        .iter()
        .filter(|s| s.sh_type != goblin::elf::section_header::SHT_NOBITS && s.sh_size > 0)
        .map(|s| {
            let start = (s.sh_offset as usize).min(data.len());
            let end = start.saturating_add(s.sh_size as usize).min(data.len());
            let name = elf.shdr_strtab.get_at(s.sh_name).unwrap_or("?").to_string();
            Section { name, size: s.sh_size, entropy: entropy(&data[start..end]) }
        })
        .collect();
    Ok(ExeFacts {
        format: "elf",
        arch: goblin::elf::header::machine_to_str(elf.header.e_machine).to_lowercase(),
        is_64: elf.is_64,
        library: elf.header.e_type == goblin::elf::header::ET_DYN && elf.interpreter.is_none(),
        compiled: None,
        signature_table: false,
        dotnet: false,
        imports_of_interest: Vec::new(),
        sections,
        packer_hints: Vec::new(),
        interpreter: elf.interpreter.map(str::to_string),
        needed: elf.libraries.iter().map(|l| l.to_string()).collect(),
    })
}

/// Shannon entropy in bits per byte.
pub fn entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let counts = crate::formats::bytes::histogram(bytes);
    let n = bytes.len() as f64;
    counts.iter().filter(|&&c| c > 0).map(|&c| c as f64 / n).map(|p| -p * p.log2()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_an_executable() {
        assert!(facts(b"hello").is_none());
    }

    #[test]
    fn truncated_pe_is_a_finding_not_a_crash() {
        let mut data = b"MZ".to_vec();
        data.resize(64, 0);
        data[0x3c] = 0xF0; // e_lfanew past the end
        assert!(matches!(facts(&data), Some(Err(_))));
        assert!(matches!(facts(b"\x7fELF\x02\x01"), Some(Err(_))));
    }
}
