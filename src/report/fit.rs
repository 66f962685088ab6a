//! The files of `ccsim fit`: `fit.csv` with every estimate and its interval, `fitted.toml` (a
//! scenario fragment whose comments say how well each fit fits), the values of an `empirical`
//! handle time, and the terminal's summary.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_BORDERS_ONLY};

use super::csv_files::{finish, number, writer};
use super::terminal::printable;
use crate::fit::estimate::Interval;
use crate::fit::history::History;
use crate::fit::{ArrivalFit, ChannelFit};
use crate::time::{DAY, Duration, WEEKDAYS};

/// The label of slot `j` of a rate profile: `HH:MM`, or `mon HH:MM` in a weekly one.
pub fn slot_label(arrivals: &ArrivalFit, j: usize) -> String {
    let per_day = (DAY / arrivals.slot).round() as usize;
    let minutes = ((j % per_day) as f64 * arrivals.slot / 60.0).round() as usize;
    let clock = format!("{:02}:{:02}", minutes / 60, minutes % 60);
    if arrivals.weekly() { format!("{} {clock}", WEEKDAYS[j / per_day]) } else { clock }
}

/// The name of the file of a channel's handle times when no family fits them.
pub fn empirical_file(channel: &str) -> String {
    let safe: String = channel.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    format!("handle_time_{safe}.csv")
}

/// `fit.csv`: `what,channel,parameter,estimate,ci95_low,ci95_high,n,note`.
pub fn fit_csv(fits: &[ChannelFit]) -> csv::Result<Vec<u8>> {
    let mut w = writer();
    w.write_record(["what", "channel", "parameter", "estimate", "ci95_low", "ci95_high", "n", "note"])?;
    for r in fit_rows(fits) {
        w.write_record([
            r.what.to_string(),
            r.channel,
            r.parameter,
            number(r.estimate),
            number(r.ci95_low),
            number(r.ci95_high),
            r.n.to_string(),
            r.note,
        ])?;
    }
    finish(w)
}

/// One row of `fit.csv`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FitRow {
    pub what: &'static str,
    pub channel: String,
    pub parameter: String,
    pub estimate: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub n: usize,
    pub note: String,
}

