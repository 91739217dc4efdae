//! `session-orchestrator autopilot --headless`: parse the flags, run the loop in
//! `so-autopilot`, print its summary. Exit 0 clean stop, 1 error, 2 failed wave or no
//! `--headless`, 64 bad arguments, 130 user abort.

use std::process::ExitCode;

use so_autopilot::{Abort, ArgsError, Config};

pub fn run(args: &[String]) -> ExitCode {
    let options = match so_autopilot::options::parse(args) {
        Ok(o) => o,
        Err(ArgsError::Help) => {
            crate::emit(&format!("{}\n", ArgsError::Help));
            return ExitCode::SUCCESS;
        }
        Err(e @ ArgsError::NotHeadless) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(64);
        }
    };
    let root = match crate::mode::project_root(options.project.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let abort = match Abort::install() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: cannot handle SIGINT/SIGTERM: {e}");
            return ExitCode::from(1);
        }
    };
    let mut stdout = Vec::new();
    let mut stderr = std::io::stderr();
    let outcome = so_autopilot::run(
        &options,
        &root,
        &Config::from_env(),
        &abort,
        &mut stderr,
        &mut stdout,
    );
    crate::emit(&String::from_utf8_lossy(&stdout));
    eprintln!("{}", outcome.summary);
    match &outcome.recorded {
        Ok(path) => eprintln!("autopilot: recorded in {}", path.display()),
        Err(e) => eprintln!("error: the run could not be recorded: {e}"),
    }
    ExitCode::from(outcome.exit_code)
}
