//! The charts of `ccsim fit`, per channel: the arrival profile by slot of the week (or day) with
//! its spread across the days seen; the handle times' histogram with each fitted density over
//! it; and the Kaplan–Meier survival of patience beside the fitted exponential's.

use super::canvas::{BLUE, BLUISH_GREEN, Figure, GREY, Layer, LegendEntry, ORANGE, Panel, Scale, Swatch, VERMILLION};
use crate::fit::ChannelFit;
use crate::fit::estimate;
use crate::report::terminal::printable;

use super::{cycle_axis, file_part, steps};

pub fn figures(fits: &[ChannelFit]) -> Vec<Figure> {
    let mut figures = Vec::new();
    for f in fits {
        let name = printable(&f.name);
        let a = &f.arrivals;
        let hours = a.slot / 3600.0;
        let mean: Vec<f64> = a.rates.iter().map(|r| r.estimate).collect();
        let band: Vec<(f64, f64, f64)> = a
            .rates
            .iter()
            .zip(&a.spread)
            .enumerate()
            .flat_map(|(j, (r, s))| {
                let (lo, hi) = ((r.estimate - s).max(0.0), r.estimate + s);
                [(j as f64 * hours, lo, hi), ((j + 1) as f64 * hours, lo, hi)]
            })
            .collect();
        let x = cycle_axis(a.weekly());
        let y = Scale::linear_with(band.iter().map(|b| b.2).chain(mean.iter().copied()), &[0.0]).with_headroom(0.08);
        figures.push(Figure {
            name: format!("fit_arrivals_{}", file_part(&f.name)),
            title: format!("Arrivals per hour: {name}"),
            subtitle: format!(
                "the mean over the days seen in each slot of {}, with ± one standard deviation across those days",
                if a.weekly() { "the week" } else { "the day" }
            ),
            legend: vec![
                LegendEntry::new(Swatch::Line(BLUE, false), "mean rate"),
                LegendEntry::new(Swatch::Band(BLUE), "± 1 sd across days"),
            ],
            panels: vec![Panel {
                caption: None,
                x,
                x_label: if a.weekly() { "day of the week".into() } else { "time of day".into() },
                y,
                y_label: "arrivals per hour".into(),
                layers: vec![
                    Layer::Band { points: band, colour: BLUE },
                    Layer::Line {
                        points: steps(mean.iter().copied(), hours),
                        colour: BLUE,
                        dashed: false,
                        markers: false,
                    },
                ],
                empty_note: "no arrivals".into(),
            }],
            stacked: false,
        });

        let h = &f.handle;
        if !h.values.is_empty() {
            let mut sorted = h.values.clone();
            sorted.sort_by(f64::total_cmp);
            let top = sorted[((sorted.len() - 1) as f64 * 0.99) as usize].max(1e-9);
            let bins = 40usize;
            let width = top / bins as f64;
            let mut counts = vec![0.0; bins];
            for &v in &sorted {
                if v < top + width * 1e-9 {
                    counts[((v / width) as usize).min(bins - 1)] += 1.0;
                }
            }
            let n = sorted.len() as f64;
            let bars: Vec<(f64, f64, f64, f64)> = counts
                .iter()
                .enumerate()
                .map(|(i, c)| (i as f64 * width, (i + 1) as f64 * width, 0.0, c / (n * width)))
                .collect();
            let colours = [ORANGE, BLUISH_GREEN, VERMILLION];
            let mut layers = vec![Layer::Bars { bars: bars.clone(), colour: GREY }];
            let mut legend =
                vec![LegendEntry::new(Swatch::Bar(GREY), format!("handle times ({} values)", sorted.len()))];
            for (i, fitted) in h.fits.iter().enumerate() {
                let points: Vec<(f64, f64)> =
                    (0..=200).map(|k| k as f64 * top / 200.0).map(|t| (t, estimate::density(fitted, t))).collect();
                let chosen = h.chosen == Some(i);
                layers.push(Layer::Line { points, colour: colours[i % 3], dashed: !chosen, markers: false });
                legend.push(LegendEntry::new(
                    Swatch::Line(colours[i % 3], !chosen),
                    format!(
                        "{}{} (AIC {:.0}, KS {:.3})",
                        fitted.family.name(),
                        if chosen { ", chosen" } else { "" },
                        fitted.aic,
                        fitted.ks
                    ),
                ));
            }
            let peak = bars.iter().map(|b| b.3).fold(0.0, f64::max);
            figures.push(Figure {
                name: format!("fit_handle_time_{}", file_part(&f.name)),
                title: format!("Handle times: {name}"),
                subtitle: format!(
                    "the data's histogram (to its 99th percentile) and each distribution fitted by maximum likelihood; sample mean {:.1} s",
                    h.sample_mean
                ),
                legend,
                panels: vec![Panel {
                    caption: None,
                    x: Scale::linear(0.0, top),
                    x_label: "seconds".into(),
                    y: Scale::linear(0.0, peak * 1.3),
                    y_label: "density".into(),
                    layers,
                    empty_note: "no handle times".into(),
                }],
                stacked: false,
            });
        }

        if let Some(p) = &f.patience {
            let last = p.curve.last().map_or(1.0, |c| c.0).max(1.0);
            let km: Vec<(f64, f64)> = std::iter::once((0.0, 1.0))
                .chain(
                    p.curve
                        .iter()
                        .scan(1.0, |prev, &(t, s)| {
                            let out = [(t, *prev), (t, s)];
                            *prev = s;
                            Some(out)
                        })
                        .flatten(),
                )
                .collect();
            let mean = p.exponential_mean.estimate;
            let exp: Vec<(f64, f64)> =
                (0..=200).map(|k| k as f64 * last / 200.0).map(|t| (t, (-t / mean).exp())).collect();
            figures.push(Figure {
                name: format!("fit_patience_{}", file_part(&f.name)),
                title: format!("Patience: {name}"),
                subtitle: format!(
                    "Kaplan–Meier survival (answered conversations censored at their wait) and the exponential fitted to the same observations, mean {mean:.1} s"
                ),
                legend: vec![
                    LegendEntry::new(Swatch::Line(BLUE, false), "Kaplan–Meier"),
                    LegendEntry::new(Swatch::Line(ORANGE, true), "exponential"),
                ],
                panels: vec![Panel {
                    caption: None,
                    x: Scale::linear(0.0, last),
                    x_label: "seconds waited".into(),
                    y: Scale::linear(0.0, 1.05),
                    y_label: "still waiting".into(),
                    layers: vec![
                        Layer::Line { points: km, colour: BLUE, dashed: false, markers: false },
                        Layer::Line { points: exp, colour: ORANGE, dashed: true, markers: false },
                    ],
                    empty_note: "nobody abandoned".into(),
                }],
                stacked: false,
            });
        }
    }
    figures
}
