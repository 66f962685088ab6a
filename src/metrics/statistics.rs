//! Statistics across replications: every interval ccsim reports is computed here.
//!
//! - Counts and means ([`of_values`]): the mean of the replications' values with a Student-t 95%
//!   interval, `mean ± t(0.975, n−1) · s/√n`, where `s` is the sample standard deviation
//!   (`std_dev`). Replications where the value is undefined (NaN: no answered conversation, say)
//!   are left out and not counted in `replications`.
//! - Ratio metrics ([`of_ratio`]): the ratio of sums R = Σxᵢ/Σyᵢ over the replications, never a
//!   mean of ratios, with a delta-method interval: with zᵢ = xᵢ − R·yᵢ and ȳ the mean denominator,
//!   `std_dev` = s_z/ȳ (the standard deviation of one replication's ratio, to first order) and the
//!   interval is `R ± t(0.975, n−1) · std_dev/√n`. Replications with a zero denominator still count:
//!   they contribute zᵢ = 0 and pull ȳ down, as they should.
//!
//! - Paired differences between two runs on common random numbers ([`paired_difference`],
//!   [`paired_ratio_difference`]): replication r of one run sees the same customers as
//!   replication r of the other, so the differences dᵢ are taken replication by replication and
//!   get a Student-t interval; for ratios, dᵢ = (x_bᵢ − R_b·y_bᵢ)/ȳ_b − (x_aᵢ − R_a·y_aᵢ)/ȳ_a around
//!   R_b − R_a (the delta method applied to the pair).
//! - Independent differences ([`independent_difference`]): two runs with unrelated seeds, the
//!   Welch interval with Welch–Satterthwaite degrees of freedom.
//!
//! With one replication the bounds and `std_dev` are NaN.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// An estimate across replications.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub std_dev: f64,
    pub replications: usize,
}

impl Estimate {
    fn undefined(replications: usize) -> Estimate {
        Estimate { mean: f64::NAN, ci95_low: f64::NAN, ci95_high: f64::NAN, std_dev: f64::NAN, replications }
    }

    /// Half the width of the 95% interval.
    pub fn half_width(&self) -> f64 {
        (self.ci95_high - self.ci95_low) / 2.0
    }

