//! `ccsim fit`: a scenario fragment fitted to a history of conversations (DESIGN.md "Demand
//! files"), with every estimate, its 95% interval and how well it fits.
//!
//! Per channel:
//! - **arrivals**: a rate profile at the chosen interval, the mean count per slot over the days
//!   seen of that weekday (a weekly profile when every weekday was seen, else one day, the mean
//!   over every day seen; a day with no row of any channel was not seen); each rate's interval is
//!   Poisson's. A **day factor** when the daily counts vary more than Poisson allows: Pearson's
//!   dispersion statistic against each day's expected count, and if it exceeds its χ² 95% point,
//!   a gamma factor whose squared coefficient of variation is the method-of-moments estimate
//!   (Σ(n − μ)²·m/(m − 1) − Σμ) / Σμ², m days per weekday, with a bootstrap interval over days.
//! - **handle time** of the answered conversations: lognormal, gamma and Weibull
//!   by maximum likelihood ([`estimate::fit`]);
//!   among those whose mean lies within 5% of the sample mean, the lowest AIC; `empirical` (the
//!   values themselves) when none does.
//! - **patience**: Kaplan–Meier with answered conversations censored at their wait; the mean of
//!   an exponential fitted to the same censored observations by maximum likelihood is what
//!   `fitted.toml` writes, with the Kaplan–Meier median and the naive mean of abandoners' waits
//!   (biased low) beside it.

pub mod estimate;
pub mod history;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use estimate::{Family, Fitted, Interval};
use history::{History, Outcome};

use crate::time::DAY;

/// A fitted channel.
#[derive(Clone, Debug)]
pub struct ChannelFit {
    pub name: String,
    pub conversations: usize,
    pub arrivals: ArrivalFit,
    pub day_factor: Option<DayFactor>,
    pub handle: HandleFit,
    pub patience: Option<PatienceFit>,
}

#[derive(Clone, Debug)]
pub struct ArrivalFit {
    /// Arrivals per hour in each slot, with their intervals: 24·k values for a day or 168·k for a
    /// week from Monday.
    pub rates: Vec<Interval>,
    /// Per slot, the standard deviation of the rate across the days seen.
    pub spread: Vec<f64>,
    /// Days seen per weekday (Monday first); one entry for a daily profile.
    pub days: Vec<usize>,
    pub slot: f64,
}

impl ArrivalFit {
    pub fn weekly(&self) -> bool {
        self.days.len() == 7
    }
}

#[derive(Clone, Debug)]
pub struct DayFactor {
    /// Pearson's statistic over its degrees of freedom, and the χ² p-value.
    pub dispersion: f64,
    pub p_value: f64,
    /// The coefficient of variation of a gamma factor of mean 1, when overdispersed.
    pub cv: Option<Interval>,
    pub days: usize,
}

