//! The drawing surface every chart shares: a [`Figure`] of one or more [`Panel`]s, each a list
//! of [`Layer`]s on two [`Scale`]s, rendered at 1200×700 to PNG and SVG.
//!
//! Everything about how a chart looks lives here, so that the chart modules only say what to
//! show: the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies), the
//! text sizes, a legend drawn in the header rather than over the data, tick marks on round values
//! (clock times for the time axis), and gaps where a value is undefined (NaN) instead of a line
//! drawn through them.
//!
//! Text is drawn with Noto Sans, embedded in the binary and registered with plotters before
//! anything is measured, so that charts render the same on a machine without any installed font
//! or font library. Both renderings are byte-for-byte deterministic: layers are drawn in the order
//! given, and nothing here iterates a hash map (plotters' `Histogram` series does, which is why
//! bars are drawn as rectangles).

use std::fmt::Display;
use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, KeyPointWeight, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use super::bitmap::Bitmap;
use crate::time::{DAY, HOUR, SimTime};

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 700;

/// The Okabe–Ito palette. Yellow is left out: it is too pale on white for thin lines.
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
pub const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);
pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
pub const INK: RGBColor = RGBColor(0, 0, 0);
pub const GREY: RGBColor = RGBColor(110, 110, 110);

const CYCLE: [RGBColor; 6] = [BLUE, ORANGE, BLUISH_GREEN, VERMILLION, REDDISH_PURPLE, SKY_BLUE];

/// The colour of the `i`-th series, and whether it is dashed: after the six colours, the cycle
/// repeats dashed, so that no two series look alike.
pub fn series_style(i: usize) -> (RGBColor, bool) {
    (CYCLE[i % CYCLE.len()], (i / CYCLE.len()) % 2 == 1)
}

const FONT: &str = "sans-serif";
const MARGIN: i32 = 24;
const TITLE_SIZE: f64 = 30.0;
const SUBTITLE_SIZE: f64 = 18.0;
const LEGEND_SIZE: f64 = 18.0;
const CAPTION_SIZE: f64 = 21.0;
const AXIS_SIZE: f64 = 19.0;
const TICK_SIZE: f64 = 16.0;
const NOTE_SIZE: f64 = 17.0;
const LINE_WIDTH: u32 = 3;
const BAND_OPACITY: f64 = 0.22;
const GRID: RGBColor = RGBColor(228, 228, 228);

/// Registers the embedded font under the generic families plotters asks for. Must run before any
/// text is measured, for the SVG backend too, which lays labels out with the font's metrics.
fn register_fonts() -> Result<(), String> {
    for family in [FONT, "serif", "monospace"] {
        register_font(family, FontStyle::Normal, ttf_noto_sans::REGULAR)
            .map_err(|_| "the embedded font cannot be read".to_string())?;
    }
    Ok(())
}

/// One axis: its range, and its ticks with their labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Scale {
    lo: f64,
    hi: f64,
    ticks: Vec<(f64, String)>,
}

impl Scale {
    /// A linear scale over `lo..hi` widened to round ticks (1, 2, 2.5 or 5 × 10ⁿ, about six of
    /// them). An empty or undefined range becomes 0..1.
    pub fn linear(lo: f64, hi: f64) -> Scale {
        let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
            (true, true) if hi > lo => (lo, hi),
            (true, true) if lo != 0.0 => (lo - lo.abs() * 0.1, hi + hi.abs() * 0.1),
            _ => (0.0, 1.0),
        };
        let raw = (hi - lo) / 6.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(raw);
        let decimals = (-(step.log10().floor())).max(0.0) as usize + usize::from((step / magnitude - 2.5).abs() < 1e-9);
        let first = (lo / step + 1e-9).floor() as i64;
        let last = (hi / step - 1e-9).ceil() as i64;
        let ticks = (first..=last)
            .map(|i| {
                let v = i as f64 * step;
                let text = format!("{:.*}", decimals, v);
                (v, if text.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') { "0".into() } else { text })
            })
            .collect();
        Scale { lo: first as f64 * step, hi: last as f64 * step, ticks }
    }

    /// A linear scale that always includes `must` (0 for counts, a target line, …).
    pub fn linear_with(values: impl IntoIterator<Item = f64>, must: &[f64]) -> Scale {
        let (lo, hi) = extent(values.into_iter().chain(must.iter().copied()));
        Scale::linear(lo, hi)
    }

