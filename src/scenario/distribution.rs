//! Probability distributions of the scenario file: handle times, wrap-up, patience, inter-arrival
//! times of `renewal` arrivals and numeric context values.
//!
//! In the file a distribution is either a bare duration or number (a constant) or a table tagged by
//! `dist`: `exponential {mean}`, `lognormal {mean, sd}`, `gamma {mean, sd}`, `weibull {shape,
//! scale}`, `uniform {min, max}`, `triangular {min, mode, max}`, `constant {value}`, `empirical
//! {file}`. Parameters are durations (`"12m"`) or plain numbers; a Weibull `shape` is a plain
//! number. `mean` and `sd` describe the distribution itself, for lognormal and gamma too, not the
//! underlying normal (DESIGN.md "Distributions"). A Weibull's mean is scale·Γ(1 + 1/shape).
//!
//! `empirical` resamples the values of a planner's own data file, each equally likely, with no
//! interpolation between them: the simulated handle times are exactly the observed ones. The
//! file format is described in [`super::demand`]; the resolver reads it once, at validation (a
//! distribution does no I/O: it is given the values), and its values
//! are shared (not copied) by every clone of the scenario.
//!
//! [`RawDistribution`] is the serde form; [`Distribution`] is the checked form the engine samples.
//! Sampling uses `rand_distr`; the parameters are converted once, at validation.

use rand::{Rng, RngExt};
use rand_distr::{Distribution as _, Exp, Gamma, LogNormal, Triangular, Weibull};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;
use std::sync::Arc;

use crate::time::Duration;

/// A number in a distribution table: a duration string (`"4m"`) or a plain number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantity(pub f64);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct QuantityVisitor;
        impl Visitor<'_> for QuantityVisitor {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a duration such as \"45s\" or \"12m\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                Ok(Quantity(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                Ok(Quantity(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                Ok(Quantity(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
                Duration::parse(v).map(|d| Quantity(d.0)).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(QuantityVisitor)
    }
}

/// A distribution table as written, tagged by `dist`.
#[derive(Clone, Debug, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
#[schemars(rename = "DistributionTable")]
pub enum DistributionSpec {
    /// Exponential with this mean.
    Exponential { mean: Quantity },
    /// Lognormal with this mean and standard deviation (of the distribution itself).
    Lognormal { mean: Quantity, sd: Quantity },
    /// Gamma with this mean and standard deviation.
    Gamma { mean: Quantity, sd: Quantity },
    /// Weibull with a shape (a plain number) and a scale; mean = scale·Γ(1 + 1/shape).
    Weibull { shape: f64, scale: Quantity },
    /// Uniform between `min` and `max`.
    Uniform { min: Quantity, max: Quantity },
    /// Triangular from `min` to `max` with its peak at `mode`.
    Triangular { min: Quantity, mode: Quantity, max: Quantity },
    /// Always `value`.
    Constant { value: Quantity },
    /// Each value of a data file with equal probability; the file is relative to the scenario
    /// file's directory.
    Empirical { file: String },
}

/// A distribution as written: a bare constant or a `dist` table.
#[derive(Clone, Debug, PartialEq)]
pub struct RawDistribution(pub DistributionSpec);