#[derive(Clone, Debug)]
pub struct HandleFit {
    pub values: Vec<f64>,
    pub sample_mean: f64,
    pub fits: Vec<Fitted>,
    /// The index in `fits` written to `fitted.toml`; `None` is `empirical` (or no values).
    pub chosen: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct PatienceFit {
    pub abandoned: usize,
    pub censored: usize,
    pub exponential_mean: Interval,
    pub km_median: Option<f64>,
    pub naive_mean: f64,
    /// The Kaplan–Meier curve: (time, survival).
    pub curve: Vec<(f64, f64)>,
}

/// The fits of every channel of `history`, in order of first appearance, at `slot` seconds.
pub fn fit(history: &History, slot: f64) -> Vec<ChannelFit> {
    let mut names: Vec<&str> = Vec::new();
    for c in &history.conversations {
        if !names.contains(&c.channel.as_str()) {
            names.push(&c.channel);
        }
    }
    // The days seen, of any channel.
    let mut seen: Vec<usize> = history.conversations.iter().map(|c| history::day_of(c.arrival).0).collect();
    seen.sort_unstable();
    seen.dedup();
    names.iter().map(|&name| fit_channel(history, name, &seen, slot)).collect()
}

fn fit_channel(history: &History, name: &str, seen: &[usize], slot: f64) -> ChannelFit {
    let rows: Vec<&history::Conversation> = history.conversations.iter().filter(|c| c.channel == name).collect();
    let per_day = (DAY / slot).round() as usize;
    let weekly = (0..7).all(|w| seen.iter().any(|d| d % 7 == w));
    let groups = if weekly { 7 } else { 1 };
    let group_of = |day: usize| if weekly { day % 7 } else { 0 };
    let days: Vec<usize> = (0..groups).map(|g| seen.iter().filter(|&&d| group_of(d) == g).count()).collect();
    // Counts per (day seen, slot of the day).
    let index: std::collections::HashMap<usize, usize> = seen.iter().enumerate().map(|(i, &d)| (d, i)).collect();
    let mut counts = vec![vec![0.0f64; per_day]; seen.len()];
    for c in &rows {
        let (day, _) = history::day_of(c.arrival);
        let j = (((c.arrival - day as f64 * DAY) / slot).floor() as usize).min(per_day - 1);
        counts[index[&day]][j] += 1.0;
    }
    let hours = slot / 3600.0;
    let mut rates = Vec::with_capacity(groups * per_day);
    let mut spread = Vec::with_capacity(groups * per_day);
    for (g, &m) in days.iter().enumerate() {
        let mine: Vec<&Vec<f64>> =
            seen.iter().zip(&counts).filter(|(d, _)| group_of(**d) == g).map(|(_, c)| c).collect();
        for j in 0..per_day {
            let total: f64 = mine.iter().map(|c| c[j]).sum();
            let m = m.max(1) as f64;
            let mean = total / m;
            // Poisson: the total count's interval, over the days and the slot's hours.
            let half = 1.96 * total.sqrt();
            rates.push(Interval {
                estimate: mean / hours,
                low: ((total - half).max(0.0) / m) / hours,
                high: ((total + half) / m) / hours,
            });
            let var = mine.iter().map(|c| (c[j] - mean).powi(2)).sum::<f64>() / (m - 1.0).max(1.0);
            spread.push(var.sqrt() / hours);
        }
    }
    let arrivals = ArrivalFit { rates, spread, days: days.clone(), slot };
    let totals: Vec<(usize, f64)> =
        seen.iter().zip(&counts).map(|(&d, c)| (group_of(d), c.iter().sum::<f64>())).collect();
    let day_factor = day_factor(&totals, groups);

    // Handle times of answered conversations only: one still in the system, or ended otherwise,
    // has not been handled whole.
    let values: Vec<f64> =
        rows.iter().filter(|c| c.outcome == Outcome::Answered).filter_map(|c| c.handle).filter(|h| *h > 0.0).collect();
    let sample_mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    let fits: Vec<Fitted> = Family::ALL.iter().filter_map(|&f| estimate::fit(f, &values)).collect();
    let chosen = fits
        .iter()
        .enumerate()
        .filter(|(_, f)| (f.mean.estimate - sample_mean).abs() <= 0.05 * sample_mean)
        .min_by(|a, b| a.1.aic.total_cmp(&b.1.aic))
        .map(|(i, _)| i);
    let handle = HandleFit { values, sample_mean, fits, chosen };

    let observations: Vec<(f64, bool)> = rows
        .iter()
        .filter(|c| c.outcome != Outcome::Other)
        .filter_map(|c| c.wait.map(|w| (w, c.outcome == Outcome::Abandoned)))
        .collect();
    let patience = estimate::exponential_censored(&observations).map(|mean| {
        let curve = estimate::kaplan_meier(&observations);
        let abandoners: Vec<f64> = observations.iter().filter(|o| o.1).map(|o| o.0).collect();
        PatienceFit {
            abandoned: abandoners.len(),
            censored: observations.len() - abandoners.len(),
            exponential_mean: mean,
            km_median: estimate::km_quantile(&curve, 0.5),
            naive_mean: abandoners.iter().sum::<f64>() / abandoners.len() as f64,
            curve,
        }
    });
    ChannelFit { name: name.to_string(), conversations: rows.len(), arrivals, day_factor, handle, patience }
}

/// Overdispersion of daily totals `(group, count)` against each group's mean.
fn day_factor(totals: &[(usize, f64)], groups: usize) -> Option<DayFactor> {
    let stats = |sample: &[(usize, f64)]| -> Option<(f64, f64, usize)> {
        let mut sum = vec![0.0; groups];
        let mut m = vec![0usize; groups];
        for &(g, n) in sample {
            sum[g] += n;
            m[g] += 1;
        }
        let (mut pearson, mut squares, mut mu_sum, mut mu_sq, mut df) = (0.0, 0.0, 0.0, 0.0, 0usize);
        for &(g, n) in sample {
            let mu = sum[g] / m[g] as f64;
            if mu > 0.0 && m[g] > 1 {
                let scale = m[g] as f64 / (m[g] - 1) as f64;
                pearson += (n - mu).powi(2) / mu;
                squares += (n - mu).powi(2) * scale;
                mu_sum += mu;
                mu_sq += mu * mu;
                df += 1;
            }
        }
        let used_groups = (0..groups).filter(|&g| m[g] > 1 && sum[g] > 0.0).count();
        let df = df.checked_sub(used_groups).filter(|&d| d > 0)?;
        Some((pearson, ((squares - mu_sum) / mu_sq).max(0.0), df))
    };
    let (pearson, cv2, df) = stats(totals)?;
    let p_value = ChiSquared::new(df as f64).map_or(f64::NAN, |c| 1.0 - c.cdf(pearson));
    let cv = (p_value < 0.05).then(|| {
        // A bootstrap over days, within each group, with a fixed seed.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(20_261_202);
        let by_group: Vec<Vec<(usize, f64)>> =
            (0..groups).map(|g| totals.iter().copied().filter(|t| t.0 == g).collect()).collect();
        let mut draws: Vec<f64> = (0..500)
            .filter_map(|_| {
                let sample: Vec<(usize, f64)> = by_group
                    .iter()
                    .flat_map(|days| {
                        (0..days.len())
                            .map(|_| days[rand::RngExt::random_range(&mut rng, 0..days.len())])
                            .collect::<Vec<_>>()
                    })
                    .collect();
                stats(&sample).map(|s| s.1.sqrt())
            })
            .collect();
        draws.sort_by(f64::total_cmp);
        let at = |q: f64| draws.get(((draws.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN);
        Interval { estimate: cv2.sqrt(), low: at(0.025), high: at(0.975) }
    });
    Some(DayFactor { dispersion: pearson / df as f64, p_value, cv, days: totals.len() })
}
