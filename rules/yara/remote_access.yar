// Remote-access and RMM tools: external connection points the hospital must inventory.

rule shodo_remote_access_tool
{
    meta:
        description_ja = "遠隔操作・リモート保守ツール（外部接続点）"
        description_en = "Remote-access / RMM tool (external connection point)"
        severity = "medium"
        category = "remote_access"
        family = "generic"
        reference = "MITRE ATT&CK T1219"
    strings:
        $anydesk = "AnyDesk Software GmbH" ascii wide
        $teamviewer = "TeamViewer GmbH" ascii wide
        $screenconnect = "ScreenConnect" ascii wide
        $atera = "AteraAgent" ascii wide
        $splashtop = "Splashtop" ascii wide
        $rustdesk = "RustDesk" ascii wide
    condition:
        uint16(0) == 0x5A4D and any of them
}
