//! Fitting distributions to observed durations: lognormal, gamma and Weibull by maximum
//! likelihood, each with its parameters' 95% intervals (from the observed Fisher information),
//! its mean and standard deviation with their intervals (delta method), its AIC and its
//! Kolmogorov–Smirnov distance to the data; and the Kaplan–Meier estimate of a survival function
//! from observations some of which are censored.

use statrs::function::gamma::{digamma, ln_gamma};

/// A normal quantile for two-sided 95% intervals.
const Z: f64 = 1.959_963_984_540_054;

/// A family of distributions `ccsim fit` tries for handle times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Lognormal,
    Gamma,
    Weibull,
}

impl Family {
    pub const ALL: [Family; 3] = [Family::Lognormal, Family::Gamma, Family::Weibull];

    /// The name a scenario's `dist` key gives it.
    pub fn name(self) -> &'static str {
        match self {
            Family::Lognormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Weibull => "weibull",
        }
    }
}

/// An estimate with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

impl Interval {
    fn normal(estimate: f64, se: f64) -> Interval {
        Interval { estimate, low: estimate - Z * se, high: estimate + Z * se }
    }
}

/// A distribution fitted by maximum likelihood.
#[derive(Clone, Debug, PartialEq)]
pub struct Fitted {
    pub family: Family,
    /// Its own parameters by name: lognormal `mu`, `sigma` (of the logarithm); gamma `shape`,
    /// `scale`; Weibull `shape`, `scale`.
    pub parameters: Vec<(&'static str, Interval)>,
    pub mean: Interval,
    pub sd: Interval,
    pub log_likelihood: f64,
    /// Akaike's information criterion: 2·parameters − 2·log-likelihood.
    pub aic: f64,
    /// The largest distance between the fitted and the empirical distribution functions.
    pub ks: f64,
}

/// Fits `family` to `values` (each above 0; at least 2 of them, not all equal).
pub fn fit(family: Family, values: &[f64]) -> Option<Fitted> {
    if values.len() < 2 || values.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return None;
    }
    let (a, b) = match family {
        Family::Lognormal => lognormal_mle(values),
        Family::Gamma => gamma_mle(values)?,
        Family::Weibull => weibull_mle(values)?,
    };
    if !(a.is_finite() && b.is_finite() && b > 0.0) {
        return None;
    }
    let log_likelihood: f64 = values.iter().map(|&x| ln_density(family, a, b, x)).sum();
    // The observed information: minus the Hessian of the log-likelihood, by central differences.
    let ll = |p: f64, q: f64| values.iter().map(|&x| ln_density(family, p, q, x)).sum::<f64>();
    let (ha, hb) = (1e-4 * a.abs().max(1e-3), 1e-4 * b);
    let d2a = (ll(a + ha, b) - 2.0 * log_likelihood + ll(a - ha, b)) / (ha * ha);
    let d2b = (ll(a, b + hb) - 2.0 * log_likelihood + ll(a, b - hb)) / (hb * hb);
    let dab = (ll(a + ha, b + hb) - ll(a + ha, b - hb) - ll(a - ha, b + hb) + ll(a - ha, b - hb)) / (4.0 * ha * hb);
    let (i11, i12, i22) = (-d2a, -dab, -d2b);
    let det = i11 * i22 - i12 * i12;
    let cov = if det > 0.0 { [i22 / det, -i12 / det, i11 / det] } else { [f64::NAN; 3] };
    // Mean and sd by the delta method, their gradients by central differences.
    let moment = |which: usize, p: f64, q: f64| moments(family, p, q)[which];
    let delta = |which: usize| {
        let g1 = (moment(which, a + ha, b) - moment(which, a - ha, b)) / (2.0 * ha);
        let g2 = (moment(which, a, b + hb) - moment(which, a, b - hb)) / (2.0 * hb);
        let var = g1 * g1 * cov[0] + 2.0 * g1 * g2 * cov[1] + g2 * g2 * cov[2];
        Interval::normal(moment(which, a, b), var.max(0.0).sqrt())
    };
    let names = match family {
        Family::Lognormal => ["mu", "sigma"],
        Family::Gamma | Family::Weibull => ["shape", "scale"],
    };
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(Fitted {
        family,
        parameters: vec![
            (names[0], Interval::normal(a, cov[0].max(0.0).sqrt())),
            (names[1], Interval::normal(b, cov[2].max(0.0).sqrt())),
        ],
        mean: delta(0),
        sd: delta(1),
        log_likelihood,
        aic: 4.0 - 2.0 * log_likelihood,
        ks: ks_distance(&sorted, |x| cdf(family, a, b, x)),
    })
}

/// (μ, σ) of the logarithm.
fn lognormal_mle(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mu = values.iter().map(|x| x.ln()).sum::<f64>() / n;
    let sigma = (values.iter().map(|x| (x.ln() - mu).powi(2)).sum::<f64>() / n).sqrt();
    (mu, sigma)
}

