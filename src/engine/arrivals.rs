//! Arrival times: exact non-homogeneous Poisson arrivals with a piecewise-constant daily rate.
//!
//! The next arrival after `t` is found by inverting the cumulative rate: draw E ~ Exp(1) and walk
//! forward slot by slot, spending E against rate × time, until it is used up. This is exact (no
//! thinning, no approximation at slot boundaries) and costs one random number per arrival.

use rand::Rng;
use rand_distr::{Distribution, Exp1};

use crate::scenario::RateProfile;
use crate::time::{DAY, SimTime};

/// The first arrival after `now`, or `None` if there is none before `horizon`.
pub fn next_arrival<R: Rng + ?Sized>(
    profile: &RateProfile,
    now: SimTime,
    horizon: SimTime,
    rng: &mut R,
) -> Option<SimTime> {
    let mut budget: f64 = Exp1.sample(rng);
    let mut t = now.0;
    while t < horizon.0 {
        let slot_index = ((t.rem_euclid(DAY)) / profile.slot) as usize;
        let rate = profile.per_second[slot_index.min(profile.per_second.len() - 1)];
        let slot_end = ((t / profile.slot).floor() + 1.0) * profile.slot;
        if rate > 0.0 {
            let dt = budget / rate;
            if t + dt < slot_end {
                let arrival = t + dt;
                return (arrival < horizon.0).then_some(SimTime(arrival));
            }
            budget -= rate * (slot_end - t);
        }
        t = slot_end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    fn count_per_slot(profile: &RateProfile, days: f64) -> Vec<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut counts = vec![0.0; profile.per_second.len()];
        let mut t = SimTime::ZERO;
        while let Some(a) = next_arrival(profile, t, SimTime(days * DAY), &mut rng) {
            counts[((a.0 % DAY) / profile.slot) as usize] += 1.0;
            t = a;
        }
        counts
    }

    #[test]
    fn arrivals_per_slot_match_the_rate_profile() {
        // Four 6-hour slots at 0, 10, 40 and 5 per hour over 200 days: each count is Poisson, so
        // it lies within 4 standard deviations (√mean) of its mean.
        let profile =
            RateProfile { per_second: vec![0.0, 10.0 / 3600.0, 40.0 / 3600.0, 5.0 / 3600.0], slot: 6.0 * 3600.0 };
        let counts = count_per_slot(&profile, 200.0);
        assert_eq!(counts[0], 0.0);
        for (count, per_hour) in counts.iter().zip([0.0, 10.0, 40.0, 5.0]) {
            let mean = per_hour * 6.0 * 200.0;
            assert!((count - mean).abs() <= 4.0 * mean.sqrt(), "{count} vs {mean}");
        }
    }

    #[test]
    fn interarrival_times_of_a_constant_rate_are_exponential() {
        // The share of gaps under the mean is 1 − 1/e for an exponential distribution.
        let profile = RateProfile::constant(120.0);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let (mut t, mut short, mut n) = (SimTime::ZERO, 0.0, 0.0);
        while let Some(a) = next_arrival(&profile, t, SimTime(100.0 * DAY), &mut rng) {
            short += f64::from(u8::from((a.0 - t.0) < 30.0));
            n += 1.0;
            t = a;
        }
        let p = 1.0 - (-1.0f64).exp();
        let share = short / n;
        assert!((share - p).abs() < 4.0 * (p * (1.0 - p) / n).sqrt(), "{share} vs {p}");
    }

    #[test]
    fn no_arrival_after_the_horizon() {
        let profile = RateProfile::constant(3600.0);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        assert_eq!(next_arrival(&profile, SimTime(99.9999), SimTime(100.0), &mut rng).filter(|a| a.0 >= 100.0), None);
    }
}
