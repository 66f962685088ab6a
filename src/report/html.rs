//! `report.html`: one self-contained page per command, for people who will not open a CSV. It
//! shows what the terminal shows and more — the headline table, the gates, the charts as inline
//! SVG, per-interval tables that sort when a column's header is clicked, the scenario as run and
//! how to read it all — with no network access: no external script, style sheet or font.
//!
//! The page is built with `maud`, which escapes every text it is given (a queue named `<script>`
//! is text); only the charts' SVG, which the chart renderer escapes itself, goes in as markup. The
//! page holds nothing that differs between two runs of the same command, scenario and seed — no
//! time, host, user or output path — so that `ccsim merge` writes it byte for byte.

use comfy_table::Table;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::OutputFile;
use super::terminal::{format_value, scope_label};
use crate::metrics::{Metric, RunResults};

/// A page: a title, a line or two under it, the key figures, then sections.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub title: String,
    pub lead: Vec<String>,
    /// The figures a reader looks for first.
    pub key: Vec<KeyFigure>,
    pub sections: Vec<Section>,
}

#[derive(Clone, Debug)]
pub enum Section {
    /// Tables under a heading, with a note under them.
    Tables {
        heading: String,
        tables: Vec<HtmlTable>,
        note: Option<String>,
    },
    /// Tables each folded under its caption (per-interval tables: long).
    Folded {
        heading: String,
        tables: Vec<HtmlTable>,
    },
    Charts {
        heading: String,
        charts: Vec<Chart>,
    },
    Text {
        heading: String,
        paragraphs: Vec<String>,
    },
    /// Preformatted text: the scenario as run.
    Source {
        heading: String,
        text: String,
    },
}

/// A key figure: shown as the tables show it, and marked `data-key="<key>"` with `data-value`,
/// the mean as `summary.csv` writes it.
#[derive(Clone, Debug)]
pub struct KeyFigure {
    pub key: String,
    pub label: String,
    pub shown: String,
    pub value: String,
}

