# Sign-in Desk: PC check / PC のチェック
# EN: Reads facts about Office, your accounts and this PC, and prints them for you to paste into the chat.
#     It changes nothing and needs no administrator rights. It prints no passwords, tokens or device keys.
#     The result is also copied to the clipboard, ready to paste.
# JA: Office、アカウント、この PC の状態を読み取り、チャットに貼り付けられる形で表示します。
#     何も変更せず、管理者権限も不要です。パスワード、トークン、デバイスのキーは表示しません。
#     結果はクリップボードにもコピーされるので、そのまま貼り付けられます。
# Windows PowerShell 5.1 and PowerShell 7.

$ErrorActionPreference = 'SilentlyContinue'
# Windows PowerShell 5.1 on older .NET offers only TLS 1.0 by default, which Microsoft's sign-in service refuses:
# add TLS 1.2 (3072) for this PowerShell process only.
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor 3072
$ja = (Get-UICulture).Name -like 'ja*'
if ($ja) {
    Write-Host 'この PC の状態を読み取ります: Windows と Office のバージョン、更新チャネル、Office にサインインしているアカウント、Azure AD やドメインへの参加、Windows に登録された職場または学校アカウント、管理者権限、TLS 1.2 の設定、Microsoft のサインイン サービスへの接続。何も変更しません。パスワード、トークン、デバイスのキーは表示しません。'
} else {
    Write-Host 'Reading facts about this PC: the Windows and Office versions, the update channel, the accounts signed in to Office, whether the PC is joined to Azure AD or a domain, the work or school accounts Windows knows, administrator rights, the TLS 1.2 setting and whether Microsoft sign-in can be reached. Nothing is changed, and no passwords, tokens or device keys are shown.'
}

$lines = New-Object System.Collections.Generic.List[string]
$lines.Add('===== Sign-in Desk PC check v1 =====')

# Windows edition and build
$os = Get-CimInstance -ClassName Win32_OperatingSystem
$lines.Add('windows: ' + $os.Caption + ' | ' + $os.Version)

# Click-to-Run Office: products, version, update channel, shared computer activation
$c2r = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration'
if ($c2r) {
    $channel = $c2r.UpdateChannel
    if (-not $channel) { $channel = $c2r.CDNBaseUrl }
    $lines.Add('office.c2r: ' + $c2r.ProductReleaseIds + ' | ' + $c2r.VersionToReport + ' | ' + $channel + ' | shared=' + $c2r.SharedComputerLicensing)
} else {
    $lines.Add('office.c2r: none')
}

# MSI Office 2013 / 2016
$msi = Get-ChildItem -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall', 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall' |
    Get-ItemProperty |
    Where-Object { $_.DisplayName -match '^Microsoft Office (Professional|Standard|Home|Personal)' -and $_.WindowsInstaller -eq 1 } |
    Select-Object -First 1
if ($msi) { $lines.Add('office.msi: ' + $msi.DisplayName + ' | ' + $msi.DisplayVersion) } else { $lines.Add('office.msi: none') }

# Accounts signed in to Office (e-mail and provider: AD = work or school, LiveId = Microsoft account)
$identities = Get-ChildItem -Path 'HKCU:\Software\Microsoft\Office\16.0\Common\Identity\Identities' |
    Get-ItemProperty |
    Where-Object { $_.EmailAddress } |
    ForEach-Object { $_.EmailAddress + ' (' + $_.ProviderId + ')' }
$lines.Add('office.identities: ' + ($identities -join '; '))

# Join state, from dsregcmd /status (only the four YES/NO lines; はい/いいえ too, should Windows translate them)
$join = @{}
dsregcmd /status | ForEach-Object {
    if ($_ -match '^\s*(AzureAdJoined|DomainJoined|WorkplaceJoined|AzureAdPrt)\s*:\s*(YES|NO|はい|いいえ)') {
        $join[$Matches[1]] = $(if ($Matches[2] -eq 'YES' -or $Matches[2] -eq 'はい') { 'YES' } else { 'NO' })
    }
}
$lines.Add('join: azuread=' + $join['AzureAdJoined'] + ' domain=' + $join['DomainJoined'] + ' workplace=' + $join['WorkplaceJoined'] + ' prt=' + $join['AzureAdPrt'])

