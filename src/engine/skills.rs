//! Agents' skills in a replication (DESIGN.md "Routing, wave 2"): each agent's rating of each
//! skill — its group's fixed rating, or one drawn from its group's distribution, rounded and kept
//! within 1 to 100 — and what the ratings make of the scenario's skill sets: the sets each agent
//! has the skills for, and, for sets matched closest, its distance from each.
//!
//! Drawn ratings come from a stream keyed by the seed, the group and the agent's place in it, not
//! by the replication: the same team in every replication, and an agent keeps its ratings when
//! its group grows (a staffing search adds agents, it does not reshuffle them).

use super::rng::{self, Purpose};
use crate::scenario::{Matching, Rating, Scenario, SkillSet};

pub(super) struct Skills {
    /// Per agent in roster order, a bit per skill set it has the skills for.
    pub qualified: Vec<u64>,
    /// Per skill set matched closest, each agent's [`SkillSet::distance`]; empty for the others.
    pub distances: Vec<Vec<u32>>,
}

impl Skills {
    pub fn of(scenario: &Scenario, group_start: &[u32]) -> Skills {
        let agents = group_start.last().map_or(0, |&n| n as usize);
        let sets = &scenario.skill_sets;
        let closest = |set: &SkillSet| set.matching == Matching::Closest && !set.skills.is_empty();
        let mut skills = Skills {
            qualified: vec![1; agents],
            distances: sets.iter().map(|s| if closest(s) { vec![0; agents] } else { Vec::new() }).collect(),
        };
        if sets.len() == 1 {
            return skills;
        }
        let mut ratings = vec![0; scenario.skills.len()];
        for (g, group) in scenario.agent_groups.iter().enumerate() {
            for offset in 0..group.count {
                let id = (group_start[g] + offset) as usize;
                ratings.fill(0);
                let mut stream = rng::stream(scenario.simulation.seed, 0, Purpose::Skills, g as u64, offset.into());
                for (skill, rating) in &group.skills {
                    ratings[skill.index()] = match rating {
                        Rating::Fixed(r) => *r,
                        Rating::Drawn(d) => {
                            d.sample(&mut stream).round().clamp(1.0, f64::from(SkillSet::MOST_RATING)) as u32
                        }
                    };
                }
                for (s, set) in sets.iter().enumerate() {
                    skills.qualified[id] |= u64::from(set.admits(&ratings)) << s;
                    if closest(set) {
                        skills.distances[s][id] = set.distance(&ratings);
                    }
                }
            }
        }
        skills
    }
}

#[cfg(test)]
mod tests {
    use super::Skills;
    use crate::scenario::{Matching, Scenario, SkillId, SkillSetId};

    /// `count` agents rated uniformly from 1 to 10 in spanish; English speakers need english 4,
    /// Spanish speakers spanish 6, and VIPs spanish 8 (with `matching`).
    fn scenario(count: u32, seed: u64, matching: &str) -> Scenario {
        let text = format!(
            r#"
[simulation]
horizon = "1h"
seed = {seed}

[[channel]]
name = "web"
kind = "live_chat"
work_stream = "chat"
arrivals = {{ process = "poisson", rate_per_hour = 10 }}
context = {{ language = {{ es = 0.5, en = 0.5 }}, tier = {{ vip = 0.1, std = 0.9 }} }}

[[work_stream]]
name = "chat"
handle_time = "5m"
matching = "{matching}"
context_variables = [ {{ name = "language", type = "text" }}, {{ name = "tier", type = "text" }} ]

[[work_stream.classification]]
when = {{ language = "es" }}
skills = {{ spanish = 6 }}

[[work_stream.classification]]
when = {{ tier = "vip" }}
skills = {{ spanish = 8 }}

[[work_stream.classification]]
when = {{ language = "en" }}
skills = {{ english = 4 }}

[[queue]]
name = "q"

[[agent_group]]
name = "a"
count = {count}
queues = ["q"]
skills = {{ spanish = {{ dist = "uniform", min = 1, max = 10 }}, english = 5 }}
"#
        );
        Scenario::from_toml(&text, "skills.toml").unwrap()
    }