/// A table: a header row and rows of text; sortable by any column.
#[derive(Clone, Debug, Default)]
pub struct HtmlTable {
    pub caption: Option<String>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl HtmlTable {
    /// The cells of a terminal table, as the terminal shows them.
    pub fn of(table: &Table) -> HtmlTable {
        let cells = |row: &comfy_table::Row| row.cell_iter().map(|c| c.content()).collect::<Vec<_>>();
        HtmlTable {
            caption: None,
            header: table.header().map(cells).unwrap_or_default(),
            rows: table.row_iter().map(cells).collect(),
        }
    }

    /// A CSV file's rows (its first line the header).
    pub fn from_csv(bytes: &[u8]) -> HtmlTable {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let header = reader.headers().map(|h| h.iter().map(String::from).collect()).unwrap_or_default();
        let rows = reader.records().filter_map(Result::ok).map(|r| r.iter().map(String::from).collect()).collect();
        HtmlTable { caption: None, header, rows }
    }

    pub fn captioned(mut self, caption: impl Into<String>) -> HtmlTable {
        self.caption = Some(caption.into());
        self
    }
}

/// A chart: its name and its SVG.
#[derive(Clone, Debug)]
pub struct Chart {
    pub name: String,
    pub svg: String,
}

/// The SVG charts among a command's files, in their order, ready to inline.
pub fn charts_of(files: &[OutputFile]) -> Vec<Chart> {
    files
        .iter()
        .filter_map(|f| {
            let name = f.name.strip_suffix(".svg")?;
            let text = String::from_utf8_lossy(&f.bytes);
            // Inline SVG takes no XML declaration.
            let svg = match text.find("<svg") {
                Some(at) => text[at..].to_string(),
                None => text.into_owned(),
            };
            Some(Chart { name: name.rsplit('/').next().unwrap_or(name).to_string(), svg })
        })
        .collect()
}

/// The metrics of the per-interval tables.
const INTERVAL_METRICS: [Metric; 7] = [
    Metric::Offered,
    Metric::Answered,
    Metric::Abandoned,
    Metric::ServiceLevel,
    Metric::AsaS,
    Metric::AbandonRate,
    Metric::Occupancy,
];

/// One table per scope: each reporting interval's value of the headline metrics, the
/// replications pooled.
pub fn interval_tables(results: &RunResults) -> Vec<HtmlTable> {
    results
        .scopes
        .iter()
        .map(|scope| {
            let metrics: Vec<Metric> = INTERVAL_METRICS.into_iter().filter(|m| m.applies_to(scope.kind)).collect();
            let mut header = vec!["interval".to_string()];
            header.extend(metrics.iter().map(|m| m.name().replace('_', " ")));
            let rows = results
                .interval_labels
                .iter()
                .enumerate()
                .map(|(k, (start, _))| {
                    let mut row = vec![start.clone()];
                    row.extend(metrics.iter().map(|&m| format_value(m, results.interval_value(k, scope, m))));
                    row
                })
                .collect();
            HtmlTable { caption: Some(scope_label(scope)), header, rows }
        })
        .collect()
}

/// The key figures of scope `all`.
pub fn key_figures(results: &RunResults) -> Vec<KeyFigure> {
    let all = &results.scopes[0];
    [
        (Metric::Offered, "offered"),
        (Metric::ServiceLevel, "service level"),
        (Metric::AsaS, "ASA"),
        (Metric::AbandonRate, "abandon rate"),
        (Metric::Occupancy, "occupancy"),
    ]
    .into_iter()
    .filter(|(m, _)| m.applies_to(all.kind))
    .map(|(m, label)| {
        let e = results.estimate(all, m);
        KeyFigure {
            key: m.name().to_string(),
            label: label.to_string(),
            shown: super::terminal::format_estimate(m, &e),
            value: super::csv_files::number(e.mean),
        }
    })
    .collect()
}

/// What "±" and service level mean, and how the page is laid out.
pub fn how_to_read(service_level: &str) -> Section {
    Section::Text {
        heading: "How to read this".into(),
        paragraphs: vec![
            "Every figure is the mean over the replications: independent runs of the same center on other random customers. A figure written 91.8% ± 5.9 has a 95% confidence interval from 85.9% to 97.7% across replications; where that interval would reach past what the figure can be, the interval itself is shown, cut at the bound: 54 (0–264).".into(),
            format!("{service_level}."),
            "Shares are in percent, times in seconds. Click a column's header to sort a table by it, again to reverse. The charts are those of the charts/ folder; the CSV files beside this page hold every figure with its interval.".into(),
        ],
    }
}

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #1a1a1a; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
p.lead { color: #555; margin: 0.2rem 0; }
dl.key { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1.2rem 0; }
dl.key div { border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem 0.9rem; min-width: 8rem; }
dl.key dt { color: #555; font-size: 0.85rem; }
dl.key dd { margin: 0; font-size: 1.3rem; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
th:first-child, td:first-child { text-align: left; }
th { cursor: pointer; background: #f6f6f6; user-select: none; }
th[data-dir=asc]::after { content: ' ▲'; }
th[data-dir=desc]::after { content: ' ▼'; }
td.fail { color: #b00020; font-weight: 600; }
td.pass { color: #1b7f3b; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.85rem; }
pre { background: #f6f6f6; padding: 0.8rem; overflow-x: auto; font-size: 0.85rem; }
details { margin: 0.4rem 0; }
summary { cursor: pointer; }
.scroll { overflow-x: auto; }
";

const SORT: &str = "
document.querySelectorAll('table.sortable th').forEach(function (th) {
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0], column = th.cellIndex;
    var dir = th.dataset.dir === 'asc' ? 'desc' : 'asc';
    table.querySelectorAll('th').forEach(function (h) { delete h.dataset.dir; });
    th.dataset.dir = dir;
    var key = function (row) {
      var text = row.cells[column] ? row.cells[column].textContent.trim() : '';
      var n = parseFloat(text.replace('\\u2212', '-'));
      return isNaN(n) ? text : n;
    };
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a), y = key(b), order;
      if (typeof x === 'number' && typeof y === 'number') { order = x - y; }
      else if (typeof x === 'number') { order = -1; }
      else if (typeof y === 'number') { order = 1; }
      else { order = x.localeCompare(y); }
      return dir === 'asc' ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
";

/// `t` as a sortable table; its caption above it unless `folded` (the fold's summary shows it).
fn table(t: &HtmlTable, folded: bool) -> Markup {
    html! {
        div.scroll {
            table.sortable {
                @if let (Some(caption), false) = (&t.caption, folded) { caption { (caption) } }
                thead { tr { @for h in &t.header { th { (h) } } } }
                tbody {
                    @for row in &t.rows {
                        tr {
                            @for cell in row {
                                @let class = verdict_class(cell);
                                @if let Some(class) = class { td class=(class) { (cell) } } @else { td { (cell) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Gates' verdicts stand out: `FAIL` (and a sweep's `FAIL 0.71`) in red, `pass` in green; a name
/// that merely begins so (`passengers`) does not.
fn verdict_class(cell: &str) -> Option<&'static str> {
    let verdict = cell.split(' ').next().unwrap_or_default();
    match verdict {
        "FAIL" | "fail" => Some("fail"),
        "pass" => Some("pass"),
        _ => None,
    }
}

fn section(s: &Section) -> Markup {
    html! {
        @match s {
            Section::Tables { heading, tables, note } => {
                section {
                    h2 { (heading) }
                    @for t in tables { (table(t, false)) }
                    @if let Some(note) = note { p { (note) } }
                }
            }
            Section::Folded { heading, tables } => {
                section {
                    h2 { (heading) }
                    @for t in tables {
                        details {
                            summary { (t.caption.clone().unwrap_or_default()) }
                            (table(t, true))
                        }
                    }
                }
            }
            Section::Charts { heading, charts } => {
                section {
                    h2 { (heading) }
                    @for c in charts {
                        figure.chart data-chart=(c.name) {
                            (PreEscaped(&c.svg))
                            figcaption { (c.name) }
                        }
                    }
                }
            }
            Section::Text { heading, paragraphs } => {
                section {
                    h2 { (heading) }
                    @for p in paragraphs { p { (p) } }
                }
            }
            Section::Source { heading, text } => {
                section {
                    h2 { (heading) }
                    pre { (text) }
                }
            }
        }
    }
}

/// The page, as bytes.
pub fn render(report: &Report) -> Vec<u8> {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (report.title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { (report.title) }
                    @for line in &report.lead { p.lead { (line) } }
                }
                @if !report.key.is_empty() {
                    dl.key {
                        @for k in &report.key {
                            div { dt { (k.label) } dd data-key=(k.key) data-value=(k.value) { (k.shown) } }
                        }
                    }
                }
                main { @for s in &report.sections { (section(s)) } }
                script { (PreEscaped(SORT)) }
            }
        }
    };
    let mut bytes = page.into_string().into_bytes();
    bytes.push(b'\n');
    bytes
}

/// The scenario as run: the file's text, after the command line's changes to it (`--set …`,
/// `--variant …`), one a line.
pub fn scenario_section(text: &str, changes: &[String]) -> Section {
    let mut shown = String::new();
    for c in changes {
        shown.push_str(&format!("# {c}\n"));
    }
    if !changes.is_empty() {
        shown.push('\n');
    }
    shown.push_str(text);
    Section::Source { heading: "The scenario as run".into(), text: shown }
}

/// What a run's page says of it under its title.
fn run_lead(scenario: &crate::scenario::Scenario) -> String {
    let sim = &scenario.simulation;
    format!(
        "{} replication{} of {}, seed {}, reported per {}",
        sim.replications,
        if sim.replications == 1 { "" } else { "s" },
        sim.horizon.label(),
        sim.seed,
        sim.interval.label()
    )
}

/// The page of `ccsim run` (and, with its gates, of `ccsim check`).
pub fn run_report(
    command: &str,
    results: &RunResults,
    scenario: &crate::scenario::Scenario,
    scenario_text: Section,
    files: &[OutputFile],
    gates: Option<&[crate::metrics::gates::Gate]>,
) -> Report {
    let footer = super::terminal::service_level_footer(scenario);
    let mut sections = vec![Section::Tables {
        heading: "Headline".into(),
        tables: vec![HtmlTable::of(&super::terminal::summary(results))],
        note: Some(footer.clone()),
    }];
    if let Some(gates) = gates {
        let failed = gates.iter().filter(|g| g.verdict == crate::metrics::gates::Verdict::Fail).count();
        sections.push(Section::Tables {
            heading: "Gates".into(),
            tables: super::check::gates_table(gates, false).map(|t| HtmlTable::of(&t)).into_iter().collect(),
            note: Some(format!("{} gates, {failed} failed.", gates.len())),
        });
    }
    let charts = charts_of(files);
    if !charts.is_empty() {
        sections.push(Section::Charts { heading: "Charts".into(), charts });
    }
    sections.push(Section::Folded { heading: "Per interval".into(), tables: interval_tables(results) });
    sections.push(how_to_read(&footer));
    sections.push(scenario_text);
    Report {
        title: format!("ccsim {command}: {}", scenario.name),
        lead: vec![run_lead(scenario)],
        key: key_figures(results),
        sections,
    }
}

/// The page of `ccsim compare`: the comparison's tables, its charts, each variant's headline.
pub fn compare_report(
    comparison: &crate::metrics::Comparison,
    scenarios: &[crate::scenario::Scenario],
    scenario_text: Section,
    files: &[OutputFile],
) -> Report {
    let names: Vec<&str> = comparison.variants.iter().map(|(n, _)| n.as_str()).collect();
    let footer = super::terminal::service_level_footer(&scenarios[0]);
    let mut sections = vec![Section::Tables {
        heading: "Comparison".into(),
        tables: super::comparison::compare_tables(comparison).iter().map(HtmlTable::of).collect(),
        note: Some(format!(
            "{footer}; differences of shares are in percentage points (pp); * marks a paired difference whose 95% interval excludes 0"
        )),
    }];
    let charts = charts_of(files);
    if !charts.is_empty() {
        sections.push(Section::Charts { heading: "Charts".into(), charts });
    }
    sections.push(Section::Tables {
        heading: "Each variant".into(),
        tables: comparison
            .variants
            .iter()
            .map(|(name, results)| HtmlTable::of(&super::terminal::summary(results)).captioned(name.clone()))
            .collect(),
        note: None,
    });
    sections.push(how_to_read(&footer));
    sections.push(scenario_text);
    Report {
        title: format!("ccsim compare: {}", scenarios[0].name),
        lead: vec![format!("{} on the same customers", names.join(" vs ")), run_lead(&scenarios[0])],
        key: key_figures(&comparison.variants[0].1),
        sections,
    }
}

/// The page of `ccsim sweep`: one row per point and scope, with the gates, and the charts.
pub fn sweep_report(
    table: &Table,
    base: &crate::scenario::Scenario,
    points: usize,
    scenario_text: Section,
    files: &[OutputFile],
) -> Report {
    let footer = super::terminal::service_level_footer(base);
    let mut sections = vec![Section::Tables {
        heading: "Every point".into(),
        tables: vec![HtmlTable::of(table)],
        note: Some(footer.clone()),
    }];
    let charts = charts_of(files);
    if !charts.is_empty() {
        sections.push(Section::Charts { heading: "Charts".into(), charts });
    }
    sections.push(how_to_read(&footer));
    sections.push(scenario_text);
    Report {
        title: format!("ccsim sweep: {}", base.name),
        lead: vec![format!("{points} points"), run_lead(base)],
        key: Vec::new(),
        sections,
    }
}

/// What a plan's page (`ccsim staff`, `ccsim schedule`) holds besides its own tables.
pub struct PlanPage<'a> {
    pub command: &'a str,
    pub scenario: &'a crate::scenario::Scenario,
    pub lead: Vec<String>,
    /// The plan's summary tables, as the terminal prints them.
    pub tables: Vec<HtmlTable>,
    /// The plan per slot or per shift (`staffing.csv`, `schedule.csv`).
    pub detail: HtmlTable,
    /// The verification: its gates and its results.
    pub gates: &'a [crate::metrics::gates::Gate],
    pub verification: &'a RunResults,
    pub scenario_text: Section,
    /// The plan's own charts (not the verification's).
    pub files: &'a [OutputFile],
}

/// The page of `ccsim staff` and `ccsim schedule`: the plan, its verification's gates and
/// headline, the charts, the plan in detail.
pub fn plan_report(page: PlanPage<'_>) -> Report {
    let footer = super::terminal::service_level_footer(page.scenario);
    let failed = page.gates.iter().filter(|g| g.verdict == crate::metrics::gates::Verdict::Fail).count();
    let mut sections = vec![
        Section::Tables { heading: "The plan".into(), tables: page.tables, note: None },
        Section::Tables {
            heading: "Verification".into(),
            tables: super::check::gates_table(page.gates, false)
                .map(|t| HtmlTable::of(&t).captioned("gates, on a seed no search run used"))
                .into_iter()
                .chain([HtmlTable::of(&super::terminal::summary(page.verification)).captioned("headline")])
                .collect(),
            note: Some(format!("{} gates, {failed} failed. {footer}.", page.gates.len())),
        },
    ];
    let charts = charts_of(page.files);
    if !charts.is_empty() {
        sections.push(Section::Charts { heading: "Charts".into(), charts });
    }
    sections.push(Section::Folded { heading: "In detail".into(), tables: vec![page.detail] });
    sections.push(how_to_read(&footer));
    sections.push(page.scenario_text);
    Report {
        title: format!("ccsim {}: {}", page.command, page.scenario.name),
        lead: page.lead,
        key: key_figures(page.verification),
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_verdicts_are_marked_as_verdicts() {
        assert_eq!(verdict_class("FAIL 0.7100"), Some("fail"));
        assert_eq!(verdict_class("FAIL"), Some("fail"));
        assert_eq!(verdict_class("pass 0.9100"), Some("pass"));
        assert_eq!(verdict_class("passengers"), None);
        assert_eq!(verdict_class("FAILOVER"), None);
    }

    #[test]
    fn everything_from_the_scenario_is_escaped() {
        let report = Report {
            title: "<script>alert(1)</script>".into(),
            lead: vec!["a & b".into()],
            key: vec![KeyFigure { key: "k".into(), label: "<b>".into(), shown: "1".into(), value: "1".into() }],
            sections: vec![
                Section::Tables {
                    heading: "queue <i>".into(),
                    tables: vec![HtmlTable {
                        caption: Some("</table>".into()),
                        header: vec!["\"h\"".into()],
                        rows: vec![vec!["<script>x</script>".into()]],
                    }],
                    note: None,
                },
                Section::Source { heading: "s".into(), text: "name = \"<script>\"".into() },
            ],
        };
        let page = String::from_utf8(render(&report)).unwrap();
        // The one script is the page's own sorting script.
        assert_eq!(page.matches("<script>").count(), 1, "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("a &amp; b") && page.contains("&lt;/table&gt;") && page.contains("&lt;b&gt;"));
        assert!(!page.contains("<i>"));
    }
}