impl<'de> Deserialize<'de> for RawDistribution {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RawVisitor;
        impl<'de> Visitor<'de> for RawVisitor {
            type Value = RawDistribution;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a duration (\"1m\"), a number, or a table such as { dist = \"exponential\", mean = \"4m\" }",
                )
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDistribution, E> {
                Ok(constant(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDistribution, E> {
                Ok(constant(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDistribution, E> {
                Ok(constant(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDistribution, E> {
                Duration::parse(v).map(|d| constant(d.0)).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawDistribution, A::Error> {
                DistributionSpec::deserialize(de::value::MapAccessDeserializer::new(map)).map(RawDistribution)
            }
        }
        deserializer.deserialize_any(RawVisitor)
    }
}

fn constant(value: f64) -> RawDistribution {
    RawDistribution(DistributionSpec::Constant { value: Quantity(value) })
}

/// What values a distribution may produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Durations: every value drawn must be ≥ 0.
    NonNegative,
    /// Numeric context values: any real number.
    Real,
}

/// Where an `empirical` distribution's values come from: the values of a data file, by its name
/// as written and the support they must lie in.
pub type ValuesOf<'a> = dyn Fn(&str, Support) -> Result<Arc<[f64]>, String> + 'a;

/// A checked distribution, ready to sample. Beside its sampler each variant keeps its mean and,
/// where it is not a function of the mean alone, its standard deviation: the arrival-volume
/// limits ([`Distribution::renewals_bound`]) need both.
#[derive(Clone, Debug)]
pub enum Distribution {
    Constant(f64),
    /// Sampler, mean (the standard deviation equals the mean).
    Exponential(Exp<f64>, f64),
    /// Sampler, mean, standard deviation.
    LogNormal(LogNormal<f64>, f64, f64),
    Gamma(Gamma<f64>, f64, f64),
    Weibull(Weibull<f64>, f64, f64),
    Uniform {
        min: f64,
        width: f64,
    },
    Triangular(Triangular<f64>, f64, f64),
    /// Observed values, each drawn with equal probability, their mean and standard deviation.
    Empirical(Arc<[f64]>, f64, f64),
}

/// The widest spread, sd / mean either way, a lognormal or gamma distribution may have: beyond
/// it their parameters overflow floating point.
const MAX_SPREAD: f64 = 1e100;

/// `sd` and `mean` within [`MAX_SPREAD`] of each other.
fn spread(name: &str, mean: f64, sd: f64) -> Result<(), String> {
    let ratio = sd / mean;
    if (1.0 / MAX_SPREAD..=MAX_SPREAD).contains(&ratio) {
        Ok(())
    } else {
        Err(format!(
            "`sd` {sd} against `mean` {mean} is a spread a {name} distribution cannot be drawn with; expected sd / mean from 1e-100 to 1e100"
        ))
    }
}

/// The parameters passed every check of ours but the sampler still refuses them.
fn undrawable(name: &str) -> String {
    format!(
        "these parameters give a {name} distribution that cannot be drawn from (they overflow floating point); expected values of a sensible size"
    )
}

impl Distribution {
    /// Checks a written distribution and prepares it for sampling. An `empirical` one takes its
    /// values from `values_of(file, support)`: the resolver reads the data file, so that
    /// distributions do no I/O.
    pub fn from_spec(
        spec: &DistributionSpec,
        support: Support,
        values_of: &ValuesOf<'_>,
    ) -> Result<Distribution, String> {
        use DistributionSpec as S;
        let finite = |name: &str, q: Quantity| -> Result<f64, String> {
            if q.0.is_finite() { Ok(q.0) } else { Err(format!("`{name}` is {}; expected a finite number", q.0)) }
        };
        let positive = |name: &str, q: Quantity| -> Result<f64, String> {
            let v = finite(name, q)?;
            if v > 0.0 { Ok(v) } else { Err(format!("`{name}` is {v}; expected a number above 0")) }
        };
        let non_negative = |name: &str, q: Quantity| -> Result<f64, String> {
            let v = finite(name, q)?;
            if v >= 0.0 { Ok(v) } else { Err(format!("`{name}` is {v}; expected 0 or more")) }
        };
        let at_least_zero_if_time = |name: &str, q: Quantity| -> Result<f64, String> {
            match support {
                Support::NonNegative => non_negative(name, q),
                Support::Real => finite(name, q),
            }
        };
        Ok(match *spec {
            S::Constant { value } => Distribution::Constant(at_least_zero_if_time("value", value)?),
            S::Exponential { mean } => {
                let mean = positive("mean", mean)?;
                Distribution::Exponential(Exp::new(1.0 / mean).map_err(|_| undrawable("exponential"))?, mean)
            }
            S::Lognormal { mean, sd } => {
                let (mean, sd) = (positive("mean", mean)?, non_negative("sd", sd)?);
                if sd == 0.0 {
                    return Ok(Distribution::Constant(mean));
                }
                spread("lognormal", mean, sd)?;
                let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
                let mu = mean.ln() - sigma2 / 2.0;
                Distribution::LogNormal(
                    LogNormal::new(mu, sigma2.sqrt()).map_err(|_| undrawable("lognormal"))?,
                    mean,
                    sd,
                )
            }
            S::Gamma { mean, sd } => {
                let (mean, sd) = (positive("mean", mean)?, non_negative("sd", sd)?);
                if sd == 0.0 {
                    return Ok(Distribution::Constant(mean));
                }
                spread("gamma", mean, sd)?;
                let shape = (mean / sd).powi(2);
                let scale = sd * sd / mean;
                Distribution::Gamma(Gamma::new(shape, scale).map_err(|_| undrawable("gamma"))?, mean, sd)
            }
            S::Weibull { shape, scale } => {
                let (shape, scale) = (positive("shape", Quantity(shape))?, positive("scale", scale)?);
                let g = statrs::function::gamma::gamma;
                let mean = scale * g(1.0 + 1.0 / shape);
                if !mean.is_finite() {
                    return Err(format!(
                        "a shape of {shape} gives an infinite mean; expected a shape of about 0.1 or more"
                    ));
                }
                // Infinite (or NaN, from ∞ − ∞) for small shapes: such a distribution has no finite variance.
                let sd = scale * (g(1.0 + 2.0 / shape) - (mean / scale).powi(2)).sqrt();
                Distribution::Weibull(Weibull::new(scale, shape).map_err(|_| undrawable("weibull"))?, mean, sd)
            }
            S::Empirical { ref file } => {
                let values = values_of(file, support)?;
                let n = values.len() as f64;
                let mean = values.iter().sum::<f64>() / n;
                let sd = (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
                Distribution::Empirical(values, mean, sd)
            }
            S::Uniform { min, max } => {
                let min = at_least_zero_if_time("min", min)?;
                let max = finite("max", max)?;
                if max < min {
                    return Err(format!("`max` ({max}) is below `min` ({min}); expected min ≤ max"));
                }
                Distribution::Uniform { min, width: max - min }
            }
            S::Triangular { min, mode, max } => {
                let min = at_least_zero_if_time("min", min)?;
                let (mode, max) = (finite("mode", mode)?, finite("max", max)?);
                if !(min <= mode && mode <= max) || min == max {
                    return Err(format!("min {min}, mode {mode}, max {max}; expected min ≤ mode ≤ max with min < max"));
                }
                let mean = (min + mode + max) / 3.0;
                let variance = (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0;
                Distribution::Triangular(
                    Triangular::new(min, max, mode).map_err(|_| undrawable("triangular"))?,
                    mean,
                    variance.max(0.0).sqrt(),
                )
            }
        })
    }

    /// Draws one value.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // The commonest distributions where they are drawn; the others in one place.
        match self {
            Distribution::Constant(v) => *v,
            Distribution::Exponential(d, _) => d.sample(rng),
            _ => self.sample_other(rng),
        }
    }

    #[inline(never)]
    fn sample_other<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Distribution::Constant(v) => *v,
            Distribution::Exponential(d, _) => d.sample(rng),
            Distribution::LogNormal(d, ..) => d.sample(rng),
            Distribution::Gamma(d, ..) => d.sample(rng),
            Distribution::Weibull(d, ..) => d.sample(rng),
            Distribution::Uniform { min, width } => min + width * rng.random::<f64>(),
            Distribution::Triangular(d, ..) => d.sample(rng),
            Distribution::Empirical(values, ..) => values[rng.random_range(0..values.len())],
        }
    }

    /// The distribution's mean.
    pub fn mean(&self) -> f64 {
        match self {
            Distribution::Constant(v) => *v,
            Distribution::Exponential(_, m)
            | Distribution::LogNormal(_, m, _)
            | Distribution::Gamma(_, m, _)
            | Distribution::Weibull(_, m, _)
            | Distribution::Triangular(_, m, _)
            | Distribution::Empirical(_, m, _) => *m,
            Distribution::Uniform { min, width } => min + width / 2.0,
        }
    }

    /// The distribution's standard deviation; infinite when it has no finite variance.
    pub fn sd(&self) -> f64 {
        let sd = match self {
            Distribution::Constant(_) => 0.0,
            Distribution::Exponential(_, m) => *m,
            Distribution::LogNormal(_, _, sd)
            | Distribution::Gamma(_, _, sd)
            | Distribution::Weibull(_, _, sd)
            | Distribution::Triangular(_, _, sd)
            | Distribution::Empirical(_, _, sd) => *sd,
            Distribution::Uniform { width, .. } => width / 12f64.sqrt(),
        };
        if sd.is_nan() { f64::INFINITY } else { sd }
    }

    /// An upper bound on the expected number of draws, taken one after another, that fit in
    /// `span` seconds (arrivals of a `renewal` process, polls of a picking agent): Lorden's
    /// bound on the renewal function, span/mean + 1 + (sd/mean)². It is exact enough for the
    /// usual distributions (span/mean + 2 for an exponential) and still bounds heavy tails: a
    /// lognormal of mean 1 minute and sd 10^100 seconds has most of its draws near 0 and
    /// would put millions of arrivals in the first second, which the (sd/mean)² term counts.
    /// Infinite for a mean of 0.
    pub fn renewals_bound(&self, span: f64) -> f64 {
        let (mean, sd) = (self.mean(), self.sd());
        if mean.is_nan() || mean <= 0.0 {
            return f64::INFINITY;
        }
        let bound = span / mean + 1.0 + (sd / mean).powi(2);
        if bound.is_nan() { f64::INFINITY } else { bound }
    }

    pub fn is_zero(&self) -> bool {
        matches!(self, Distribution::Constant(v) if *v == 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    fn spec(text: &str) -> DistributionSpec {
        #[derive(Deserialize)]
        struct Holder {
            d: RawDistribution,
        }
        toml::from_str::<Holder>(&format!("d = {text}")).unwrap().d.0
    }

    /// Sample mean and variance of 200 000 draws against the analytic ones, within 4 standard
    /// errors (the sample variance's standard error uses the fourth central moment estimate).
    /// Values of no file: the distributions under test read none.
    fn no_file(file: &str, _: Support) -> Result<Arc<[f64]>, String> {
        Err(format!("no file {file} in these tests"))
    }

    fn assert_moments(text: &str, mean: f64, variance: f64) {
        assert_moments_with(&no_file, text, mean, variance);
    }

    fn assert_moments_with(values_of: &ValuesOf<'_>, text: &str, mean: f64, variance: f64) {
        let dist = Distribution::from_spec(&spec(text), Support::NonNegative, values_of).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let n = 200_000;
        let draws: Vec<f64> = (0..n).map(|_| dist.sample(&mut rng)).collect();
        let m = draws.iter().sum::<f64>() / n as f64;
        let v = draws.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        let m4 = draws.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n as f64;
        let se_mean = (v / n as f64).sqrt();
        let se_var = ((m4 - v * v) / n as f64).sqrt();
        // Constants have no spread: their mean must be exact.
        let tolerance = |se: f64| if se > 0.0 { 4.0 * se } else { 1e-9 * mean.max(1.0) };
        assert!((m - mean).abs() <= tolerance(se_mean), "{text}: mean {m} vs {mean} (se {se_mean})");
        assert!((v - variance).abs() <= tolerance(se_var), "{text}: variance {v} vs {variance} (se {se_var})");
        assert!((dist.mean() - mean).abs() < 1e-9 * mean.max(1.0), "{text}: declared mean");
        let declared = dist.sd().powi(2);
        assert!((declared - variance).abs() <= 1e-9 * variance.max(1.0), "{text}: declared variance {declared}");
    }

    #[test]
    fn every_distribution_has_its_analytic_mean_and_variance() {
        assert_moments(r#"{ dist = "exponential", mean = "4m" }"#, 240.0, 240.0 * 240.0);
        assert_moments(r#"{ dist = "lognormal", mean = "12m", sd = "6m" }"#, 720.0, 360.0 * 360.0);
        assert_moments(r#"{ dist = "gamma", mean = 300, sd = 150 }"#, 300.0, 150.0 * 150.0);
        for (shape, scale, text) in [
            (1.5, 600.0, r#"{ dist = "weibull", shape = 1.5, scale = "10m" }"#),
            (0.8, 100.0, r#"{ dist = "weibull", shape = 0.8, scale = 100 }"#),
            (1.0, 240.0, r#"{ dist = "weibull", shape = 1, scale = "4m" }"#),
        ] {
            let g = |x: f64| statrs::function::gamma::gamma(x);
            let mean = scale * g(1.0 + 1.0 / shape);
            let variance = scale * scale * (g(1.0 + 2.0 / shape) - g(1.0 + 1.0 / shape).powi(2));
            assert_moments(text, mean, variance);
        }
        assert_moments(r#"{ dist = "uniform", min = "2s", max = "20s" }"#, 11.0, 18.0 * 18.0 / 12.0);
        let (a, c, b) = (10.0_f64, 40.0_f64, 100.0_f64);
        let tri_var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
        assert_moments(r#"{ dist = "triangular", min = 10, mode = 40, max = 100 }"#, 50.0, tri_var);
        assert_moments(r#""1m""#, 60.0, 0.0);
        assert_moments("90", 90.0, 0.0);
        assert_moments(r#"{ dist = "constant", value = "2m" }"#, 120.0, 0.0);
    }

    #[test]
    fn empirical_resamples_the_file_with_its_mean_and_variance() {
        // Resampling draws each value with probability 1/n: the variance is the population one.
        let values = [30.0, 45.0, 60.0, 60.0, 240.0, 600.0, 75.5];
        let of_aht = |file: &str, _: Support| -> Result<Arc<[f64]>, String> {
            if file == "aht.csv" { Ok(values.to_vec().into()) } else { Err(format!("{file}: no such file")) }
        };
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let variance = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        assert_moments_with(&of_aht, r#"{ dist = "empirical", file = "aht.csv" }"#, mean, variance);

        // Every draw is one of the values, and a clone shares them rather than copying.
        let dist = Distribution::from_spec(
            &spec(r#"{ dist = "empirical", file = "aht.csv" }"#),
            Support::NonNegative,
            &of_aht,
        )
        .unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        assert!((0..1000).all(|_| values.contains(&dist.sample(&mut rng))));
        let (Distribution::Empirical(a, ..), Distribution::Empirical(b, ..)) = (&dist, &dist.clone()) else {
            panic!("an empirical distribution");
        };
        assert!(Arc::ptr_eq(a, b));

        // The reader's error is the distribution's.
        let err = Distribution::from_spec(
            &spec(r#"{ dist = "empirical", file = "none.csv" }"#),
            Support::NonNegative,
            &of_aht,
        )
        .unwrap_err();
        assert!(err.contains("none.csv") && err.contains("no such file"), "{err}");
    }

    #[test]
    fn invalid_parameters_are_rejected_with_the_expectation() {
        let bad = [
            r#"{ dist = "exponential", mean = 0 }"#,
            r#"{ dist = "lognormal", mean = 10, sd = -1 }"#,
            r#"{ dist = "uniform", min = 5, max = 1 }"#,
            r#"{ dist = "triangular", min = 5, mode = 1, max = 10 }"#,
            r#"{ dist = "uniform", min = -5, max = 1 }"#,
            r#"{ dist = "weibull", shape = 0, scale = 10 }"#,
            r#"{ dist = "weibull", shape = 2, scale = -60 }"#,
            r#"{ dist = "weibull", shape = 0.001, scale = 10 }"#,
            // Spreads whose parameters overflow: the sampler's own text never reaches the user.
            r#"{ dist = "lognormal", mean = 1, sd = 1e200 }"#,
            r#"{ dist = "gamma", mean = 1, sd = 1e200 }"#,
            r#"{ dist = "gamma", mean = 1e200, sd = 1e-200 }"#,
            "-3",
        ];
        for text in bad {
            let err = Distribution::from_spec(&spec(text), Support::NonNegative, &no_file).unwrap_err();
            assert!(err.contains("expected"), "{text}: {err}");
        }
        // Numeric context values may be negative.
        let uniform = spec(r#"{ dist = "uniform", min = -5, max = 1 }"#);
        assert!(Distribution::from_spec(&uniform, Support::Real, &no_file).is_ok());
    }

    #[test]
    fn the_renewals_bound_follows_the_mean_and_counts_heavy_tails() {
        let bound = |text: &str, span: f64| {
            Distribution::from_spec(&spec(text), Support::NonNegative, &no_file).unwrap().renewals_bound(span)
        };
        // span/mean + 1 + (sd/mean)²
        assert_eq!(bound("\"1m\"", 3600.0), 61.0);
        assert_eq!(bound(r#"{ dist = "exponential", mean = "1m" }"#, 3600.0), 62.0);
        // A mean of 1e-300 s, or a spread that dwarfs the mean, is far beyond any arrival limit.
        assert!(bound("1e-300", 86_400.0) > 1e300);
        assert!(bound(r#"{ dist = "lognormal", mean = "1m", sd = 1e100 }"#, 60.0) > 1e190);
        // A Weibull with a tiny shape has a finite mean but no finite variance.
        assert_eq!(bound(r#"{ dist = "weibull", shape = 0.01, scale = 1 }"#, 60.0), f64::INFINITY);
        assert_eq!(Distribution::Constant(0.0).renewals_bound(1.0), f64::INFINITY);
    }

    #[test]
    fn unknown_distribution_names_and_keys_are_errors() {
        #[derive(Deserialize, Debug)]
        struct Holder {
            #[allow(dead_code)]
            d: RawDistribution,
        }
        let err = toml::from_str::<Holder>(r#"d = { dist = "expo", mean = 3 }"#).unwrap_err();
        assert!(err.to_string().contains("unknown variant"), "{err}");
        let err = toml::from_str::<Holder>(r#"d = { dist = "exponential", men = 3 }"#).unwrap_err();
        assert!(err.to_string().contains("men"), "{err}");
        let err = toml::from_str::<Holder>(r#"d = { dist = "lognormal", sd = 3 }"#).unwrap_err();
        assert!(err.to_string().contains("mean"), "{err}");
        let err = toml::from_str::<Holder>(r#"d = { dist = "weibull", shape = "2m", scale = 3 }"#).unwrap_err();
        assert!(err.to_string().contains("f64"), "{err}");
        let err = toml::from_str::<Holder>(r#"d = { dist = "empirical", path = "a.csv" }"#).unwrap_err();
        assert!(err.to_string().contains("path"), "{err}");
    }
}