# Work or school accounts in WAM, read through the same Windows API as the sign-out script (reading only).
# The types are looked up by name: Windows PowerShell 5.1 has WinRT, PowerShell 7 does not (then: unavailable).
$wam = 'unavailable'
$apiInformation = [Type]::GetType('Windows.Foundation.Metadata.ApiInformation, Windows, ContentType=WindowsRuntime')
$manager = [Type]::GetType('Windows.Security.Authentication.Web.Core.WebAuthenticationCoreManager, Windows, ContentType=WindowsRuntime')
if ($apiInformation -and $manager -and $apiInformation::IsMethodPresent($manager.FullName, 'FindAllAccountsAsync')) {
    Add-Type -AssemblyName System.Runtime.WindowsRuntime
    $providerType = [Type]::GetType('Windows.Security.Credentials.WebAccountProvider, Windows, ContentType=WindowsRuntime')
    $resultType = [Type]::GetType('Windows.Security.Authentication.Web.Core.FindAllAccountsResult, Windows, ContentType=WindowsRuntime')
    $asTask = ([System.WindowsRuntimeSystemExtensions].GetMethods() | Where-Object { $_.Name -eq 'AsTask' -and $_.GetParameters().Count -eq 1 -and $_.GetParameters()[0].ParameterType.Name -eq 'IAsyncOperation`1' })[0]
    $providerTask = $asTask.MakeGenericMethod($providerType).Invoke($null, @($manager::FindAccountProviderAsync('https://login.microsoft.com', 'organizations')))
    $providerTask.Wait(10000) | Out-Null
    $accountsTask = $asTask.MakeGenericMethod($resultType).Invoke($null, @($manager::FindAllAccountsAsync($providerTask.Result, 'd3590ed6-52b3-4102-aeff-aad2292ab01c')))
    $accountsTask.Wait(10000) | Out-Null
    $wam = ($accountsTask.Result.Accounts | ForEach-Object { $_.UserName }) -join '; '
}
$lines.Add('wam: ' + $wam)

# Member of the local Administrators group (S-1-5-32-544), elevated or not
$admin = [bool]((whoami /groups) -match 'S-1-5-32-544')
$lines.Add('admin: ' + $(if ($admin) { 'yes' } else { 'no' }))

# TLS 1.2 for WinHTTP: Windows 7 and 8 need the setting (0x800 in DefaultSecureProtocols, KB3140245), in the
# 32-bit view too on 64-bit Windows (32-bit Office reads that one); Windows 8.1 and later have it by default.
$osVersion = [Environment]::OSVersion.Version
if ($osVersion.Major -eq 6 -and $osVersion.Minor -le 2) {
    $tlsOn = $true
    foreach ($view in 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp', 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp') {
        if ($view -like '*WOW6432Node*' -and -not [Environment]::Is64BitOperatingSystem) { continue }
        $winhttp = Get-ItemProperty -Path $view
        if (-not ($winhttp.DefaultSecureProtocols -band 0x800)) { $tlsOn = $false }
    }
    $lines.Add('tls12: ' + $(if ($tlsOn) { 'on' } else { 'off' }))
} else {
    $lines.Add('tls12: n/a')
}

# Can this PC reach the Microsoft sign-in service? (a public document, read only)
$reach = 'no'
try {
    $answer = Invoke-WebRequest -Uri 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration' -UseBasicParsing -TimeoutSec 15
    if ($answer.StatusCode -eq 200) { $reach = 'yes' }
} catch { $reach = 'no' }
$lines.Add('signin: ' + $reach)

$lines.Add('===== end =====')
$block = $lines -join "`r`n"
# The console's own copy is hard to select whole; the clipboard holds exactly the block.
$block | Set-Clipboard
$block | Write-Output
if ($ja) {
    Write-Host '結果をクリップボードにコピーしました。チャットに Ctrl+V で貼り付けてください。'
} else {
    Write-Host 'The result is on the clipboard: paste it into the chat with Ctrl+V.'
}
