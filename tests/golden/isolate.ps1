#Requires -RunAsAdministrator
# shodo: isolate endpoint pc-nurse-07 (case 20261121-0300-abcd), generated 2026-11-21T03:00:00.000000Z
# 管理者として実行してください。実行記録はこのスクリプトと同じフォルダに保存されます。
# Run as administrator. A transcript is kept in this script's folder.
$ErrorActionPreference = 'Stop'
$Group = 'shodo isolation 20261121-0300-abcd'
$Here = Split-Path -Parent $MyInvocation.MyCommand.Path
$Stamp = (Get-Date).ToUniversalTime().ToString('yyyyMMddTHHmmssZ')
Start-Transcript -Path (Join-Path $Here "isolate-$Stamp.log") | Out-Null
try {
    $Before = Join-Path $Here 'firewall-before-isolation.json'
    if (-not (Test-Path $Before)) {
        $profiles = Get-NetFirewallProfile -Profile Domain,Private,Public |
            Select-Object Name, Enabled, DefaultInboundAction, DefaultOutboundAction
        $service = Get-Service -Name mpssvc | Select-Object Name, StartType, Status
        @{ profiles = $profiles; service = $service } | ConvertTo-Json -Depth 4 | Set-Content -Path $Before -Encoding UTF8
    }
    Set-Service -Name mpssvc -StartupType Automatic
    Start-Service -Name mpssvc
    Get-NetFirewallRule -Group $Group -ErrorAction SilentlyContinue | Remove-NetFirewallRule
    New-NetFirewallRule -Group $Group -DisplayName "${Group}: allow TCP to 192.0.2.10 port 22,443" -Direction Outbound -Action Allow -Protocol TCP -RemoteAddress '192.0.2.10' -RemotePort @('22', '443') -Profile Any | Out-Null
    New-NetFirewallRule -Group $Group -DisplayName "${Group}: block TCP to 192.0.2.10 other ports" -Direction Outbound -Action Block -Protocol TCP -RemoteAddress '192.0.2.10' -RemotePort @('1-21', '23-442', '444-65535') -Profile Any | Out-Null
    New-NetFirewallRule -Group $Group -DisplayName "${Group}: allow UDP to 192.0.2.10 port 22,443" -Direction Outbound -Action Allow -Protocol UDP -RemoteAddress '192.0.2.10' -RemotePort @('22', '443') -Profile Any | Out-Null
    New-NetFirewallRule -Group $Group -DisplayName "${Group}: block UDP to 192.0.2.10 other ports" -Direction Outbound -Action Block -Protocol UDP -RemoteAddress '192.0.2.10' -RemotePort @('1-21', '23-442', '444-65535') -Profile Any | Out-Null
    New-NetFirewallRule -Group $Group -DisplayName "${Group}: allow TCP to 2001:db8::10 port 22" -Direction Outbound -Action Allow -Protocol TCP -RemoteAddress '2001:db8::10' -RemotePort @('22') -Profile Any | Out-Null
    New-NetFirewallRule -Group $Group -DisplayName "${Group}: block TCP to 2001:db8::10 other ports" -Direction Outbound -Action Block -Protocol TCP -RemoteAddress '2001:db8::10' -RemotePort @('1-21', '23-65535') -Profile Any | Out-Null
    New-NetFirewallRule -Group $Group -DisplayName "${Group}: allow UDP to 2001:db8::10 port 22" -Direction Outbound -Action Allow -Protocol UDP -RemoteAddress '2001:db8::10' -RemotePort @('22') -Profile Any | Out-Null
    New-NetFirewallRule -Group $Group -DisplayName "${Group}: block UDP to 2001:db8::10 other ports" -Direction Outbound -Action Block -Protocol UDP -RemoteAddress '2001:db8::10' -RemotePort @('1-21', '23-65535') -Profile Any | Out-Null
    New-NetFirewallRule -Group $Group -DisplayName "${Group}: block all other addresses" -Direction Outbound -Action Block -RemoteAddress @('0.0.0.0-192.0.2.9', '192.0.2.11-255.255.255.255', '::-2001:db8::f', '2001:db8::11-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff') -Profile Any | Out-Null
    New-NetFirewallRule -Group $Group -DisplayName "${Group}: block inbound" -Direction Inbound -Action Block -Profile Any | Out-Null
    Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Block
    Get-NetFirewallProfile -Profile Domain,Private,Public | Format-Table Name, Enabled, DefaultInboundAction, DefaultOutboundAction
    Get-NetFirewallRule -Group $Group | Format-Table DisplayName, Direction, Action, Enabled
    Write-Host '隔離しました / isolated: pc-nurse-07'
} finally {
    Stop-Transcript | Out-Null
}
