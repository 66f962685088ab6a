//! Skills as the resolver checks them (DESIGN.md "Routing, wave 2"): the skills agent groups have
//! and their ratings, the classification rules that attach required skills to a work stream's
//! conversations, and every combination of required skills those rules can make.

use std::collections::BTreeMap;

use crate::scenario::raw::Spanned;

use super::*;
use crate::scenario::distribution::Support;
use crate::scenario::raw::RawWorkStream;

/// How many distinct skills a scenario may have.
const MOST_SKILLS: usize = 64;

impl Resolver<'_> {
    /// Every skill named by an agent group or a shift template, once, in the order they name
    /// them.
    pub(super) fn skill_names(&self, raw: &RawScenario) -> Result<Vec<String>> {
        let given = raw.agent_group.iter().map(|g| &g.skills).chain(raw.shift_template.iter().map(|t| &t.skills));
        let mut names: Vec<String> = Vec::new();
        for skills in given.flatten() {
            for (name, rating) in skills.get_ref() {
                if names.contains(name) {
                    continue;
                }
                if names.len() == MOST_SKILLS {
                    return Err(self.at(
                        rating,
                        "agent_group",
                        format!("more than {MOST_SKILLS} skills; expected at most {MOST_SKILLS}"),
                    ));
                }
                names.push(name.clone());
            }
        }
        Ok(names)
    }

    /// A group's `skills`: a fixed rating from 1 to 100, or a distribution to draw each agent's.
    pub(super) fn group_skills(
        &self,
        given: &Option<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
        skills: &[String],
        key: &str,
    ) -> Result<Vec<(SkillId, Rating)>> {
        let mut out = Vec::new();
        for (name, value) in given.as_ref().map(|g| g.get_ref().iter()).into_iter().flatten() {
            let key = format!("{key}.skills.{name}");
            let id = SkillId(skills.iter().position(|s| s == name).expect("every group's skills are named") as u16);
            let rating = match value.get_ref() {
                toml::Value::Integer(n) => Rating::Fixed(self.rating(*n, value, &key)?),
                toml::Value::Table(_) => {
                    let raw = <RawDistribution as serde::Deserialize>::deserialize(value.get_ref().clone())
                        .map_err(|e| self.at(value, key.clone(), crate::scenario::plain_types(e.message())))?;
                    Rating::Drawn(self.distribution_at(&raw.0, value.span(), key, Support::NonNegative)?)
                }
                other => {
                    return Err(self.at(
                        value,
                        key,
                        format!(
                            "{other}; expected a rating from 1 to {} or a distribution such as {{ dist = \"uniform\", min = 3, max = 9 }}",
                            SkillSet::MOST_RATING
                        ),
                    ));
                }
            };
            out.push((id, rating));
        }
        Ok(out)
    }

    fn rating(&self, n: i64, at: &Spanned<impl Sized>, key: &str) -> Result<u32> {
        let most = SkillSet::MOST_RATING;
        if (1..=i64::from(most)).contains(&n) {
            Ok(n as u32)
        } else {
            Err(self.at(at, key.to_string(), format!("{n}; expected a rating from 1 to {most}")))
        }
    }

    /// A work stream's `[[work_stream.classification]]` rules: at most
    /// [`Classification::MOST`], each with conditions on declared variables and skills some
    /// agent group has.
    pub(super) fn classification(
        &self,
        ws: &RawWorkStream,
        variables: &[ContextVariable],
        skills: &[String],
        key: &str,
    ) -> Result<Vec<Classification>> {
        if let Some(extra) = ws.classification.get(Classification::MOST) {
            return Err(self.at(
                &extra.when,
                format!("{key}.classification"),
                format!("{} classification rules; expected at most {}", ws.classification.len(), Classification::MOST),
            ));
        }
        let mut rules = Vec::new();
        for (i, rule) in ws.classification.iter().enumerate() {
            let rule_key = match &rule.name {
                Some(name) if !name.is_empty() && !name.contains('.') => format!("{key}.classification.{name}"),
                _ => format!("{key}.classification[{i}]"),
            };
            let conditions = self.when(&rule.when, variables, ws.name.get_ref(), &rule_key)?;
            if rule.skills.get_ref().is_empty() {
                return Err(self.at(
                    &rule.skills,
                    format!("{rule_key}.skills"),
                    "no skills; expected skill = lowest rating, such as { spanish = 6 }",
                ));
            }
            let mut required = Vec::new();
            for (name, min) in rule.skills.get_ref() {
                let skill_key = format!("{rule_key}.skills.{name}");
                let id = skills.iter().position(|s| s == name).ok_or_else(|| {
                    self.at(
                        min,
                        skill_key.clone(),
                        format!("no agent group has the skill \"{name}\"; expected one of {}", list(skills.iter())),
                    )
                })?;
                required.push((SkillId(id as u16), self.rating(*min.get_ref(), min, &skill_key)?));
            }
            required.sort_unstable();
            rules.push(Classification {
                name: rule.name.clone().unwrap_or_else(|| format!("rule {}", i + 1)),
                conditions,
                skills: required,
            });
        }
        Ok(rules)
    }

    /// Every set of skills the work streams' rules can require — for each work stream, one per
    /// combination of its rules that can match together, a skill attached twice keeping its
    /// higher rating — each once, the empty set first; and each work stream's own list.
    pub(super) fn skill_sets(&self, raw: &RawScenario, work_streams: &mut [WorkStream]) -> Result<Vec<SkillSet>> {
        let mut sets = vec![SkillSet { skills: Vec::new(), matching: Matching::Exact }];
        for (ws, raw_ws) in work_streams.iter_mut().zip(&raw.work_stream) {
            let rules = ws.classification.len();
            ws.skill_sets.clear();
            ws.set_of_rules.clear();
            for matched in 0..1usize << rules {
                let mut skills: BTreeMap<SkillId, u32> = BTreeMap::new();
                for rule in (0..rules).filter(|r| matched & (1 << r) != 0) {
                    for &(s, min) in &ws.classification[rule].skills {
                        let at = skills.entry(s).or_insert(min);
                        *at = (*at).max(min);
                    }
                }
                let set = SkillSet { skills: skills.into_iter().collect(), matching: ws.matching };
                let global = if set.skills.is_empty() {
                    SkillSetId::NONE
                } else if let Some(i) = sets.iter().position(|s| *s == set) {
                    SkillSetId(i as u16)
                } else if sets.len() == SkillSet::MOST {
                    return Err(self.at(
                        &raw_ws.name,
                        format!("work_stream.{}.classification", ws.name),
                        format!(
                            "the classification rules make more than {} combinations of required skills in all; expected fewer rules or skills",
                            SkillSet::MOST - 1
                        ),
                    ));
                } else {
                    sets.push(set);
                    SkillSetId((sets.len() - 1) as u16)
                };
                let local = ws.skill_sets.iter().position(|&s| s == global).unwrap_or_else(|| {
                    ws.skill_sets.push(global);
                    ws.skill_sets.len() - 1
                });
                ws.set_of_rules.push(local as u8);
            }
        }
        Ok(sets)
    }
}