    #[test]
    fn the_rules_that_can_match_together_make_the_sets_a_skill_twice_at_its_higher_rating() {
        let s = scenario(1, 1, "exact");
        let ws = &s.work_streams[0];
        let id = |name: &str| SkillId(s.skills.iter().position(|n| n == name).unwrap() as u16);
        let (spanish, english) = (id("spanish"), id("english"));
        let set = |rules: usize| &s.skill_sets[ws.skill_sets[usize::from(ws.set_of_rules[rules])].index()];
        assert_eq!(ws.skill_sets[usize::from(ws.set_of_rules[0])], SkillSetId::NONE);
        assert_eq!(set(0b001).skills, [(spanish, 6)]);
        assert_eq!(set(0b011).skills, [(spanish, 8)]);
        assert_eq!(set(0b010).skills, [(spanish, 8)]);
        let mut both = [(spanish, 8), (english, 4)];
        both.sort_unstable();
        assert_eq!(set(0b111).skills, both);
        assert_eq!(set(0b100).matching, Matching::Exact);
        // {}, spanish 6, spanish 8, english 4, spanish 6 + english 4, spanish 8 + english 4.
        assert_eq!(s.skill_sets.len(), 6);
    }

    #[test]
    fn only_the_sets_some_drawn_values_make_the_rules_attach_are_reachable() {
        // Every conversation is es or en, vip or std: no rule set without a language, and never
        // es with en.
        let s = scenario(1, 1, "exact");
        let ws = &s.work_streams[0];
        let reachable = |rules: usize| ws.set_reachable[usize::from(ws.set_of_rules[rules])];
        for rules in [0b001, 0b011, 0b100, 0b110] {
            assert!(reachable(rules), "{rules:03b}");
        }
        // None (no rule), and spanish 6 with english 4 (es and en at once).
        assert!(!reachable(0) && !reachable(0b101), "{:?}", ws.set_reachable);
        // A channel that draws no language makes the set of no rule (and the vip one) reachable.
        let text = std::fs::read_to_string("benches/huge_center.toml").unwrap();
        let s = Scenario::from_toml(&text.replacen("language = { en = 0.8, es = 0.2 }, ", "", 1), "h.toml").unwrap();
        let calls = &s.work_streams[0];
        assert!(calls.set_reachable[usize::from(calls.set_of_rules[0])]);
        let s = Scenario::from_toml(&text, "h.toml").unwrap();
        let calls = &s.work_streams[0];
        assert_eq!(calls.set_reachable.iter().filter(|&&r| r).count(), 2, "english or spanish");
    }

    #[test]
    fn drawn_ratings_qualify_their_share_of_agents_and_stay_with_the_agent() {
        let n = 2000;
        let s = scenario(n, 5, "exact");
        let skills = Skills::of(&s, &[0, n]);
        let ws = &s.work_streams[0];
        let bit = |rules: usize| 1u64 << ws.skill_sets[usize::from(ws.set_of_rules[rules])].0;
        let share =
            |rules: usize| skills.qualified.iter().filter(|&&q| q & bit(rules) != 0).count() as f64 / f64::from(n);
        // Rounded uniform(1, 10): a rating of 6 or more when the draw is 5.5 or more, 4.5 in 9; of
        // 8 or more, 2.5 in 9. Four binomial standard errors (≤ 0.045 for n = 2000).
        let se = |p: f64| 4.0 * (p * (1.0 - p) / f64::from(n)).sqrt();
        assert!((share(0b001) - 0.5).abs() < se(0.5), "{}", share(0b001));
        assert!((share(0b010) - 2.5 / 9.0).abs() < se(2.5 / 9.0), "{}", share(0b010));
        assert_eq!(share(0b100), 1.0, "english 5 ≥ 4 for all");
        assert_eq!(share(0), 1.0, "no skills: everyone");
        // The same seed, a larger group: the first agents keep their ratings; another seed differs.
        let larger = Skills::of(&scenario(n + 100, 5, "exact"), &[0, n + 100]);
        assert_eq!(larger.qualified[..n as usize], skills.qualified[..]);
        let other = Skills::of(&scenario(n, 6, "exact"), &[0, n]);
        assert_ne!(other.qualified, skills.qualified);
    }

    #[test]
    fn closest_matching_qualifies_every_agent_with_the_skills_and_measures_their_distance() {
        let s = scenario(50, 5, "closest");
        let skills = Skills::of(&s, &[0, 50]);
        let ws = &s.work_streams[0];
        let set = ws.skill_sets[usize::from(ws.set_of_rules[0b001])].index();
        assert!(skills.qualified.iter().all(|&q| q & (1 << set) != 0), "every agent has spanish");
        let distances = &skills.distances[set];
        assert!(distances.iter().all(|&d| d <= 2 * 5 + 1), "{distances:?}");
        assert!(distances.contains(&0) && distances.iter().any(|&d| d % 2 == 1), "{distances:?}");
        assert!(skills.distances[0].is_empty(), "no distances for no skills");
    }
}
