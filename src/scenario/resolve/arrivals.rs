//! A channel's arrivals as the resolver checks them: a Poisson rate or daily profile, renewal
//! gaps, or timestamps replayed from a trace file.

use toml::Spanned;

use super::*;
use crate::scenario::model::*;
use crate::scenario::raw::{RateSpec, RawArrivals};

impl Resolver<'_> {
    pub(super) fn arrivals(&self, raw: &Spanned<RawArrivals>, sim: &Simulation, key: &str) -> Result<Arrivals> {
        let rate_per_hour = match raw.get_ref() {
            RawArrivals::Poisson { rate_per_hour } => rate_per_hour,
            RawArrivals::Renewal { interarrival } => {
                let key = format!("{key}.arrivals.interarrival");
                let at = self.value_in(raw.span(), "interarrival");
                let d = self.distribution_at(&interarrival.0, at.clone(), key.clone(), Support::NonNegative)?;
                // Inter-arrival times of mean 0 would put every arrival at one instant, forever.
                if d.mean() <= 0.0 {
                    return Err(self.error_at(
                        Some(at),
                        key,
                        "the inter-arrival times have a mean of 0; expected a distribution with a mean above 0",
                    ));
                }
                return Ok(Arrivals::Renewal(d));
            }
            RawArrivals::Trace { file } => return self.trace(raw, file, sim, key),
        };
        let key = format!("{key}.arrivals.rate_per_hour");
        let check = |rate: f64| -> Result<f64> {
            if rate.is_finite() && rate >= 0.0 {
                Ok(rate / 3600.0)
            } else {
                Err(self.at(raw, key.clone(), format!("a rate of {rate} per hour; expected a finite number ≥ 0")))
            }
        };
        let profile = match rate_per_hour {
            RateSpec::Constant(rate) => RateProfile { per_second: vec![check(*rate)?], slot: DAY },
            RateSpec::PerInterval(rates) => {
                let slots = (DAY / sim.interval.0).round() as usize;
                if rates.len() != slots {
                    return Err(self.at(
                        raw,
                        key,
                        format!(
                            "{} rates; expected one number or {slots} rates, one per {} interval of a day (24h / simulation.interval)",
                            rates.len(),
                            sim.interval
                        ),
                    ));
                }
                RateProfile {
                    per_second: rates.iter().map(|r| check(*r)).collect::<Result<_>>()?,
                    slot: sim.interval.0,
                }
            }
        };
        Ok(Arrivals::Poisson(profile))
    }

    /// Replayed arrival timestamps: those before the horizon, sorted; at least one.
    pub(super) fn trace(
        &self,
        raw: &Spanned<RawArrivals>,
        file: &str,
        sim: &Simulation,
        key: &str,
    ) -> Result<Arrivals> {
        let path = self.base_dir.join(file);
        let key = format!("{key}.arrivals");
        let times = demand::read_arrival_times(&path).map_err(|e| self.data_file_error(raw.span(), &key, e))?;
        let before = times.partition_point(|t| *t < sim.horizon.0);
        let horizon = SimTime(sim.horizon.0).clock_label();
        if before == 0 {
            return Err(self.data_file_error(
                raw.span(),
                &key,
                format!(
                    "{}: all {} arrivals are at or after the horizon ({horizon}), the first at {}; expected at least one before it (time 0 is 00:00 of day 1)",
                    path.display(),
                    times.len(),
                    SimTime(times[0]).clock_label()
                ),
            ));
        }
        if before < times.len() {
            self.warn_at(
                Some(raw.span()),
                key.clone(),
                format!(
                    "{} of the {} arrivals in {} are at or after the horizon ({horizon}) and are not replayed",
                    times.len() - before,
                    times.len(),
                    path.display()
                ),
            );
        }
        Ok(Arrivals::Trace(times[..before].into()))
    }
}