/// Per set of `ws`'s list, whether a conversation can require it (`WorkStream::set_reachable`):
/// whether some values the `channels` feeding it can draw make the rules that attach it match,
/// and no others. Text values are taken from the channels' categories (missing where a channel
/// draws none); a condition on a number a channel draws may hold or not; with a bot, or with
/// too many combinations of values to list, every set is taken as reachable.
pub(super) fn reachable_sets<'c>(ws: &WorkStream, channels: impl Iterator<Item = &'c Channel>) -> Vec<bool> {
    const MOST_COMBINATIONS: usize = 4096;
    let rules = ws.classification.len();
    let every = || vec![true; ws.skill_sets.len()];
    if rules == 0 || ws.bot.is_some() {
        return every();
    }
    // Per variable a rule tests, the values it can take: Some(value), or None for any number.
    let mut variables: Vec<usize> =
        ws.classification.iter().flat_map(|r| r.conditions.iter().map(|c| c.variable)).collect();
    variables.sort_unstable();
    variables.dedup();
    let mut values: Vec<Vec<Option<ContextValue>>> = vec![Vec::new(); variables.len()];
    let mut fed = false;
    for channel in channels {
        fed = true;
        for (i, &v) in variables.iter().enumerate() {
            let drawn: Vec<Option<ContextValue>> = match &channel.context[v] {
                None => vec![Some(ContextValue::Missing)],
                Some(ContextGenerator::Text { categories, .. }) => {
                    categories.iter().map(|&c| Some(ContextValue::Text(c))).collect()
                }
                Some(ContextGenerator::Number(_)) => vec![None],
            };
            for value in drawn {
                if !values[i].contains(&value) {
                    values[i].push(value);
                }
            }
        }
    }
    let combinations = values.iter().try_fold(1usize, |n, v| n.checked_mul(v.len().max(1)));
    if !fed || combinations.is_none_or(|n| n > MOST_COMBINATIONS) {
        return every();
    }
    let mut masks = vec![false; 1 << rules];
    let mut chosen = vec![0usize; variables.len()];
    loop {
        // The rules that surely match these values, and those that may (a number's condition).
        let (mut surely, mut maybe) = (0usize, 0usize);
        for (r, rule) in ws.classification.iter().enumerate() {
            let mut free = false;
            let holds = rule.conditions.iter().all(|c| {
                let i = variables.binary_search(&c.variable).expect("a tested variable");
                match values[i].get(chosen[i]).copied().flatten() {
                    Some(value) => c.test.holds(value),
                    None => {
                        free = true;
                        true
                    }
                }
            });
            if holds && free {
                maybe |= 1 << r;
            } else if holds {
                surely |= 1 << r;
            }
        }
        // Every subset of the rules that may match, with those that surely do.
        let mut sub = maybe;
        loop {
            masks[surely | sub] = true;
            if sub == 0 {
                break;
            }
            sub = (sub - 1) & maybe;
        }
        // The next combination of values.
        let mut i = 0;
        while i < chosen.len() {
            chosen[i] += 1;
            if chosen[i] < values[i].len() {
                break;
            }
            chosen[i] = 0;
            i += 1;
        }
        if i == chosen.len() {
            break;
        }
    }
    let mut reachable = vec![false; ws.skill_sets.len()];
    for (mask, &reached) in masks.iter().enumerate() {
        reachable[usize::from(ws.set_of_rules[mask])] |= reached;
    }
    reachable
}
