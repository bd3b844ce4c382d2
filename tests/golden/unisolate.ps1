#Requires -RunAsAdministrator
# shodo: undo the isolation of endpoint pc-nurse-07 (case 20261121-0300-abcd), generated 2026-11-21T03:00:00.000000Z
# 管理者として実行してください。隔離前のファイアウォール設定に戻します。
# Run as administrator. Puts the firewall back as it was before isolation.
$ErrorActionPreference = 'Stop'
$Group = 'shodo isolation 20261121-0300-abcd'
$Here = Split-Path -Parent $MyInvocation.MyCommand.Path
$Stamp = (Get-Date).ToUniversalTime().ToString('yyyyMMddTHHmmssZ')
Start-Transcript -Path (Join-Path $Here "unisolate-$Stamp.log") | Out-Null
try {
    $Before = Join-Path $Here 'firewall-before-isolation.json'
    if (-not (Test-Path $Before)) { throw "$Before がありません / is missing: isolate.ps1 was not run from this folder" }
    $saved = Get-Content -Path $Before -Raw -Encoding UTF8 | ConvertFrom-Json
    Get-NetFirewallRule -Group $Group -ErrorAction SilentlyContinue | Remove-NetFirewallRule
    foreach ($p in $saved.profiles) {
        Set-NetFirewallProfile -Profile $p.Name -Enabled $p.Enabled -DefaultInboundAction $p.DefaultInboundAction -DefaultOutboundAction $p.DefaultOutboundAction
    }
    Set-Service -Name mpssvc -StartupType $saved.service.StartType
    Get-NetFirewallProfile -Profile Domain,Private,Public | Format-Table Name, Enabled, DefaultInboundAction, DefaultOutboundAction
    Remove-Item -Path $Before
    Write-Host '隔離を解除しました / isolation undone: pc-nurse-07'
} finally {
    Stop-Transcript | Out-Null
}