    /// Time of the simulated clock, in hours since 00:00 of day 1, ticked on whole clock times
    /// (every 1, 2, 3, 4, 6 or 12 hours, or whole days) and labelled `HH:MM` / `dN HH:MM`.
    pub fn clock(from_h: f64, to_h: f64) -> Scale {
        let (lo, hi) = if to_h > from_h { (from_h, to_h) } else { (from_h, from_h + 1.0) };
        let steps = [0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 12.0, 24.0, 48.0, 168.0, 336.0, 720.0, 1440.0, 8760.0];
        let step = steps.iter().copied().find(|s| (hi - lo) / s <= 13.0).unwrap_or((hi - lo) / 12.0);
        let first = (lo / step - 1e-9).ceil() as i64;
        let last = (hi / step + 1e-9).floor() as i64;
        let one_day = hi <= DAY / HOUR + 1e-9;
        let ticks = (first..=last)
            .map(|i| {
                let h = i as f64 * step;
                let label =
                    if one_day && (h - 24.0).abs() < 1e-9 { "24:00".into() } else { SimTime(h * HOUR).clock_label() };
                (h, label)
            })
            .collect();
        Scale { lo, hi, ticks }
    }

    /// Named categories at 0, 1, 2, … with half a slot of room on either side.
    pub fn categories(names: &[String]) -> Scale {
        let ticks = names.iter().enumerate().map(|(i, n)| (i as f64, n.clone())).collect();
        Scale { lo: -0.5, hi: names.len().max(1) as f64 - 0.5, ticks }
    }

    /// A scale that keeps `ticks` (position, label) and spans `lo..hi`.
    pub fn with_ticks(lo: f64, hi: f64, ticks: Vec<(f64, String)>) -> Scale {
        Scale { lo, hi, ticks }
    }

    /// The same scale with `share` of its span added above the last tick, for labels and for
    /// lines that run along the top.
    pub fn with_headroom(mut self, share: f64) -> Scale {
        self.hi += (self.hi - self.lo) * share;
        self
    }

    pub fn lo(&self) -> f64 {
        self.lo
    }

    pub fn hi(&self) -> f64 {
        self.hi
    }

    fn label(&self, v: f64) -> String {
        let tolerance = (self.hi - self.lo).abs() * 1e-9;
        self.ticks.iter().find(|(t, _)| (t - v).abs() <= tolerance).map_or_else(String::new, |(_, l)| l.clone())
    }
}

/// The smallest and largest finite value; NaN, NaN when there is none.
pub fn extent(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    values.into_iter().filter(|v| v.is_finite()).fold((f64::NAN, f64::NAN), |(lo, hi), v| (lo.min(v), hi.max(v)))
}

