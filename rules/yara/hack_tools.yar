// Tools ransomware operators bring: credential dumpers, AD reconnaissance, remote execution,
// exfiltration configurations.

rule shodo_credential_dumper
{
    meta:
        description_ja = "認証情報の窃取ツール（mimikatz 等）"
        description_en = "Credential dumper (mimikatz and the like)"
        severity = "high"
        category = "hack_tool"
        family = "mimikatz"
        reference = "MITRE ATT&CK T1003"
    strings:
        $a = "sekurlsa::logonpasswords" ascii wide nocase
        $b = "lsadump::sam" ascii wide nocase
        $c = "lsadump::dcsync" ascii wide nocase
        $d = "privilege::debug" ascii wide nocase
        $e = "gentilkiwi" ascii wide
    condition:
        2 of them
}

rule shodo_ad_recon_adfind
{
    meta:
        description_ja = "Active Directory の偵察ツール AdFind"
        description_en = "AdFind Active Directory reconnaissance"
        severity = "medium"
        category = "hack_tool"
        family = "adfind"
        reference = "MITRE ATT&CK T1087.002"
    strings:
        $a = "AdFind" ascii wide
        $b = "joeware" ascii wide nocase
        $c = "-f \"(objectcategory=computer)\"" ascii wide nocase
        $d = "objectcategory=person" ascii wide nocase
    condition:
        ($a and $b) or ($a and ($c or $d))
}

rule shodo_remote_execution_service
{
    meta:
        description_ja = "遠隔実行ツール（PsExec 系）"
        description_en = "Remote execution tool (PsExec-like)"
        severity = "medium"
        category = "hack_tool"
        family = "psexec"
        reference = "MITRE ATT&CK T1569.002"
    strings:
        $a = "PSEXESVC" ascii wide
        $b = "PAExec" ascii wide
        $c = "RemComSvc" ascii wide
    condition:
        any of them
}

rule shodo_exfiltration_rclone_config
{
    meta:
        description_ja = "データ持ち出し用の rclone 設定（MEGA、クラウドストレージ）"
        description_en = "rclone configuration for exfiltration (MEGA, cloud storage)"
        severity = "high"
        category = "exfiltration"
        family = "rclone"
        reference = "MITRE ATT&CK T1567.002"
    strings:
        $sec = /\[[^\]\r\n]{1,64}\]/
        $t1 = /type\s*=\s*(mega|s3|ftp|sftp|pcloud|dropbox|drive|onedrive|webdav|b2)\b/
        $u = /(user|pass|access_key_id|secret_access_key)\s*=/
    condition:
        filesize < 64KB and $sec and $t1 and $u
}

rule shodo_beacon_cobalt_strike
{
    meta:
        description_ja = "Cobalt Strike のビーコン（設定ブロックまたは特徴的な文字列）"
        description_en = "Cobalt Strike beacon (configuration block or its characteristic strings)"
        severity = "critical"
        category = "hack_tool"
        family = "cobaltstrike"
        reference = "MITRE ATT&CK S0154"
    strings:
        // The configuration starts with setting 1 (protocol, short) and 2 (port, short):
        // 00 01 00 01 00 02 .. .. 00 02 00 01 00 02 .. .. — stored plain, or XORed with 0x69
        // (version 3) or 0x2e (version 4). The plain layout also occurs in ordinary binaries'
        // tables, so alone it is not enough.
        $cfg_plain = { 00 01 00 01 00 02 ?? ?? 00 02 00 01 00 02 ?? ?? }
        $cfg_69 = { 69 68 69 68 69 6B ?? ?? 69 6B 69 68 69 6B ?? ?? }
        $cfg_2e = { 2E 2F 2E 2F 2E 2C ?? ?? 2E 2C 2E 2F 2E 2C ?? ?? }
        $s1 = "%s as %s\\%s: %d" ascii
        $s2 = "beacon.dll" ascii
        $s3 = "beacon.x64.dll" ascii
        $s4 = "could not spawn %s: %d" ascii
        $s5 = "IEX (New-Object Net.Webclient).DownloadString('http://127.0.0.1:%u/')" ascii
        $s6 = "%02d/%02d/%02d %02d:%02d:%02d" ascii
        $s7 = "ReflectiveLoader" ascii
        $p1 = "\\\\.\\pipe\\MSSE-%d-server" ascii
        $p2 = "%c%c%c%c%c%c%c%c%cMSSE-%d-server" ascii
        $p3 = "\\\\%s\\pipe\\msagent_%x" ascii
    condition:
        $cfg_69 or $cfg_2e or ($cfg_plain and any of ($s*)) or any of ($p*) or 3 of ($s*)
}

rule shodo_c2_implant_generic
{
    meta:
        description_ja = "攻撃用 C2 フレームワークのインプラント（Sliver、Meterpreter、Brute Ratel、Havoc）"
        description_en = "Implant of an attack C2 framework (Sliver, Meterpreter, Brute Ratel, Havoc)"
        severity = "critical"
        category = "hack_tool"
        family = "c2_implant"
        reference = "MITRE ATT&CK TA0011"
    strings:
        $sliver1 = "github.com/bishopfox/sliver" ascii
        $sliver2 = "sliverpb" ascii
        $met1 = "metsrv.dll" ascii wide
        $met2 = "stdapi_sys_process_execute" ascii wide
        $met3 = "core_channel_open" ascii wide
        $brc1 = "BRc4" ascii wide
        $brc2 = "badger_" ascii wide
        $havoc1 = "demon.x64.dll" ascii wide
        $havoc2 = "HavocFramework" ascii wide nocase
    condition:
        $sliver1 or $sliver2 or 2 of ($met*) or all of ($brc*) or any of ($havoc*)
}

rule shodo_network_scanner
{
    meta:
        description_ja = "ネットワークスキャナ（侵入後の探索に多用される）"
        description_en = "Network scanner (often used for discovery after intrusion)"
        severity = "medium"
        category = "hack_tool"
        family = "network_scanner"
        reference = "MITRE ATT&CK T1046"
    strings:
        $adv1 = "Advanced IP Scanner" ascii wide
        $adv2 = "Famatech" ascii wide
        $sp1 = "SoftPerfect Network Scanner" ascii wide
        $sp2 = "softperfect.com" ascii wide nocase
        $ang1 = "Angry IP Scanner" ascii wide
        $ang2 = "angryip.org" ascii wide nocase
        $nmap1 = "https://nmap.org" ascii wide
        $nmap2 = "Nmap scan report for" ascii wide
        $masscan = "masscan --" ascii wide
        $netscan = "netscan.xml" ascii wide nocase
    condition:
        ($adv1 and $adv2) or ($sp1 or ($sp2 and $netscan)) or ($ang1 and $ang2) or ($nmap1 and $nmap2) or $masscan
}

rule shodo_exfiltration_mega_cli
{
    meta:
        description_ja = "MEGA へのデータ持ち出し（MEGAcmd のコマンドや設定）"
        description_en = "Exfiltration to MEGA (MEGAcmd commands or configuration)"
        severity = "high"
        category = "exfiltration"
        family = "mega"
        reference = "MITRE ATT&CK T1567.002"
    strings:
        $c1 = /mega-(put|login|sync|cmd)(\.exe|\.bat)?\s/ ascii wide nocase
        $c2 = "MEGAcmdServer" ascii wide
        $c3 = "megacmd" ascii wide nocase
        $u = "mega.nz" ascii wide nocase
    condition:
        filesize < 16MB and (($c1 and ($u or $c3)) or ($c2 and $u))
}
