//! What ccsim prints goes through [`say!`] and [`complain!`], never `println!`: a reader that goes
//! away (`ccsim check … | head -1`) must not make ccsim panic. The results are in the files; the
//! terminal text is a courtesy copy, so a closed stdout or stderr is ignored and the exit code is
//! still the command's. Control characters that names from a scenario may hold are escaped.

/// `println!` that ignores a closed stdout and escapes control characters other than line feeds.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let _ = writeln!(std::io::stdout().lock(), "{}", ccsim::report::terminal::printable(&text));
    }};
}

/// `eprintln!` that ignores a closed stderr. What it prints is one line: an error or a warning,
/// every control character in it escaped.
macro_rules! complain {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let _ = writeln!(std::io::stderr().lock(), "{}", ccsim::report::terminal::one_line(&text));
    }};
}
