//! Whole-machine damage: fork bombs, killing every process, removing crontabs, power state.

use std::sync::OnceLock;

use regex::Regex;

use super::RuleInfo;
use crate::engine::{Engine, Invocation};
use crate::verdict::Severity;

macro_rules! sys_rule {
    ($name:ident, $id:literal, $sev:ident, $summary:literal, $alt:literal, $block:literal, $allow:literal) => {
        pub(crate) const $name: RuleInfo = RuleInfo {
            id: $id,
            pack: "core.system",
            severity: Severity::$sev,
            summary: $summary,
            alternative: $alt,
            block_example: $block,
            allow_example: $allow,
            always_enforced: false,
        };
    };
}

sys_rule!(
    FORK_BOMB,
    "sys:fork-bomb",
    Deny,
    "a function that calls itself twice in the background exhausts the process table",
    "nothing: this only hangs the machine",
    ":(){ :|:& };:",
    "f() { echo hi; }; f"
);
sys_rule!(
    KILL_ALL,
    "sys:kill-all",
    Deny,
    "`kill -1` signals every process the user owns, the agent's client included",
    "kill the specific process id (`kill <pid>`)",
    "kill -9 -1",
    "kill -9 12345"
);
sys_rule!(
    CRONTAB_REMOVE,
    "sys:crontab-remove",
    Deny,
    "`crontab -r` deletes every cron job of the user without asking",
    "`crontab -l` to review, `crontab -e` to edit",
    "crontab -r",
    "crontab -l"
);
sys_rule!(
    POWER,
    "sys:power",
    Ask,
    "shutting down or rebooting the machine ends every session on it",
    "ask the user to do it",
    "sudo reboot",
    "uptime"
);

pub(crate) static RULES: &[&RuleInfo] = &[&FORK_BOMB, &KILL_ALL, &CRONTAB_REMOVE, &POWER];

/// Checks the raw text: a fork bomb is a function definition, not one command.
pub(crate) fn fork_bomb(e: &mut Engine, code: &str) {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    if !code.contains('&') || !code.contains('|') {
        return;
    }
    let re = RE.get_or_init(|| {
        Regex::new(r"([A-Za-z_:.][A-Za-z0-9_:.]*)\s*\(\s*\)\s*\{[^}]*?([A-Za-z_:.][A-Za-z0-9_:.]*)\s*\|\s*([A-Za-z_:.][A-Za-z0-9_:.]*)\s*&").ok()
    });
    let Some(re) = re else { return };
    for caps in re.captures_iter(code) {
        let (f, a, b) = (&caps[1], &caps[2], &caps[3]);
        if f == a && a == b {
            let inv = Invocation {
                argv: Vec::new(),
                input: crate::engine::Input::None,
                cwd: None,
                display: code.chars().take(80).collect(),
                upstream: None,
            };
            e.hit(&FORK_BOMB, &inv, None);
        }
    }
}

pub(crate) fn check(e: &mut Engine, inv: &Invocation, name: &str) {
    let args = inv.args();
    match name {
        "kill" => {
            // `kill -9 -1`, `kill -KILL -1`, `kill -s KILL -1`, `kill -- -1`
            let mut after_signal = false;
            for (i, w) in args.iter().enumerate() {
                let t = w.text.as_str();
                if t == "-1" && (after_signal || i > 0) {
                    e.hit(&KILL_ALL, inv, None);
                    return;
                }
                after_signal = t == "--" || t.starts_with('-');
            }
        }
        "pkill" | "killall" => {
            // `pkill -u USER` with no pattern matches every process of the user.
            let (mut user, mut patterns, mut i) = (false, 0, 0);
            while i < args.len() {
                let t = args[i].text.as_str();
                if matches!(t, "-u" | "-U" | "--user" | "--uid" | "--euid") {
                    user = true;
                    i += 2;
                    continue;
                }
                if !t.starts_with('-') {
                    patterns += 1;
                }
                i += 1;
            }
            if user && patterns == 0 {
                e.hit(
                    &KILL_ALL,
                    inv,
                    Some(
                        "`pkill -u USER` without a pattern kills every process of the user"
                            .to_owned(),
                    ),
                );
            }
        }
        "crontab" if super::has_flag(args, 'r', &["remove"]) => {
            e.hit(&CRONTAB_REMOVE, inv, None);
        }
        "shutdown" | "reboot" | "halt" | "poweroff" if !inv.has("--help") && !inv.has("-c") => {
            e.hit(&POWER, inv, None);
        }
        "systemctl"
            if args.iter().any(|w| {
                matches!(
                    w.text.as_str(),
                    "poweroff" | "reboot" | "halt" | "kexec" | "emergency" | "rescue"
                )
            }) =>
        {
            e.hit(&POWER, inv, None);
        }
        "init" if args.iter().any(|w| w.text == "0" || w.text == "6") => {
            e.hit(&POWER, inv, None);
        }
        _ => {}
    }
}
