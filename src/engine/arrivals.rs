//! Arrival times of a channel: the next arrival after the current one, for each arrival process.
//!
//! - **Poisson** with a piecewise-constant rate (a daily or weekly profile, or a forecast), times
//!   the replication's factor of each day (special days, `day_factor`): the next arrival after `t`
//!   is found by inverting the cumulative rate: draw E ~ Exp(1) and walk forward slot by slot,
//!   spending E against rate × time, until it is used up. This is exact (no thinning, no
//!   approximation at slot boundaries, which never cross midnight) and costs one random number
//!   per arrival.
//! - **Renewal**: i.i.d. inter-arrival times from any distribution; the first arrival comes one
//!   draw after time 0 (an ordinary renewal process, not a stationary one).
//! - **Trace**: the historical timestamps, in order, the same in every replication. Only the
//!   customers differ between replications, since they draw from their own streams.
//!
//! Poisson and renewal draw from the channel's arrival stream; a trace draws nothing, which is
//! what makes its arrivals the same in every replication.

use rand::Rng;
use rand_distr::{Distribution as _, Exp1};

use crate::scenario::profile::Profile;
use crate::scenario::{Arrivals, RateProfile, distribution::Distribution};
use crate::time::{DAY, SimTime};

/// The channel's first arrival after `now`, or `None` if there is none before `horizon`.
/// `trace_position` is how many timestamps of a trace have been replayed; the other processes
/// leave it alone. `days` is the replication's factor on each day's rates (empty: 1 every day).
pub fn next_arrival<R: Rng + ?Sized>(
    arrivals: &Arrivals,
    days: &[f64],
    trace_position: &mut usize,
    now: SimTime,
    horizon: SimTime,
    rng: &mut R,
) -> Option<SimTime> {
    match arrivals {
        Arrivals::Poisson(profile) => next_poisson(&profile.rate, days, now, horizon, rng),
        Arrivals::Renewal(interarrival) => next_renewal(interarrival, now, horizon, rng),
        Arrivals::Trace(times) => next_in_trace(times, trace_position, horizon),
    }
}

/// The factors of each day of a replication: the special days' scale times a `day_factor` draw
/// per day, in day order from the channel's own stream.
pub fn day_factors<R: Rng + ?Sized>(profile: &RateProfile, days: usize, rng: &mut R) -> Vec<f64> {
    if !profile.varies_by_day() {
        return Vec::new();
    }
    (0..days).map(|d| profile.scale(d) * profile.day_factor.as_ref().map_or(1.0, |f| f.sample(rng))).collect()
}

/// The next arrival of a non-homogeneous Poisson process after `now`: `rate` (per second) times
/// the factor of the day in `days` (1 past its end).
pub fn next_poisson<R: Rng + ?Sized>(
    rate: &Profile,
    days: &[f64],
    now: SimTime,
    horizon: SimTime,
    rng: &mut R,
) -> Option<SimTime> {
    let values = rate.values();
    let slots = values.len();
    if slots == 1 && days.is_empty() {
        // A constant rate: the gap is exponential, no slot walk needed.
        let rate = values[0];
        if rate <= 0.0 {
            return None;
        }
        // The mean gap is found while the draw is made: a multiply then waits less than a divide.
        let mean_gap = 1.0 / rate;
        let gap: f64 = Exp1.sample(rng);
        let arrival = now.0 + gap * mean_gap;
        return (arrival < horizon.0).then_some(SimTime(arrival));
    }
    let mut budget: f64 = Exp1.sample(rng);
    let mut t = now.0;
    let slot = rate.slot();
    // Slots walked in a row at a profile's rate of 0: a whole period of them means a silent
    // profile. A day whose factor is 0 is not silence: later days may bring arrivals.
    let mut silent = 0;
    while t < horizon.0 && silent <= slots {
        // `t` is not negative: truncation is the floor (and needs no call where the target has no
        // rounding instruction).
        let absolute_slot = (t / slot) as u64;
        // Slots repeat with the period: the value by integer arithmetic rather than a float modulo.
        let base = rate.value_of_slot(absolute_slot);
        // Without day factors every day's is 1: no division for the day.
        let here = if days.is_empty() { base } else { base * days.get((t / DAY) as usize).copied().unwrap_or(1.0) };
        let slot_end = (absolute_slot as f64 + 1.0) * slot;
        if base <= 0.0 {
            silent += 1;
        } else {
            silent = 0;
        }
        if here > 0.0 {
            let dt = budget / here;
            if t + dt < slot_end {
                let arrival = t + dt;
                return (arrival < horizon.0).then_some(SimTime(arrival));
            }
            budget -= here * (slot_end - t);
        }
        t = slot_end;
    }
    None
}

