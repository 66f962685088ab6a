//! Staffing profiles (DESIGN.md "Profiles" and "Staffing"): `staffing = [...]` on an agent group
//! puts agent i on duty in a slot while i is below the slot's value; the number of values sets the
//! slot, a day or a week; agents going off duty finish what they hold and take nothing new.

use ccsim::experiment::{self, Settings};
use ccsim::metrics::ScopeKind;

use crate::common::{Center, Recorder, run, scenario, scope};

/// A voice line of `rate` calls an hour of 3 minutes over `horizon`, its agents as `group` says.
fn center(rate: f64, horizon: &str, group: &str) -> String {
    Center::new("voice", rate, "{ dist = \"exponential\", mean = \"3m\" }", 1)
        .simulation(&format!("horizon = \"{horizon}\"\nreplications = 3\nseed = 17"))
        .groups(&format!("[[agent_group]]\nname = \"agents\"\ncapacity = 1\nqueues = [\"q\"]\n{group}\n"))
        .toml()
}

fn summary_bytes(text: &str) -> Vec<u8> {
    let s = scenario(text);
    let results = experiment::run_replications(&s, &Settings::default(), &|_| {});
    ccsim::report::run_files(&results, &s).unwrap().into_iter().find(|f| f.name == "summary.csv").unwrap().bytes
}

#[test]
fn a_constant_profile_is_count_agents_around_the_clock_at_any_slot_length() {
    let counted = summary_bytes(&center(100.0, "2d", "count = 6"));
    for staffing in ["[6]".to_string(), format!("{:?}", [6; 24]), format!("{:?}", [6; 96]), format!("{:?}", [6; 168])] {
        assert_eq!(summary_bytes(&center(100.0, "2d", &format!("staffing = {staffing}"))), counted, "{staffing}");
    }
}

#[test]
fn a_profile_puts_its_agents_on_duty_slot_by_slot() {
    // Hourly: none before 08:00, 3 until 12:00, 5 until 18:00, none after; a trickle of calls so
    // that nobody is still busy when a slot ends. Half-hourly: 2, then 4, within each hour.
    let hourly: Vec<u32> = (0..24)
        .map(|h| match h {
            8..=11 => 3,
            12..=17 => 5,
            _ => 0,
        })
        .collect();
    let r = run(&center(1.0, "1d", &format!("staffing = {hourly:?}")));
    let agents = scope(&r, ScopeKind::AgentGroup, "agents");
    for (k, &want) in hourly.iter().enumerate() {
        // On duty, and a little more where one finishes a call past the slot's end.
        let staffed = r.staffed_agents(&[k], agents);
        assert!(staffed >= f64::from(want) && staffed < f64::from(want) + 0.1, "hour {k}: {staffed}");
    }
    let half_hourly: Vec<u32> = (0..48).map(|s| if s % 2 == 0 { 2 } else { 4 }).collect();
    let r = run(&center(1.0, "1d", &format!("staffing = {half_hourly:?}")));
    let agents = scope(&r, ScopeKind::AgentGroup, "agents");
    // 3 on average, a little more where one finishes a call past its half hour.
    let staffed: Vec<f64> = (0..24).map(|k| r.staffed_agents(&[k], agents)).collect();
    assert!(staffed.iter().all(|&s| (3.0..3.1).contains(&s)), "{staffed:?}");
}

#[test]
fn a_weekly_profile_starts_on_monday_and_repeats_weekly() {
    // Five agents on Mondays only, over nine days: days 1 and 8 staffed, the others not.
    let monday_only: Vec<u32> = (0..168).map(|h| if h < 24 { 5 } else { 0 }).collect();
    let r = run(&center(1.0, "9d", &format!("staffing = {monday_only:?}")));
    let agents = scope(&r, ScopeKind::AgentGroup, "agents");
    let day = |d: usize| r.staffed_agents(&(d * 24..(d + 1) * 24).collect::<Vec<_>>(), agents);
    let staffed: Vec<f64> = (0..9).map(day).collect();
    for (d, &s) in staffed.iter().enumerate() {
        let want = if d % 7 == 0 { 5.0 } else { 0.0 };
        assert!((s - want).abs() < 0.01, "day {}: {s} ({staffed:?})", d + 1);
    }
}

#[test]
fn agents_going_off_duty_finish_what_they_hold_and_take_nothing_new() {
    // Two agents until 10:00, then one, then none from 12:00; calls of 40 minutes on average,
    // always some waiting.
    let staffing: Vec<u32> = (0..24)
        .map(|h| match h {
            8..=9 => 2,
            10..=11 => 1,
            _ => 0,
        })
        .collect();
    let text = Center::new("voice", 30.0, "{ dist = \"exponential\", mean = \"40m\" }", 1)
        .simulation("horizon = \"1d\"\nreplications = 1")
        .groups(&format!("[[agent_group]]\nname = \"agents\"\nqueues = [\"q\"]\nstaffing = {staffing:?}\n"))
        .toml();
    let rec = Recorder::run(&text);
    let (ten, noon) = (10.0 * 3600.0, 12.0 * 3600.0);
    let answered = rec.of("answered");
    // Agent 1 (the second) takes calls only before 10:00, agent 0 only before noon.
    assert!(answered.iter().any(|&(_, a, t)| a == 1 && t < ten));
    assert!(answered.iter().all(|&(_, a, t)| (a == 1 && t < ten) || (a == 0 && t < noon)), "{answered:?}");
    // Each finishes the call it holds when its duty ends.
    let completed = rec.of("completed");
    assert!(completed.iter().any(|&(_, a, t)| a == 1 && t > ten), "{completed:?}");
    assert!(completed.iter().any(|&(_, a, t)| a == 0 && t > noon), "{completed:?}");
}

#[test]
fn a_shift_template_reads_its_starts_days_breaks_and_agent_keys() {
    let text = format!(
        "{}\n[[shift_template]]\nname = \"day\"\nstart = {{ from = \"06:00\", to = \"08:00\", every = \"30m\" }}\nlength = \"8h\"\ndays = [\"mon\", \"fri\"]\nbreaks = [{{ window = [\"3h\", \"5h\"], duration = \"30m\" }}]\ncost_per_hour = 1.5\nmax = 40\ncapacity = 2\nqueues = [\"q\"]\ngroup = \"agents\"\n\n[[shift_template]]\nname = \"late\"\nstart = [\"14:00\", \"13:00\"]\nlength = \"6h\"\nqueues = [\"q\"]\n",
        crate::common::Center::new("live_chat", 10.0, "\"2m\"", 3).toml()
    );
    let s = crate::common::scenario(&text);
    let [day, late] = &s.shift_templates[..] else { panic!("two templates") };
    let h = |x: f64| x * 3600.0;
    assert_eq!(day.starts, [h(6.0), h(6.5), h(7.0), h(7.5), h(8.0)]);
    assert_eq!(day.days, [true, false, false, false, true, false, false]);
    assert_eq!((day.breaks[0].window, day.breaks[0].duration), ((h(3.0), h(5.0)), 1800.0));
    assert_eq!((day.cost_per_hour, day.max, day.group.map(|g| g.index())), (1.5, Some(40), Some(0)));
    assert_eq!((day.agents.capacity, day.agents.count), (2, 0));
    assert_eq!((late.starts.clone(), late.days, late.min, late.max), (vec![h(13.0), h(14.0)], [true; 7], 0, None));
}