impl Ranged for Scale {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let length = limit.1 - limit.0;
        if self.hi == self.lo || length == 0 {
            return limit.0 + length / 2;
        }
        let share = (v - self.lo) / (self.hi - self.lo);
        limit.0 + (f64::from(length) * share).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // Ticks are chosen here, not by plotters; the light grid between them is left out.
        match hint.weight() {
            KeyPointWeight::Bold => self.ticks.iter().map(|(t, _)| *t).collect(),
            KeyPointWeight::Any => Vec::new(),
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Something drawn on a panel, in data coordinates. NaN values leave a gap.
pub enum Layer {
    /// A shaded band between a lower and an upper bound: (x, low, high).
    Band { points: Vec<(f64, f64, f64)>, colour: RGBColor },
    /// A line through (x, y), with a dot on every point when `markers`.
    Line { points: Vec<(f64, f64)>, colour: RGBColor, dashed: bool, markers: bool },
    /// A dot with a 95% interval: (x, y, low, high).
    Whiskers { points: Vec<(f64, f64, f64, f64)>, colour: RGBColor },
    /// Rectangles (x0, x1, y0, y1).
    Bars { bars: Vec<(f64, f64, f64, f64)>, colour: RGBColor },
    /// A dashed horizontal reference line, labelled at its right end.
    HLine { y: f64, colour: RGBColor, label: String },
    /// A dashed vertical reference line, labelled beside its top, or its foot when `low`.
    VLine { x: f64, colour: RGBColor, label: String, low: bool },
    /// Text beside a point: (x, y, text), above it, or below it when `below`.
    Labels { items: Vec<(f64, f64, String)>, colour: RGBColor, below: bool },
}

impl Layer {
    /// Whether the layer shows data (reference lines and labels do not).
    fn has_data(&self) -> bool {
        match self {
            Layer::Band { points, .. } => points.iter().any(|p| p.1.is_finite() && p.2.is_finite()),
            Layer::Line { points, .. } => points.iter().any(|p| p.1.is_finite()),
            Layer::Whiskers { points, .. } => points.iter().any(|p| p.1.is_finite()),
            Layer::Bars { bars, .. } => bars.iter().any(|b| b.3 > b.2),
            Layer::HLine { .. } | Layer::VLine { .. } | Layer::Labels { .. } => false,
        }
    }
}

/// One plot: axes, what is drawn on them, and what to say when there is nothing to draw.
pub struct Panel {
    pub caption: Option<String>,
    pub x: Scale,
    pub x_label: String,
    pub y: Scale,
    pub y_label: String,
    pub layers: Vec<Layer>,
    pub empty_note: String,
}

/// How a legend entry is drawn.
#[derive(Clone, Copy)]
pub enum Swatch {
    Line(RGBColor, bool),
    Band(RGBColor),
    LineAndBand(RGBColor),
    Bar(RGBColor),
    Whisker(RGBColor),
    Reference(RGBColor),
}

pub struct LegendEntry {
    pub swatch: Swatch,
    pub label: String,
}

impl LegendEntry {
    pub fn new(swatch: Swatch, label: impl Into<String>) -> LegendEntry {
        LegendEntry { swatch, label: label.into() }
    }
}

/// A chart file: its name under `charts/` (without extension), a title, a subtitle (one or more
/// lines) that says what the numbers are, a legend, and its panels side by side (or one above the
/// other).
pub struct Figure {
    pub name: String,
    pub title: String,
    pub subtitle: String,
    pub legend: Vec<LegendEntry>,
    pub panels: Vec<Panel>,
    pub stacked: bool,
}

/// The figure as PNG bytes and as SVG text.
pub fn render(figure: &Figure) -> Result<(Vec<u8>, String), String> {
    register_fonts()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(figure, &root)?;
        root.present().map_err(fail)?;
    }
    let mut pixels = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let font = ab_glyph::FontRef::try_from_slice(ttf_noto_sans::REGULAR)
            .map_err(|_| "the embedded font cannot be read".to_string())?;
        let root = Bitmap::new(&mut pixels, (WIDTH, HEIGHT), font).into_drawing_area();
        draw(figure, &root)?;
        root.present().map_err(fail)?;
    }
    Ok((encode_png(&pixels)?, svg))
}

fn encode_png(pixels: &[u8]) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(pixels).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(bytes)
}

fn fail(e: impl Display) -> String {
    e.to_string()
}

fn text_style(size: f64, colour: RGBColor) -> TextStyle<'static> {
    (FONT, size).into_font().color(&colour)
}

fn draw<DB: DrawingBackend>(figure: &Figure, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
    root.fill(&WHITE).map_err(fail)?;
    let size = title_size(root, &figure.title)?;
    root.draw(&Text::new(figure.title.clone(), (MARGIN, 16), text_style(size, INK))).map_err(fail)?;
    let mut y = 56;
    for line in figure.subtitle.lines() {
        root.draw(&Text::new(line.to_string(), (MARGIN, y), text_style(SUBTITLE_SIZE, GREY))).map_err(fail)?;
        y += 24;
    }
    let top = draw_legend(root, &figure.legend, y + 10)?;
    let (_, body) = root.split_vertically(top + 6);
    let body = body.margin(0, 8, 8, 16);
    let n = figure.panels.len().max(1);
    let areas = if figure.stacked { body.split_evenly((n, 1)) } else { body.split_evenly((1, n)) };
    for (panel, area) in figure.panels.iter().zip(&areas) {
        draw_panel(panel, area)?;
    }
    Ok(())
}

/// The title's text size: [`TITLE_SIZE`], or smaller for a title that would run past the right
/// margin (long variant names or swept keys), down to the subtitle's size.
fn title_size<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, title: &str) -> Result<f64, String> {
    let (width, _) = root.estimate_text_size(title, &text_style(TITLE_SIZE, INK)).map_err(fail)?;
    // An SVG viewer sets the text about a tenth wider than plotters measures it for the PNG.
    let room = (f64::from(WIDTH) - 2.0 * f64::from(MARGIN)) / 1.1;
    Ok(if f64::from(width) <= room { TITLE_SIZE } else { (TITLE_SIZE * room / f64::from(width)).max(SUBTITLE_SIZE) })
}

