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