    fn with_spread(mean: f64, std_dev: f64, n: usize) -> Estimate {
        if n < 2 {
            return Estimate { mean, ci95_low: f64::NAN, ci95_high: f64::NAN, std_dev: f64::NAN, replications: n };
        }
        let half = t_975(n - 1) * std_dev / (n as f64).sqrt();
        Estimate { mean, ci95_low: mean - half, ci95_high: mean + half, std_dev, replications: n }
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
pub fn t_975(df: usize) -> f64 {
    t_975_real(df as f64)
}

/// The same for fractional degrees of freedom (Welch).
fn t_975_real(df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(0.975),
        Err(_) => f64::NAN,
    }
}

fn sample_sd(values: impl Iterator<Item = f64> + Clone, mean: f64, n: usize) -> f64 {
    (values.map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
}

/// Mean of the defined values with a Student-t interval.
pub fn of_values(values: &[f64]) -> Estimate {
    let defined = values.iter().copied().filter(|v| !v.is_nan());
    let n = defined.clone().count();
    if n == 0 {
        return Estimate::undefined(0);
    }
    let mean = defined.clone().sum::<f64>() / n as f64;
    let sd = if n > 1 { sample_sd(defined, mean, n) } else { f64::NAN };
    Estimate::with_spread(mean, sd, n)
}

/// Ratio of sums Σx/Σy with a delta-method Student-t interval.
pub fn of_ratio(parts: &[(f64, f64)]) -> Estimate {
    let n = parts.len();
    let (sum_x, sum_y) = parts.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    if n == 0 || sum_y == 0.0 {
        return Estimate::undefined(n);
    }
    let ratio = sum_x / sum_y;
    if n < 2 {
        return Estimate::with_spread(ratio, f64::NAN, n);
    }
    let mean_y = sum_y / n as f64;
    let z = parts.iter().map(|(x, y)| x - ratio * y);
    let sd = sample_sd(z, 0.0, n) / mean_y;
    Estimate::with_spread(ratio, sd, n)
}

/// b − a, replication by replication, for counts and means; pairs with a NaN are left out.
pub fn paired_difference(a: &[f64], b: &[f64]) -> Estimate {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    of_values(&d)
}

/// R_b − R_a for ratios of sums over paired replications, with a delta-method interval.
pub fn paired_ratio_difference(a: &[(f64, f64)], b: &[(f64, f64)]) -> Estimate {
    let n = a.len().min(b.len());
    let sums = |parts: &[(f64, f64)]| parts[..n].iter().fold((0.0, 0.0), |(s, t), (x, y)| (s + x, t + y));
    let ((xa, ya), (xb, yb)) = (sums(a), sums(b));
    if n == 0 || ya == 0.0 || yb == 0.0 {
        return Estimate::undefined(n);
    }
    let (ra, rb) = (xa / ya, xb / yb);
    let (mean_a, mean_b) = (ya / n as f64, yb / n as f64);
    if n < 2 {
        return Estimate::with_spread(rb - ra, f64::NAN, n);
    }
    let z = a[..n].iter().zip(&b[..n]).map(|((x1, y1), (x2, y2))| (x2 - rb * y2) / mean_b - (x1 - ra * y1) / mean_a);
    Estimate::with_spread(rb - ra, sample_sd(z, 0.0, n), n)
}

/// b − a for two independent estimates, with a Welch interval.
pub fn independent_difference(a: &Estimate, b: &Estimate) -> Estimate {
    let (na, nb) = (a.replications as f64, b.replications as f64);
    let (va, vb) = (a.std_dev.powi(2) / na, b.std_dev.powi(2) / nb);
    let se = (va + vb).sqrt();
    let df = (va + vb).powi(2) / (va.powi(2) / (na - 1.0) + vb.powi(2) / (nb - 1.0));
    let half = t_975_real(df) * se;
    let mean = b.mean - a.mean;
    Estimate {
        mean,
        ci95_low: mean - half,
        ci95_high: mean + half,
        std_dev: se,
        replications: a.replications.min(b.replications),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        assert!((t_975(1) - 12.7062).abs() < 1e-3);
        assert!((t_975(9) - 2.2622).abs() < 1e-4);
        assert!((t_975(29) - 2.04523).abs() < 1e-5);
    }

    #[test]
    fn paired_differences_cancel_what_the_pairs_share() {
        // Each pair shares a large common component: the paired interval is narrow, the
        // independent one is not.
        let a = [100.0, 200.0, 300.0, 400.0];
        let b = [101.0, 202.0, 301.0, 402.0];
        let paired = paired_difference(&a, &b);
        assert_eq!(paired.mean, 1.5);
        let independent = independent_difference(&of_values(&a), &of_values(&b));
        assert_eq!(independent.mean, 1.5);
        assert!(paired.half_width() * 50.0 < independent.half_width());
        let r = paired_ratio_difference(&[(1.0, 2.0), (2.0, 4.0)], &[(2.0, 2.0), (4.0, 4.0)]);
        assert_eq!(r.mean, 0.5);
        assert_eq!(r.std_dev, 0.0);
    }

    #[test]
    fn welch_degrees_of_freedom_reduce_to_the_pooled_case_for_equal_samples() {
        let a = of_values(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        let b = of_values(&[2.0, 3.0, 4.0, 5.0, 6.0]);
        let d = independent_difference(&a, &b);
        let se = (2.0 * 2.5 / 5.0f64).sqrt();
        assert!((d.half_width() - t_975(8) * se).abs() < 1e-9);
    }

    #[test]
    fn a_mean_gets_a_student_t_interval() {
        let e = of_values(&[1.0, 2.0, 3.0, 4.0, f64::NAN]);
        assert_eq!(e.replications, 4);
        assert_eq!(e.mean, 2.5);
        let sd = (5.0f64 / 3.0).sqrt();
        assert!((e.std_dev - sd).abs() < 1e-12);
        assert!((e.half_width() - t_975(3) * sd / 2.0).abs() < 1e-12);
    }

    #[test]
    fn one_replication_has_no_interval() {
        let e = of_values(&[7.0]);
        assert_eq!(e.mean, 7.0);
        assert!(e.ci95_low.is_nan() && e.ci95_high.is_nan() && e.std_dev.is_nan());
        let r = of_ratio(&[(1.0, 4.0)]);
        assert_eq!(r.mean, 0.25);
        assert!(r.std_dev.is_nan());
    }

    #[test]
    fn a_ratio_is_a_ratio_of_sums_not_a_mean_of_ratios() {
        let e = of_ratio(&[(1.0, 1.0), (0.0, 9.0)]);
        assert_eq!(e.mean, 0.1);
        assert!(of_ratio(&[(0.0, 0.0), (0.0, 0.0)]).mean.is_nan());
    }

    #[test]
    fn the_delta_method_interval_covers_the_true_ratio_at_about_95_percent() {
        // 2000 experiments of 20 replications; each replication has Poisson-ish denominators and
        // binomial numerators with p = 0.3. Coverage must lie within 4 binomial standard errors
        // of 0.95 (≈ 0.0195).
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(5);
        let experiments = 2000;
        let mut covered = 0;
        for _ in 0..experiments {
            let parts: Vec<(f64, f64)> = (0..20)
                .map(|_| {
                    let y = 20 + rng.random_range(0..40);
                    let x = (0..y).filter(|_| rng.random::<f64>() < 0.3).count();
                    (x as f64, y as f64)
                })
                .collect();
            let e = of_ratio(&parts);
            if e.ci95_low <= 0.3 && 0.3 <= e.ci95_high {
                covered += 1;
            }
        }
        let coverage = covered as f64 / experiments as f64;
        let se = (0.95f64 * 0.05 / experiments as f64).sqrt();
        assert!((coverage - 0.95).abs() < 4.0 * se, "coverage {coverage}");
    }
}