/// Draws the legend in rows from `y`, wrapping at the right margin; returns where it ends.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    y: i32,
) -> Result<i32, String> {
    if entries.is_empty() {
        return Ok(y);
    }
    let style = text_style(LEGEND_SIZE, INK);
    let (row_height, swatch_width, gap) = (28, 34, 30);
    let (mut x, mut y) = (MARGIN, y);
    for entry in entries {
        let (text_width, _) = root.estimate_text_size(&entry.label, &style).map_err(fail)?;
        let width = swatch_width + 8 + text_width as i32;
        if x > MARGIN && x + width > WIDTH as i32 - MARGIN {
            x = MARGIN;
            y += row_height;
        }
        // Level with the middle of the label's lower-case letters.
        draw_swatch(root, entry.swatch, x, y + 7, swatch_width)?;
        root.draw(&Text::new(entry.label.clone(), (x + swatch_width + 8, y), style.clone())).map_err(fail)?;
        x += width + gap;
    }
    Ok(y + row_height)
}

fn draw_swatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    x: i32,
    y: i32,
    w: i32,
) -> Result<(), String> {
    let line = |colour: RGBColor, dashed: bool| -> Result<(), String> {
        let style = colour.stroke_width(LINE_WIDTH);
        if dashed {
            for i in 0..3 {
                let x0 = x + i * w / 3;
                root.draw(&PathElement::new(vec![(x0, y), (x0 + w / 5, y)], style)).map_err(fail)?;
            }
            Ok(())
        } else {
            root.draw(&PathElement::new(vec![(x, y), (x + w, y)], style)).map_err(fail)
        }
    };
    match swatch {
        Swatch::Line(colour, dashed) => line(colour, dashed),
        Swatch::Reference(colour) => line(colour, true),
        Swatch::Band(colour) => {
            root.draw(&Rectangle::new([(x, y - 8), (x + w, y + 8)], colour.mix(BAND_OPACITY).filled())).map_err(fail)
        }
        Swatch::LineAndBand(colour) => {
            root.draw(&Rectangle::new([(x, y - 8), (x + w, y + 8)], colour.mix(BAND_OPACITY).filled()))
                .map_err(fail)?;
            line(colour, false)
        }
        Swatch::Bar(colour) => {
            root.draw(&Rectangle::new([(x + 4, y - 9), (x + w - 4, y + 9)], colour.filled())).map_err(fail)
        }
        Swatch::Whisker(colour) => {
            let (cx, style) = (x + w / 2, colour.stroke_width(2));
            root.draw(&PathElement::new(vec![(cx, y - 10), (cx, y + 10)], style)).map_err(fail)?;
            root.draw(&PathElement::new(vec![(cx - 6, y - 10), (cx + 6, y - 10)], style)).map_err(fail)?;
            root.draw(&PathElement::new(vec![(cx - 6, y + 10), (cx + 6, y + 10)], style)).map_err(fail)?;
            root.draw(&Circle::new((cx, y), 5, colour.filled())).map_err(fail)
        }
    }
}

