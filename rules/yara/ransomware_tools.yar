// What ransomware operators run before and while encrypting: backup and shadow-copy deletion,
// recovery disabling, log clearing, mass service stopping — in binaries and scripts.

rule shodo_shadow_copy_deletion
{
    meta:
        description_ja = "シャドウコピー・バックアップの削除、回復の無効化"
        description_en = "Shadow copy or backup deletion, recovery disabled"
        severity = "high"
        category = "ransomware_tooling"
        family = "generic"
        reference = "MITRE ATT&CK T1490"
    strings:
        $v1 = "vssadmin" ascii wide nocase
        $v2 = "delete shadows" ascii wide nocase
        $v3 = "resize shadowstorage" ascii wide nocase
        $w1 = "shadowcopy delete" ascii wide nocase
        $w2 = "Win32_ShadowCopy" ascii wide nocase
        $b1 = "wbadmin" ascii wide nocase
        $b2 = "delete catalog" ascii wide nocase
        $b3 = "delete systemstatebackup" ascii wide nocase
        $r1 = "recoveryenabled" ascii wide nocase
        $r2 = "bootstatuspolicy" ascii wide nocase
        $r3 = "ignoreallfailures" ascii wide nocase
        $r4 = "bcdedit" ascii wide nocase
    condition:
        ($v1 and ($v2 or $v3)) or $w1 or ($w2 and $v2) or ($b1 and ($b2 or $b3)) or ($r4 and ($r1 or $r2 or $r3))
}

rule shodo_log_clearing
{
    meta:
        description_ja = "イベントログの消去"
        description_en = "Event log clearing"
        severity = "high"
        category = "ransomware_tooling"
        family = "generic"
        reference = "MITRE ATT&CK T1070.001"
    strings:
        $a = "wevtutil" ascii wide nocase
        $b = " cl " ascii wide nocase
        $c = "clear-log" ascii wide nocase
        $d = "Clear-EventLog" ascii wide nocase
    condition:
        ($a and ($b or $c)) or $d
}

rule shodo_mass_service_stop
{
    meta:
        description_ja = "バックアップ・データベース等のサービスの一斉停止"
        description_en = "Mass stopping of backup, database and security services"
        severity = "high"
        category = "ransomware_tooling"
        family = "generic"
        reference = "MITRE ATT&CK T1489"
    strings:
        $stop1 = "net stop" ascii wide nocase
        $stop2 = "sc stop" ascii wide nocase
        $stop3 = "taskkill" ascii wide nocase
        $svc1 = "MSSQL" ascii wide nocase
        $svc2 = "veeam" ascii wide nocase
        $svc3 = "backup" ascii wide nocase
        $svc4 = "sophos" ascii wide nocase
        $svc5 = "oracle" ascii wide nocase
        $svc6 = "vss" ascii wide nocase
    condition:
        any of ($stop*) and 3 of ($svc*)
}
