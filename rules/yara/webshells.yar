// Web shells: the request parameter goes straight into an evaluator or a command.

rule shodo_webshell_php
{
    meta:
        description_ja = "PHP のウェブシェル"
        description_en = "PHP web shell"
        severity = "high"
        category = "webshell"
        family = "generic"
        reference = "MITRE ATT&CK T1505.003"
    strings:
        $php = "<?php" nocase
        $a = /(eval|assert|system|passthru|shell_exec|exec|popen)\s*\(\s*(base64_decode\s*\(\s*)?(gzinflate\s*\(\s*)?\$_(POST|GET|REQUEST|COOKIE|SERVER)\b/ nocase
        $b = /preg_replace\s*\(\s*['"][^'"]*\/e['"]/ nocase
    condition:
        filesize < 512KB and $php and ($a or $b)
}

rule shodo_webshell_aspx_jsp
{
    meta:
        description_ja = "ASPX / JSP のウェブシェル"
        description_en = "ASPX or JSP web shell"
        severity = "high"
        category = "webshell"
        family = "generic"
        reference = "MITRE ATT&CK T1505.003"
    strings:
        $jsp = /Runtime\.getRuntime\(\)\.exec\(\s*request\.getParameter/
        $aspx1 = /Process\.Start\([^)]{0,80}Request(\.Form|\.QueryString|\[)/
        $aspx2 = /eval\(\s*Request(\.Item)?\[/ nocase
    condition:
        filesize < 512KB and any of them
}