/// (shape k, scale θ): k solves ln k − ψ(k) = ln(mean) − mean(ln x), by Newton's method from
/// Minka's approximation; θ = mean / k.
fn gamma_mle(values: &[f64]) -> Option<(f64, f64)> {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let s = mean.ln() - values.iter().map(|x| x.ln()).sum::<f64>() / n;
    if s.is_nan() || s <= 0.0 {
        return None;
    }
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..100 {
        let f = k.ln() - digamma(k) - s;
        let step = f / (1.0 / k - trigamma(k));
        let next = (k - step).max(k / 10.0);
        if (next - k).abs() < 1e-12 * k {
            k = next;
            break;
        }
        k = next;
    }
    Some((k, mean / k))
}

/// (shape k, scale λ): k solves Σ xᵏ ln x / Σ xᵏ − 1/k − mean(ln x) = 0, by bisection on ln k
/// (the left side grows with k); λ = (Σ xᵏ / n)^(1/k).
fn weibull_mle(values: &[f64]) -> Option<(f64, f64)> {
    let n = values.len() as f64;
    let mean_ln = values.iter().map(|x| x.ln()).sum::<f64>() / n;
    // Scaled by the largest value so that xᵏ stays finite for large k.
    let top = values.iter().copied().fold(0.0, f64::max);
    let g = |k: f64| {
        let (mut a, mut b) = (0.0, 0.0);
        for &x in values {
            let w = (x / top).powf(k);
            a += w * x.ln();
            b += w;
        }
        a / b - 1.0 / k - mean_ln
    };
    let (mut lo, mut hi) = (1e-3f64.ln(), 1e3f64.ln());
    if g(lo.exp()) > 0.0 || g(hi.exp()) < 0.0 {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if g(mid.exp()) < 0.0 { lo = mid } else { hi = mid }
    }
    let k = (0.5 * (lo + hi)).exp();
    let lambda = top * (values.iter().map(|x| (x / top).powf(k)).sum::<f64>() / n).powf(1.0 / k);
    Some((k, lambda))
}

/// ψ′, by the recurrence up to 6 and the asymptotic series beyond.
fn trigamma(mut x: f64) -> f64 {
    let mut sum = 0.0;
    while x < 6.0 {
        sum += 1.0 / (x * x);
        x += 1.0;
    }
    let x2 = 1.0 / (x * x);
    sum + 1.0 / x + x2 / 2.0 + (1.0 / 6.0 - x2 * (1.0 / 30.0 - x2 * (1.0 / 42.0 - x2 / 30.0))) * x2 / x
}

fn ln_density(family: Family, a: f64, b: f64, x: f64) -> f64 {
    match family {
        Family::Lognormal => {
            let z = (x.ln() - a) / b;
            -x.ln() - b.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() - 0.5 * z * z
        }
        Family::Gamma => (a - 1.0) * x.ln() - x / b - ln_gamma(a) - a * b.ln(),
        Family::Weibull => a.ln() - b.ln() + (a - 1.0) * (x / b).ln() - (x / b).powf(a),
    }
}

/// The density of a fitted family at `x`.
pub fn density(f: &Fitted, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    ln_density(f.family, f.parameters[0].1.estimate, f.parameters[1].1.estimate, x).exp()
}

fn cdf(family: Family, a: f64, b: f64, x: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Gamma, LogNormal, Weibull};
    match family {
        Family::Lognormal => LogNormal::new(a, b).map_or(f64::NAN, |d| d.cdf(x)),
        Family::Gamma => Gamma::new(a, 1.0 / b).map_or(f64::NAN, |d| d.cdf(x)),
        Family::Weibull => Weibull::new(a, b).map_or(f64::NAN, |d| d.cdf(x)),
    }
}

/// [mean, sd] of a family with parameters (a, b).
fn moments(family: Family, a: f64, b: f64) -> [f64; 2] {
    match family {
        Family::Lognormal => {
            let mean = (a + b * b / 2.0).exp();
            [mean, mean * (b * b).exp_m1().sqrt()]
        }
        Family::Gamma => [a * b, a.sqrt() * b],
        Family::Weibull => {
            let g1 = ln_gamma(1.0 + 1.0 / a).exp();
            let g2 = ln_gamma(1.0 + 2.0 / a).exp();
            [b * g1, b * (g2 - g1 * g1).max(0.0).sqrt()]
        }
    }
}

/// The Kolmogorov–Smirnov distance between the empirical distribution of `sorted` and `cdf`.
pub fn ks_distance(sorted: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let n = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max)
}

/// The Kaplan–Meier survival function from `(time, event)` pairs (`event` false: censored at
/// that time): the survival just after each time with an event, in time order.
pub fn kaplan_meier(observations: &[(f64, bool)]) -> Vec<(f64, f64)> {
    let mut sorted = observations.to_vec();
    // At equal times, events before censorings (the usual convention).
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk = sorted.len() as f64;
    let mut survival = 1.0;
    let mut curve = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let t = sorted[i].0;
        let (mut events, mut leaving) = (0.0, 0.0);
        while i < sorted.len() && sorted[i].0 == t {
            events += f64::from(u8::from(sorted[i].1));
            leaving += 1.0;
            i += 1;
        }
        if events > 0.0 {
            survival *= 1.0 - events / at_risk;
            curve.push((t, survival));
        }
        at_risk -= leaving;
    }
    curve
}