/// The rows of `fit.csv`, in order.
pub fn fit_rows(fits: &[ChannelFit]) -> Vec<FitRow> {
    let mut rows = Vec::new();
    let mut row = |what: &'static str, channel: &str, parameter: &str, i: Interval, n: usize, note: &str| {
        rows.push(FitRow {
            what,
            channel: channel.to_string(),
            parameter: parameter.to_string(),
            estimate: i.estimate,
            ci95_low: i.low,
            ci95_high: i.high,
            n,
            note: note.to_string(),
        });
    };
    let exact = |x: f64| Interval { estimate: x, low: x, high: x };
    for f in fits {
        let c = &f.name;
        let a = &f.arrivals;
        let per_day = (DAY / a.slot).round() as usize;
        for (j, rate) in a.rates.iter().enumerate() {
            let days = a.days[if a.weekly() { j / per_day } else { 0 }];
            row("arrivals", c, &format!("rate_per_hour {}", slot_label(a, j)), *rate, days, "chosen");
        }
        if let Some(d) = &f.day_factor {
            let note = format!("dispersion {:.3}, p = {:.3}", d.dispersion, d.p_value);
            match d.cv {
                Some(cv) => {
                    row("day_factor", c, "gamma.mean", exact(1.0), d.days, "chosen");
                    row("day_factor", c, "gamma.sd", cv, d.days, &format!("chosen; {note}"));
                }
                None => row("day_factor", c, "none", exact(0.0), d.days, &format!("Poisson suffices; {note}")),
            }
        }
        let h = &f.handle;
        for (i, fitted) in h.fits.iter().enumerate() {
            let note = if h.chosen == Some(i) { "chosen" } else { "" };
            let family = fitted.family.name();
            for (name, value) in &fitted.parameters {
                row("handle_time", c, &format!("{family}.{name}"), *value, h.values.len(), note);
            }
            row("handle_time", c, &format!("{family}.mean"), fitted.mean, h.values.len(), note);
            row("handle_time", c, &format!("{family}.sd"), fitted.sd, h.values.len(), note);
            row("handle_time", c, &format!("{family}.aic"), exact(fitted.aic), h.values.len(), note);
            row("handle_time", c, &format!("{family}.ks"), exact(fitted.ks), h.values.len(), note);
        }
        if !h.values.is_empty() {
            let n = h.values.len() as f64;
            let sd = (h.values.iter().map(|x| (x - h.sample_mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
            let half = 1.96 * sd / n.sqrt();
            let mean = Interval { estimate: h.sample_mean, low: h.sample_mean - half, high: h.sample_mean + half };
            let note = if h.chosen.is_none() { "chosen" } else { "" };
            row("handle_time", c, "empirical.mean", mean, h.values.len(), note);
            row("handle_time", c, "empirical.sd", exact(sd), h.values.len(), note);
        }
        if let Some(p) = &f.patience {
            let n = p.abandoned + p.censored;
            let mean = p.exponential_mean;
            row("patience", c, "exponential.mean", mean, n, "chosen");
            row("patience", c, "exponential.sd", mean, n, "chosen");
            if let Some(m) = p.km_median {
                row("patience", c, "kaplan_meier.median", exact(m), n, "answered conversations censored at their wait");
            }
            row("patience", c, "naive.mean", exact(p.naive_mean), p.abandoned, "abandoners' waits only: biased low");
        }
    }
    rows
}

/// A duration for a scenario file: whole seconds as `"3m20s"`, else seconds.
fn duration(seconds: f64) -> String {
    if seconds >= 1.0 && (seconds - seconds.round()).abs() < 1e-9 {
        format!("\"{}\"", Duration(seconds.round()).label())
    } else {
        format!("{:.1}", seconds)
    }
}

fn quoted(text: &str) -> String {
    toml_edit::Value::from(text).to_string().trim().to_string()
}

/// `fitted.toml`: per channel a `[[channel]]` (with its rate profile and day factor), a
/// `[[work_stream]]` (handle time, patience) and a `[[queue]]`, each fit's quality in comments.
pub fn fitted_toml(fits: &[ChannelFit], history: &History, source: &str, slot: f64) -> String {
    let mut out = String::new();
    let span = match history.origin {
        Some(monday) => format!("weeks from {monday}"),
        None => "day 1 a Monday".to_string(),
    };
    out.push_str(&format!(
        "# Fitted by ccsim fit from {source}: {} conversations ({span}), slots of {}.\n\
         # A fragment: add [simulation] and the [[agent_group]] tables, and set each channel's kind.\n",
        history.conversations.len(),
        Duration(slot).label()
    ));
    for f in fits {
        let name = quoted(&f.name);
        let a = &f.arrivals;
        out.push('\n');
        out.push_str(&format!("[[channel]]\nname = {name}\nkind = \"custom\"   # the history does not say: voice, live_chat, ...\nwork_stream = {name}\n"));
        let seen: Vec<String> = a.days.iter().map(|d| d.to_string()).collect();
        out.push_str(&format!(
            "# {} rates per hour ({}), each the mean over the days seen ({}); fit.csv has their intervals.\n",
            a.rates.len(),
            if a.weekly() { "a week from Monday 00:00" } else { "a day" },
            if a.weekly() { format!("per weekday: {}", seen.join(", ")) } else { seen.join("") }
        ));
        let rates: Vec<String> =
            a.rates.iter().map(|r| format!("{}", (r.estimate * 1000.0).round() / 1000.0)).collect();
        let mut arrivals = format!("{{ process = \"poisson\", rate_per_hour = [{}]", rates.join(", "));
        match &f.day_factor {
            Some(d) if d.cv.is_some() => {
                let cv = d.cv.expect("matched");
                out.push_str(&format!(
                    "# Daily counts vary more than Poisson allows (dispersion {:.2}, p = {:.3}, {} days): a gamma day factor, sd {:.3} (95% {:.3}–{:.3}).\n",
                    d.dispersion, d.p_value, d.days, cv.estimate, cv.low, cv.high
                ));
                arrivals.push_str(&format!(
                    ", day_factor = {{ dist = \"gamma\", mean = 1, sd = {:.4} }}",
                    cv.estimate.max(1e-4)
                ));
            }
            Some(d) => out.push_str(&format!(
                "# Daily counts vary as Poisson allows (dispersion {:.2}, p = {:.3}, {} days): no day factor.\n",
                d.dispersion, d.p_value, d.days
            )),
            None => out.push_str("# Too few days to judge day-to-day variation: no day factor.\n"),
        }
        arrivals.push_str(" }");
        out.push_str(&format!("arrivals = {arrivals}\n\n[[work_stream]]\nname = {name}\n"));
        let h = &f.handle;
        let others: Vec<String> =
            h.fits.iter().map(|x| format!("{} AIC {:.1}, KS {:.3}", x.family.name(), x.aic, x.ks)).collect();
        match h.chosen.map(|i| &h.fits[i]) {
            Some(x) => {
                out.push_str(&format!(
                    "# Handle time: {} by maximum likelihood, the lowest AIC among the fits whose mean is within 5% of the sample's ({:.1} s, {} values); {}.\n",
                    x.family.name(),
                    h.sample_mean,
                    h.values.len(),
                    others.join("; ")
                ));
                let p = |k: usize| x.parameters[k].1.estimate;
                let dist = match x.family {
                    crate::fit::estimate::Family::Weibull => {
                        format!("{{ dist = \"weibull\", shape = {:.4}, scale = {} }}", p(0), duration(p(1)))
                    }
                    family => format!(
                        "{{ dist = \"{}\", mean = {}, sd = {} }}",
                        family.name(),
                        duration(x.mean.estimate),
                        duration(x.sd.estimate)
                    ),
                };
                out.push_str(&format!("handle_time = {dist}\n"));
            }
            None if !h.values.is_empty() => {
                out.push_str(&format!(
                    "# Handle time: no family's mean lies within 5% of the sample's ({:.1} s, {} values){}: the values themselves.\n",
                    h.sample_mean,
                    h.values.len(),
                    if others.is_empty() { String::new() } else { format!("; {}", others.join("; ")) }
                ));
                out.push_str(&format!(
                    "handle_time = {{ dist = \"empirical\", file = {} }}\n",
                    quoted(&empirical_file(&f.name))
                ));
            }
            None => {
                out.push_str(
                    "# Handle time: the history has none for this channel; set it by hand.\nhandle_time = \"5m\"\n",
                );
            }
        }
        match &f.patience {
            Some(p) => {
                out.push_str(&format!(
                    "# Patience: {} abandoned, {} answered (censored at their wait); exponential by maximum likelihood, mean {:.1} s (95% {:.1}–{:.1}); Kaplan–Meier median {}; the abandoners' mean wait alone, {:.1} s, is biased low.\n",
                    p.abandoned,
                    p.censored,
                    p.exponential_mean.estimate,
                    p.exponential_mean.low,
                    p.exponential_mean.high,
                    p.km_median.map_or("not reached".to_string(), |m| format!("{m:.1} s")),
                    p.naive_mean
                ));
                out.push_str(&format!(
                    "patience = {{ dist = \"exponential\", mean = {} }}\n",
                    duration(p.exponential_mean.estimate.round().max(1.0))
                ));
            }
            None => out.push_str("# Patience: nobody abandoned, so none is fitted.\n"),
        }
        out.push_str(&format!("fallback_queue = {name}\n\n[[queue]]\nname = {name}\n"));
    }
    out
}

/// The values of an `empirical` handle time, one per line.
pub fn empirical_values(values: &[f64]) -> Vec<u8> {
    let mut out = String::from("handle_s\n");
    for v in values {
        out.push_str(&format!("{v}\n"));
    }
    out.into_bytes()
}

/// What reading the history had to handle, as lines for the terminal.
pub fn reading_notes(history: &History) -> Vec<String> {
    let mut notes = vec![format!("{} rows read, {} conversations kept", history.rows, history.conversations.len())];
    let mut note = |n: usize, what: &str| {
        if n > 0 {
            notes.push(format!("{n} {what}"));
        }
    };
    note(history.skipped, "rows skipped as unreadable (--skip-bad-rows)");
    note(history.duplicates, "rows repeated exactly, dropped");
    note(history.out_of_order, "rows out of arrival order, sorted");
    note(history.zero_handle, "zero handle times of answered conversations, left out of the handle-time fit");
    note(history.missing_wait, "answered or abandoned rows without a wait, left out of the patience fit");
    note(history.other_outcome, "rows neither answered nor abandoned, left out of the patience fit");
    notes.extend(history.skipped_examples.iter().map(|e| format!("  skipped: {e}")));
    notes
}

/// One row per channel: conversations, arrivals a day, the chosen handle time and patience.
pub fn fit_table(fits: &[ChannelFit]) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_BORDERS_ONLY);
    table.set_header(["channel", "conversations", "a day", "day factor sd", "handle time", "mean", "patience mean"]);
    for f in fits {
        let a = &f.arrivals;
        let per_day = (DAY / a.slot).round();
        let per_day_total =
            a.rates.iter().map(|r| r.estimate).sum::<f64>() * a.slot / 3600.0 / (a.rates.len() as f64 / per_day);
        let right = |text: String| Cell::new(text).set_alignment(CellAlignment::Right);
        let (family, mean) = match f.handle.chosen.map(|i| &f.handle.fits[i]) {
            Some(x) => (x.family.name().to_string(), format!("{:.1} s", x.mean.estimate)),
            None if !f.handle.values.is_empty() => ("empirical".to_string(), format!("{:.1} s", f.handle.sample_mean)),
            None => ("–".to_string(), "–".to_string()),
        };
        table.add_row(vec![
            Cell::new(printable(&f.name)),
            right(f.conversations.to_string()),
            right(format!("{per_day_total:.1}")),
            right(f.day_factor.as_ref().and_then(|d| d.cv).map_or("–".to_string(), |cv| format!("{:.3}", cv.estimate))),
            Cell::new(family),
            right(mean),
            right(f.patience.as_ref().map_or("–".to_string(), |p| format!("{:.1} s", p.exponential_mean.estimate))),
        ]);
    }
    table.to_string()
}