/// The next arrival of a renewal process: one inter-arrival time after `now`.
pub fn next_renewal<R: Rng + ?Sized>(
    interarrival: &Distribution,
    now: SimTime,
    horizon: SimTime,
    rng: &mut R,
) -> Option<SimTime> {
    let at = now.0 + interarrival.sample(rng);
    (at < horizon.0).then_some(SimTime(at))
}

/// The next timestamp of a sorted trace, advancing `position` past it.
pub fn next_in_trace(times: &[f64], position: &mut usize, horizon: SimTime) -> Option<SimTime> {
    let at = *times.get(*position)?;
    if at >= horizon.0 {
        return None;
    }
    *position += 1;
    Some(SimTime(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    fn count_per_slot(profile: &Profile, days: f64) -> Vec<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut counts = vec![0.0; profile.values().len()];
        let mut t = SimTime::ZERO;
        while let Some(a) = next_poisson(profile, &[], t, SimTime(days * DAY), &mut rng) {
            counts[((a.0 % profile.period()) / profile.slot()) as usize] += 1.0;
            t = a;
        }
        counts
    }

    #[test]
    fn a_silent_profile_has_no_arrival_and_is_seen_to_be_silent_within_a_day() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let silent = Profile::new(vec![0.0; 96]).unwrap();
        // A walk to the horizon would take 10^12 slots.
        assert_eq!(next_poisson(&silent, &[], SimTime(5.0), SimTime(1e15), &mut rng), None);
        let night_only = Profile::new([vec![0.0; 95], vec![1.0]].concat()).unwrap();
        let at = next_poisson(&night_only, &[], SimTime(5.0), SimTime(1e15), &mut rng).unwrap();
        assert!(at.0 % DAY >= DAY - 900.0, "{at:?}");
    }

    #[test]
    fn arrivals_per_slot_match_the_rate_profile() {
        // Four 6-hour slots at 0, 10, 40 and 5 per hour over 200 days: each count is Poisson, so
        // it lies within 4 standard deviations (√mean) of its mean.
        let profile = Profile::series(vec![0.0, 10.0 / 3600.0, 40.0 / 3600.0, 5.0 / 3600.0], 6.0 * 3600.0);
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
        let profile = RateProfile::constant(120.0).rate;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let (mut t, mut short, mut n) = (SimTime::ZERO, 0.0, 0.0);
        while let Some(a) = next_poisson(&profile, &[], t, SimTime(100.0 * DAY), &mut rng) {
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
        let profile = RateProfile::constant(3600.0).rate;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        assert_eq!(
            next_poisson(&profile, &[], SimTime(99.9999), SimTime(100.0), &mut rng).filter(|a| a.0 >= 100.0),
            None
        );
    }

    /// Every arrival of `arrivals` before `horizon`, as the engine schedules them.
    fn all_arrivals(arrivals: &Arrivals, horizon: f64, seed: u64) -> Vec<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let (mut t, mut position, mut out) = (SimTime::ZERO, 0, Vec::new());
        while let Some(a) = next_arrival(arrivals, &[], &mut position, t, SimTime(horizon), &mut rng) {
            out.push(a.0);
            t = a;
        }
        out
    }

    #[test]
    fn renewal_with_a_constant_interarrival_is_evenly_spaced() {
        let arrivals = Arrivals::Renewal(Distribution::Constant(90.0));
        let times = all_arrivals(&arrivals, 3600.0, 1);
        // The first arrival is one inter-arrival after time 0; 3600 itself is the horizon.
        let expected: Vec<f64> = (1..40).map(|k| 90.0 * f64::from(k)).collect();
        assert_eq!(times, expected);
    }

    #[test]
    fn renewal_with_exponential_interarrivals_counts_like_poisson() {
        // Exponential gaps with mean 30 s are a Poisson process of 120 per hour: over 100 days the
        // count is Poisson with mean 288 000, within 4 standard deviations of it.
        let exp = rand_distr::Exp::new(1.0 / 30.0).unwrap();
        let arrivals = Arrivals::Renewal(Distribution::Exponential(exp, 30.0));
        let count = all_arrivals(&arrivals, 100.0 * DAY, 9).len() as f64;
        let mean = 100.0 * DAY / 30.0;
        assert!((count - mean).abs() <= 4.0 * mean.sqrt(), "{count} vs {mean}");
    }

    #[test]
    fn trace_replays_its_timestamps_in_order_up_to_the_horizon() {
        let times = [0.0, 5.0, 5.0, 60.0, 3599.5, 3600.0, 7200.0];
        let arrivals = Arrivals::Trace(times.as_slice().into());
        assert_eq!(all_arrivals(&arrivals, 3600.0, 1), &times[..5]);
        // The same timestamps, whatever the stream.
        assert_eq!(all_arrivals(&arrivals, 3600.0, 2), &times[..5]);
        assert_eq!(all_arrivals(&arrivals, 1e6, 3), &times[..]);
    }
}
