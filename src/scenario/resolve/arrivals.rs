//! A channel's arrivals as the resolver checks them: a Poisson rate or daily profile, renewal
//! gaps, or timestamps replayed from a trace file.

use crate::scenario::raw::Spanned;

use super::*;
use crate::scenario::demand::ForecastRow;
use crate::scenario::model::*;
use crate::scenario::profile::{Profile, WEEK};
use crate::scenario::raw::{RateSpec, RawArrivals};

impl Resolver<'_> {
    /// The arrivals of channel `channel`, and the mean handle time of its conversations by
    /// arrival time where a forecast file gives one (`aht_s`).
    pub(super) fn arrivals(
        &self,
        raw: &Spanned<RawArrivals>,
        sim: &Simulation,
        key: &str,
        channel: &str,
    ) -> Result<(Arrivals, Option<Profile>)> {
        let (rate_per_hour, file, day_factor) = match raw.get_ref() {
            RawArrivals::Poisson { rate_per_hour, file, day_factor } => (rate_per_hour, file, day_factor),
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
                return Ok((Arrivals::Renewal(d), None));
            }
            RawArrivals::Trace { file } => return Ok((self.trace(raw, file, sim, key)?, None)),
        };
        let (rate, aht) = match (rate_per_hour, file) {
            (Some(rates), None) => {
                (self.rate_profile(raw, rates, sim, &format!("{key}.arrivals.rate_per_hour"))?, None)
            }
            (None, Some(file)) => self.forecast(raw, file, sim, key, channel)?,
            (Some(_), Some(_)) => {
                return Err(self.at(
                    raw,
                    format!("{key}.arrivals"),
                    "both rate_per_hour and file; expected one of them (file reads a forecast of counts per interval)",
                ));
            }
            (None, None) => {
                return Err(self.at(
                    raw,
                    format!("{key}.arrivals"),
                    "missing rate_per_hour; expected a rate per hour, a list of rates (a profile of the day or the week) or file = \"forecast.csv\"",
                ));
            }
        };
        let day_factor = match day_factor {
            None => None,
            Some(d) => {
                let key = format!("{key}.arrivals.day_factor");
                let at = self.value_in(raw.span(), "day_factor");
                let d = self.distribution_at(&d.0, at.clone(), key.clone(), Support::NonNegative)?;
                if (d.mean() - 1.0).abs() > 1e-9 {
                    return Err(self.error_at(
                        Some(at),
                        key,
                        format!(
                            "a mean of {}; expected a distribution with mean 1 (it multiplies each day's rates, so the rates keep their mean), such as {{ dist = \"gamma\", mean = 1, sd = 0.12 }}",
                            d.mean()
                        ),
                    ));
                }
                Some(d)
            }
        };
        Ok((Arrivals::Poisson(RateProfile { rate, day_scale: std::sync::Arc::from([]), day_factor }), aht))
    }

    /// A forecast file's rates per second for `channel` (its rows, or every row of a file without
    /// a channel column), from 00:00 of day 1; and its mean handle times, where it gives them.
    fn forecast(
        &self,
        raw: &Spanned<RawArrivals>,
        file: &str,
        sim: &Simulation,
        key: &str,
        channel: &str,
    ) -> Result<(Profile, Option<Profile>)> {
        let path = self.base_dir.join(file);
        let key = format!("{key}.arrivals");
        let fail = |message: String| self.data_file_error(raw.span(), &key, message);
        let shown = path.display();
        let rows = demand::read_forecast(&path, sim.start).map_err(fail)?;
        let mut mine: Vec<&ForecastRow> =
            rows.iter().filter(|r| r.channel.as_deref().is_none_or(|c| c == channel)).collect();
        if mine.is_empty() {
            let mut names: Vec<&str> = rows.iter().filter_map(|r| r.channel.as_deref()).collect();
            names.sort_unstable();
            names.dedup();
            return Err(fail(format!(
                "{shown} has no interval for channel \"{channel}\"; its channels are {}",
                names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
            )));
        }
        mine.sort_by(|a, b| a.start.total_cmp(&b.start));
        let label = |t: f64| sim.label(SimTime(t));
        if mine.len() < 2 {
            return Err(fail(format!(
                "{shown}, line {}: one interval for channel \"{channel}\"; expected at least two (each interval lasts until the next one starts)",
                mine[0].line
            )));
        }
        for w in mine.windows(2) {
            if w[0].start == w[1].start {
                return Err(fail(format!(
                    "{shown}, lines {} and {}: two intervals start at {}; expected each interval once",
                    w[0].line.min(w[1].line),
                    w[0].line.max(w[1].line),
                    label(w[0].start)
                )));
            }
        }
        let step = mine.windows(2).map(|w| w[1].start - w[0].start).fold(f64::INFINITY, f64::min);
        let whole = |x: f64| (x - x.round()).abs() < 1e-6;
        if !((60.0..=DAY).contains(&step) && whole(DAY / step) && whole(step / 60.0)) {
            return Err(fail(format!(
                "{shown}: intervals of {}; expected intervals of whole minutes that divide a day, such as 15m, 30m, 1h or 1d",
                Duration(step).label()
            )));
        }
        for w in mine.windows(2) {
            let gap = (w[1].start - w[0].start) / step;
            if !whole(gap) {
                return Err(fail(format!(
                    "{shown}, line {}: an interval starts at {}, between the intervals of {}; expected one interval every {}",
                    w[1].line,
                    label(w[1].start),
                    Duration(step).label(),
                    Duration(step).label()
                )));
            }
            if gap.round() > 1.0 {
                return Err(fail(format!(
                    "{shown}, line {}: no interval starts at {} (the one before it, line {}, starts at {}); expected one interval every {}, none missing",
                    w[1].line,
                    label(w[0].start + step),
                    w[0].line,
                    label(w[0].start),
                    Duration(step).label()
                )));
            }
        }
        let first = mine[0].start;
        if !whole(first / step) {
            return Err(fail(format!(
                "{shown}, line {}: the first interval starts at {}; expected interval starts on the {} grid from 00:00",
                mine[0].line,
                label(first),
                Duration(step).label()
            )));
        }
        let covered = mine.len() as f64 * step;
        let values: Vec<f64> = mine.iter().map(|r| r.offered / step).collect();
        let aht: Option<Vec<f64>> = mine.iter().map(|r| r.aht_s).collect();
        // A file of exactly one day or one week repeats with that period, from its own start.
        let repeats = (covered - DAY).abs() < 1e-6 || (covered - WEEK).abs() < 1e-6;
        let build = |values: Vec<f64>| -> Profile {
            if repeats {
                Profile::series(values, step).turned(-first)
            } else {
                let skip = (-first / step).round() as usize;
                Profile::series(values[skip..].to_vec(), step)
            }
        };
        if !repeats {
            if first > 0.0 {
                return Err(fail(format!(
                    "{shown}, line {}: the forecast starts at {}, after 00:00 of day 1; expected it to cover the simulated days from their start (or to be exactly one day or one week, which repeats)",
                    mine[0].line,
                    label(first)
                )));
            }
            if first + covered < sim.horizon.0 {
                return Err(fail(format!(
                    "{shown}: the forecast ends at {}, before the horizon ({}); expected a forecast covering the horizon, or exactly one day or one week, which repeats",
                    label(first + covered),
                    label(sim.horizon.0)
                )));
            }
        }
        Ok((build(values), aht.map(build)))
    }

    /// `[[special_day]]`: each date's factor on the rates of its channel (of every Poisson channel
    /// without one). A date needs `simulation.start`; one outside the horizon is a warning.
    pub(super) fn special_days(
        &self,
        raw: &[crate::scenario::raw::RawSpecialDay],
        sim: &Simulation,
        channels: &mut [Channel],
    ) -> Result<()> {
        let days = (sim.horizon.0 / DAY).ceil() as usize;
        let mut scales: Vec<Vec<f64>> = vec![Vec::new(); channels.len()];
        for (i, special) in raw.iter().enumerate() {
            let key = format!("special_day[{i}]");
            let Some(start) = sim.start else {
                return Err(self.at(
                    &special.date,
                    format!("{key}.date"),
                    "a date, but the simulation has no start; expected simulation.start = \"YYYY-MM-DD\", the date of day 1",
                ));
            };
            let date = self.date(&special.date, &format!("{key}.date"))?;
            let factor = *special.factor.get_ref();
            if !(factor.is_finite() && factor >= 0.0) {
                return Err(self.at(
                    &special.factor,
                    format!("{key}.factor"),
                    format!(
                        "{factor}; expected a factor ≥ 0 on the day's arrivals (0.3 for a holiday, 1.8 for a campaign)"
                    ),
                ));
            }
            let which: Vec<usize> = match &special.channel {
                None => (0..channels.len()).filter(|&c| matches!(channels[c].arrivals, Arrivals::Poisson(_))).collect(),
                Some(name) => {
                    let Some(c) = channels.iter().position(|c| &c.name == name.get_ref()) else {
                        return Err(self.at(
                            name,
                            format!("{key}.channel"),
                            format!(
                                "no channel is named \"{}\"; expected one of {}",
                                name.get_ref(),
                                list(channels.iter().map(|c| &c.name))
                            ),
                        ));
                    };
                    if !matches!(channels[c].arrivals, Arrivals::Poisson(_)) {
                        return Err(self.at(
                            name,
                            format!("{key}.channel"),
                            "the channel's arrivals are not a Poisson rate or forecast; expected a channel whose rates a factor can scale",
                        ));
                    }
                    vec![c]
                }
            };
            let day = (date - start).get_days();
            if day < 0 || day as usize >= days {
                self.warn_at(
                    Some(special.date.span()),
                    format!("{key}.date"),
                    format!(
                        "{date} is outside the simulated days ({start} to {}); it changes nothing",
                        sim.date(days.saturating_sub(1)).unwrap_or(start)
                    ),
                );
                continue;
            }
            let day = day as usize;
            for c in which {
                let scale = &mut scales[c];
                if scale.len() <= day {
                    scale.resize(day + 1, 1.0);
                }
                scale[day] *= factor;
            }
        }
        for (channel, scale) in channels.iter_mut().zip(scales) {
            if let (Arrivals::Poisson(profile), false) = (&mut channel.arrivals, scale.is_empty()) {
                profile.day_scale = scale.into();
            }
        }
        Ok(())
    }

    /// A rate per hour or a profile of rates per hour, as arrivals per second from day 1 00:00.
    fn rate_profile(
        &self,
        raw: &Spanned<RawArrivals>,
        rates: &RateSpec,
        sim: &Simulation,
        key: &str,
    ) -> Result<Profile> {
        let values = match rates {
            RateSpec::Constant(rate) => vec![*rate],
            RateSpec::Profile(rates) => rates.clone(),
        };
        if let Some(rate) = values.iter().find(|r| !(r.is_finite() && **r >= 0.0)) {
            return Err(self.at(raw, key, format!("a rate of {rate} per hour; expected a finite number ≥ 0")));
        }
        let n = values.len();
        let profile = Profile::new(values.iter().map(|r| r / 3600.0).collect()).map_err(|e| {
            // A list of one rate per reporting interval of another length (12 rates of 2 hours).
            let hint = [24usize, 48, 96].iter().find(|&&k| n > 0 && k % n == 0 && k > n).map_or(String::new(), |&k| {
                format!(
                    " ({n} rates of {} each: repeat each rate {} times to give {k})",
                    Duration(DAY / n as f64).label(),
                    k / n
                )
            });
            self.at(raw, key, format!("{e}{hint}"))
        })?;
        Ok(profile.turned(sim.weekday_offset() as f64 * DAY))
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
        let times =
            demand::read_arrival_times(&path, sim.start).map_err(|e| self.data_file_error(raw.span(), &key, e))?;
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