/// The runs of consecutive points for which `defined` holds: lines and bands break at a gap.
fn runs<T: Copy>(points: &[T], defined: impl Fn(&T) -> bool) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = Vec::new();
    let mut current = Vec::new();
    for p in points {
        if defined(p) {
            current.push(*p);
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn draw_panel<DB: DrawingBackend>(panel: &Panel, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
    let mut builder = ChartBuilder::on(area);
    builder.margin(8).margin_right(28).x_label_area_size(62).y_label_area_size(86);
    if let Some(caption) = &panel.caption {
        builder.caption(caption, text_style(CAPTION_SIZE, INK));
    }
    let mut chart = builder.build_cartesian_2d(panel.x.clone(), panel.y.clone()).map_err(fail)?;
    let (x_scale, y_scale) = (panel.x.clone(), panel.y.clone());
    let x_label = move |v: &f64| x_scale.label(*v);
    let y_label = move |v: &f64| y_scale.label(*v);
    chart
        .configure_mesh()
        .x_desc(panel.x_label.as_str())
        .y_desc(panel.y_label.as_str())
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .x_labels(64)
        .y_labels(64)
        .label_style(text_style(TICK_SIZE, INK))
        .axis_desc_style(text_style(AXIS_SIZE, INK))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(GREY.stroke_width(1))
        .draw()
        .map_err(fail)?;

    let (x0, x1, y0, y1) = (panel.x.lo, panel.x.hi, panel.y.lo, panel.y.hi);
    let clamp_y = |y: f64| y.clamp(y0, y1);
    for layer in &panel.layers {
        match layer {
            Layer::Band { points, colour } => {
                for run in runs(points, |p| p.0.is_finite() && p.1.is_finite() && p.2.is_finite()) {
                    if run.len() < 2 {
                        continue;
                    }
                    let mut outline: Vec<(f64, f64)> = run.iter().map(|p| (p.0, clamp_y(p.2))).collect();
                    outline.extend(run.iter().rev().map(|p| (p.0, clamp_y(p.1))));
                    chart
                        .draw_series(std::iter::once(Polygon::new(outline, colour.mix(BAND_OPACITY).filled())))
                        .map_err(fail)?;
                }
            }
            Layer::Line { points, colour, dashed, markers } => {
                let style = colour.stroke_width(LINE_WIDTH);
                for run in runs(points, |p| p.0.is_finite() && p.1.is_finite()) {
                    if *dashed {
                        chart.draw_series(DashedLineSeries::new(run.clone(), 12, 8, style)).map_err(fail)?;
                    } else {
                        chart.draw_series(LineSeries::new(run.clone(), style)).map_err(fail)?;
                    }
                    if *markers || run.len() == 1 {
                        chart.draw_series(run.iter().map(|&p| Circle::new(p, 4, colour.filled()))).map_err(fail)?;
                    }
                }
            }
            Layer::Whiskers { points, colour } => {
                for &(x, y, lo, hi) in points.iter().filter(|p| p.0.is_finite() && p.1.is_finite()) {
                    if lo.is_finite() && hi.is_finite() {
                        // Drawn as lines rather than plotters' `ErrorBar`, which also strokes a
                        // ring around the middle that shows as a broken halo round the dot. An end
                        // cut off by the axis gets no cap: the interval goes on beyond it.
                        let style = colour.stroke_width(3);
                        chart
                            .draw_series(std::iter::once(PathElement::new(
                                vec![(x, clamp_y(lo)), (x, clamp_y(hi))],
                                style,
                            )))
                            .map_err(fail)?;
                        for end in [lo, hi].into_iter().filter(|v| (y0..=y1).contains(v)) {
                            chart
                                .draw_series(std::iter::once(
                                    EmptyElement::at((x, end)) + PathElement::new(vec![(-9, 0), (9, 0)], style),
                                ))
                                .map_err(fail)?;
                        }
                    }
                    chart.draw_series(std::iter::once(Circle::new((x, y), 7, colour.filled()))).map_err(fail)?;
                }
            }
            Layer::Bars { bars, colour } => {
                let shown = bars.iter().filter(|b| b.0.is_finite() && b.1.is_finite() && b.3 > b.2);
                chart
                    .draw_series(
                        shown.map(|&(a, b, lo, hi)| {
                            Rectangle::new([(a, clamp_y(hi)), (b, clamp_y(lo))], colour.filled())
                        }),
                    )
                    .map_err(fail)?;
                // A thin white edge keeps neighbouring bars apart.
                let shown = bars.iter().filter(|b| b.0.is_finite() && b.1.is_finite() && b.3 > b.2);
                chart
                    .draw_series(shown.map(|&(a, b, lo, hi)| {
                        Rectangle::new([(a, clamp_y(hi)), (b, clamp_y(lo))], WHITE.stroke_width(1))
                    }))
                    .map_err(fail)?;
            }
            Layer::HLine { y, colour, label } => {
                if y.is_finite() && (y0..=y1).contains(y) {
                    chart
                        .draw_series(DashedLineSeries::new(vec![(x0, *y), (x1, *y)], 10, 6, colour.stroke_width(2)))
                        .map_err(fail)?;
                    let style = text_style(NOTE_SIZE, *colour).pos(Pos::new(HPos::Right, VPos::Bottom));
                    chart
                        .draw_series(std::iter::once(
                            EmptyElement::at((x1, *y)) + Text::new(label.clone(), (-8, -5), style),
                        ))
                        .map_err(fail)?;
                }
            }
            Layer::VLine { x, colour, label, low } => {
                if x.is_finite() && (x0..=x1).contains(x) {
                    chart
                        .draw_series(DashedLineSeries::new(vec![(*x, y0), (*x, y1)], 10, 6, colour.stroke_width(2)))
                        .map_err(fail)?;
                    let (y, vpos, dy) = if *low { (y0, VPos::Bottom, -8) } else { (y1, VPos::Top, 6) };
                    let style = text_style(NOTE_SIZE, *colour).pos(Pos::new(HPos::Left, vpos));
                    chart
                        .draw_series(std::iter::once(
                            EmptyElement::at((*x, y)) + Text::new(label.clone(), (8, dy), style),
                        ))
                        .map_err(fail)?;
                }
            }
            Layer::Labels { items, colour, below } => {
                let (vpos, dy) = if *below { (VPos::Top, 12) } else { (VPos::Bottom, -12) };
                let style = text_style(NOTE_SIZE, *colour).pos(Pos::new(HPos::Center, vpos));
                for (x, y, text) in items.iter().filter(|i| i.0.is_finite() && i.1.is_finite()) {
                    chart
                        .draw_series(std::iter::once(
                            EmptyElement::at((*x, clamp_y(*y))) + Text::new(text.clone(), (0, dy), style.clone()),
                        ))
                        .map_err(fail)?;
                }
            }
        }
    }
    if !panel.layers.iter().any(Layer::has_data) {
        let style = text_style(AXIS_SIZE, GREY).pos(Pos::new(HPos::Center, VPos::Center));
        chart
            .draw_series(std::iter::once(Text::new(
                panel.empty_note.clone(),
                ((x0 + x1) / 2.0, (y0 + y1) / 2.0),
                style,
            )))
            .map_err(fail)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_scales_tick_round_numbers_and_cover_the_data() {
        let s = Scale::linear(3.0, 97.0);
        assert!(s.lo <= 3.0 && s.hi >= 97.0);
        let labels: Vec<&str> = s.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["0", "20", "40", "60", "80", "100"]);
        assert_eq!((Scale::linear(0.0, 100.0).lo, Scale::linear(0.0, 100.0).hi), (0.0, 100.0));
        let small = Scale::linear(-0.013, 0.021);
        assert!(small.ticks.iter().any(|(_, l)| l == "0"), "{:?}", small.ticks);
        assert!(small.ticks.iter().all(|(_, l)| !l.starts_with("-0.000")));
        assert_eq!(Scale::linear(f64::NAN, f64::NAN), Scale::linear(0.0, 1.0));
        let flat = Scale::linear(5.0, 5.0);
        assert!(flat.lo < 5.0 && flat.hi > 5.0);
    }

    #[test]
    fn clock_scales_tick_whole_hours_and_days() {
        let day = Scale::clock(0.0, 24.0);
        let labels: Vec<&str> = day.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels.first(), Some(&"00:00"));
        assert_eq!(labels.last(), Some(&"24:00"));
        assert!(labels.contains(&"12:00"));
        assert!(day.ticks.len() <= 13);
        let week = Scale::clock(24.0, 24.0 * 8.0);
        assert!(week.ticks.iter().all(|(_, l)| l.ends_with("00:00")), "{:?}", week.ticks);
    }

    #[test]
    fn a_title_too_long_for_the_width_is_set_smaller() {
        register_fonts().unwrap();
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        assert_eq!(title_size(&root, "Service level against agents").unwrap(), TITLE_SIZE);
        let long = format!("Service level per interval: {}", ["a_rather_long_variant_name"; 3].join(" vs "));
        let size = title_size(&root, &long).unwrap();
        assert!(size < TITLE_SIZE, "{size}");
        let (width, _) = root.estimate_text_size(&long, &text_style(size, INK)).unwrap();
        assert!(f64::from(width) <= f64::from(WIDTH - 2 * MARGIN as u32) / 1.1 + 1.0, "{width}");
    }

    #[test]
    fn gaps_split_lines() {
        let points = [(0.0, 1.0), (1.0, f64::NAN), (2.0, 2.0), (3.0, 3.0)];
        let r = runs(&points, |p| p.1.is_finite());
        assert_eq!(r, vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]);
    }
}