/// The first time at which a Kaplan–Meier curve falls to `level` or below, if it does.
pub fn km_quantile(curve: &[(f64, f64)], level: f64) -> Option<f64> {
    curve.iter().find(|(_, s)| *s <= level).map(|(t, _)| *t)
}

/// The mean of an exponential distribution fitted to censored observations by maximum
/// likelihood: all observed time over the number of events, with its 95% interval (the number of
/// events is Poisson given the time at risk). `None` without an event.
pub fn exponential_censored(observations: &[(f64, bool)]) -> Option<Interval> {
    let events = observations.iter().filter(|o| o.1).count() as f64;
    if events == 0.0 {
        return None;
    }
    let exposure: f64 = observations.iter().map(|o| o.0).sum();
    let mean = exposure / events;
    // ln(mean) has standard error 1/√events.
    let se = 1.0 / events.sqrt();
    Some(Interval { estimate: mean, low: mean * (-Z * se).exp(), high: mean * (Z * se).exp() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;
    use rand_distr::Distribution as _;

    fn sample(d: impl rand_distr::Distribution<f64>, n: usize) -> Vec<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        (0..n).map(|_| d.sample(&mut rng)).collect()
    }

    /// Each parameter's interval holds its true value (four standard errors: 1.96 twice over,
    /// for a test that must not fail by chance at the 5% level).
    fn covers(f: &Fitted, truth: [f64; 2]) {
        for ((name, i), t) in f.parameters.iter().zip(truth) {
            let half = (i.high - i.low) / 2.0;
            assert!(half > 0.0 && (i.estimate - t).abs() <= 2.0 * half, "{:?} {name}: {i:?} vs {t}", f.family);
        }
    }

    #[test]
    fn maximum_likelihood_recovers_each_family_from_its_own_draws() {
        let n = 20_000;
        let x = sample(rand_distr::LogNormal::new(5.0, 0.6).unwrap(), n);
        covers(&fit(Family::Lognormal, &x).unwrap(), [5.0, 0.6]);
        let x = sample(rand_distr::Gamma::new(2.5, 80.0).unwrap(), n);
        let g = fit(Family::Gamma, &x).unwrap();
        covers(&g, [2.5, 80.0]);
        assert!((g.mean.estimate - 200.0).abs() <= 2.0 * (g.mean.high - g.mean.low) / 2.0, "{:?}", g.mean);
        let x = sample(rand_distr::Weibull::new(300.0, 1.7).unwrap(), n);
        covers(&fit(Family::Weibull, &x).unwrap(), [1.7, 300.0]);
    }

    #[test]
    fn the_true_family_has_the_lowest_aic_and_a_small_ks_distance() {
        let x = sample(rand_distr::Gamma::new(2.5, 80.0).unwrap(), 5_000);
        let fits: Vec<Fitted> = Family::ALL.iter().map(|&f| fit(f, &x).unwrap()).collect();
        let best = fits.iter().min_by(|a, b| a.aic.total_cmp(&b.aic)).unwrap();
        assert_eq!(best.family, Family::Gamma);
        // The KS distance of the true family is of order 1/√n (its 99% point is 1.63/√n).
        assert!(best.ks < 1.63 / (5_000f64).sqrt(), "{}", best.ks);
    }

    #[test]
    fn kaplan_meier_counts_censored_times_only_while_at_risk() {
        // Textbook example: events at 1, 3; censored at 2, 4.
        let curve = kaplan_meier(&[(1.0, true), (2.0, false), (3.0, true), (4.0, false)]);
        assert_eq!(curve, vec![(1.0, 0.75), (3.0, 0.375)]);
        assert_eq!(km_quantile(&curve, 0.5), Some(3.0));
    }

    #[test]
    fn censored_exponential_patience_is_recovered_where_the_naive_mean_is_biased_low() {
        // Patience of mean 120 s, every wait cut at an answer after an exponential 60 s.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let (p, a) = (rand_distr::Exp::new(1.0 / 120.0).unwrap(), rand_distr::Exp::new(1.0 / 60.0).unwrap());
        let obs: Vec<(f64, bool)> = (0..20_000)
            .map(|_| {
                let (patience, answer): (f64, f64) = (p.sample(&mut rng), a.sample(&mut rng));
                (patience.min(answer), patience < answer)
            })
            .collect();
        let mean = exponential_censored(&obs).unwrap();
        assert!(mean.low <= 120.0 && 120.0 <= mean.high, "{mean:?}");
        let abandoners: Vec<f64> = obs.iter().filter(|o| o.1).map(|o| o.0).collect();
        let naive = abandoners.iter().sum::<f64>() / abandoners.len() as f64;
        assert!(naive < 50.0, "the naive mean sees only the short waits: {naive}");
        // Kaplan–Meier's median is the exponential's, 120 ln 2.
        let median = km_quantile(&kaplan_meier(&obs), 0.5).unwrap();
        assert!((median - 120.0 * 2f64.ln()).abs() < 8.0, "{median}");
    }
}
