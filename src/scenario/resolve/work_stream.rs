//! Work streams as the resolver checks them: capacity, presences, wrap-up, Waiting, context
//! variables and routing rules, the context values each channel draws, and whether every queue a
//! work stream can route to is served.

use std::collections::BTreeMap;

use crate::scenario::raw::Spanned;

use super::*;
use crate::scenario::distribution::Support;
use crate::scenario::model::*;
use crate::scenario::raw::{RawChannel, RawScenario, RawWorkStream};

impl Resolver<'_> {
    pub(super) fn work_stream(
        &self,
        ws: &RawWorkStream,
        channels: &[RawChannel],
        queue_ids: &BTreeMap<String, QueueId>,
        profiles: &[CapacityProfile],
        skills: &[String],
    ) -> Result<WorkStream> {
        let key = format!("work_stream.{}", ws.name.get_ref());
        let queue = |q: &Spanned<String>, k: String| -> Result<QueueId> {
            queue_ids.get(q.get_ref()).copied().ok_or_else(|| {
                self.at(
                    q,
                    k,
                    format!("no queue is named \"{}\"; expected one of {}", q.get_ref(), list(queue_ids.keys())),
                )
            })
        };
        let fallback_queue = match &ws.fallback_queue {
            Some(q) => queue(q, format!("{key}.fallback_queue"))?,
            None if queue_ids.len() == 1 => QueueId(0),
            None => {
                return Err(self.at(
                    &ws.name,
                    format!("{key}.fallback_queue"),
                    format!(
                        "missing; expected the queue for conversations that match no rule, one of {}",
                        list(queue_ids.keys())
                    ),
                ));
            }
        };
        let allowed_presences = match &ws.allowed_presences {
            None => PresenceSet::of(&[BasePresence::Available, BasePresence::Busy]),
            Some(p) if p.get_ref().is_empty() => {
                return Err(self.at(
                    p,
                    format!("{key}.allowed_presences"),
                    "an empty list; expected base presences such as [\"available\", \"busy\"]",
                ));
            }
            Some(p) => PresenceSet::of(p.get_ref()),
        };
        let wrap_up_block = match &ws.block_capacity_for_wrap_up {
            None => WrapUpBlock::Always,
            Some(v) => match v.get_ref() {
                toml::Value::String(s) if s == "always" => WrapUpBlock::Always,
                toml::Value::String(s) if s == "never" => WrapUpBlock::Never,
                toml::Value::String(s) => WrapUpBlock::For(Duration::parse(s).map_err(|e| {
                    self.at(v, format!("{key}.block_capacity_for_wrap_up"), format!("{e}, or \"always\" or \"never\""))
                })?),
                toml::Value::Integer(n) if *n >= 0 => WrapUpBlock::For(Duration(*n as f64)),
                toml::Value::Float(x) if x.is_finite() && *x >= 0.0 => WrapUpBlock::For(Duration(*x)),
                _ => {
                    return Err(self.at(
                        v,
                        format!("{key}.block_capacity_for_wrap_up"),
                        "expected \"always\", \"never\" or a duration such as \"5m\"",
                    ));
                }
            },
        };

        // Variables, with the categories of text variables gathered from the channels that feed this work stream.
        let mut variables: Vec<ContextVariable> = Vec::new();
        for v in &ws.context_variables {
            if variables.iter().any(|x| &x.name == v.name.get_ref()) {
                return Err(self.at(
                    &v.name,
                    format!("{key}.context_variables"),
                    format!("\"{}\" is declared twice; expected unique names", v.name.get_ref()),
                ));
            }
            variables.push(ContextVariable { name: v.name.get_ref().clone(), kind: v.kind, categories: Vec::new() });
        }
        let bot_sets = ws.bot.iter().map(|b| &b.get_ref().sets);
        let feeding = channels.iter().filter(|c| c.work_stream.get_ref() == ws.name.get_ref()).map(|c| &c.context);
        for context in feeding.chain(bot_sets) {
            for (name, value) in context {
                if let (Some(var), toml::Value::Table(weights)) =
                    (variables.iter_mut().find(|v| &v.name == name), value.get_ref())
                    && var.kind == VariableType::Text
                    && !weights.contains_key("dist")
                {
                    for category in weights.keys() {
                        if !var.categories.contains(category) {
                            var.categories.push(category.clone());
                        }
                    }
                }
            }
        }

        let mut rules = Vec::with_capacity(ws.routing_rule.len());
        for (i, rule) in ws.routing_rule.iter().enumerate() {
            // Addressed by name where it has one, as `named_path` does for errors found while parsing.
            let rule_key = match &rule.name {
                Some(name) if !name.is_empty() && !name.contains('.') => format!("{key}.routing_rule.{name}"),
                _ => format!("{key}.routing_rule[{i}]"),
            };
            let conditions = self.when(&rule.when, &variables, ws.name.get_ref(), &rule_key)?;
            let target = match (&rule.queue, &rule.queues) {
                (Some(q), None) => Target::Queue(queue(q, format!("{rule_key}.queue"))?),
                (None, Some(shares)) => self.split(shares, &queue, format!("{rule_key}.queues"))?,
                (Some(_), Some(shares)) => {
                    return Err(self.at(
                        shares,
                        format!("{rule_key}.queues"),
                        "both `queue` and `queues`; expected one: a queue, or percentages of queues",
                    ));
                }
                (None, None) => {
                    return Err(self.at(
                        &rule.when,
                        rule_key,
                        "no `queue`; expected queue = NAME, or queues = { A = 70, B = 30 } (percentages)",
                    ));
                }
            };
            rules.push(RoutingRule {
                name: rule.name.clone().unwrap_or_else(|| format!("rule {}", i + 1)),
                conditions,
                target,
            });
        }

        let classification = self.classification(ws, &variables, skills, &key)?;
        let mut resolved = WorkStream {
            classification,
            matching: ws.matching.unwrap_or(Matching::Exact),
            // Known once every work stream's classification is: see `skill_sets`.
            skill_sets: vec![SkillSetId::NONE],
            set_of_rules: vec![0],
            set_reachable: vec![true],
            bot: None,
            name: ws.name.get_ref().clone(),
            // Known once every queue's overflow is: see `queues::reachable`.
            reachable: Vec::new(),
            handle_time_per_extra: match &ws.handle_time_per_extra {
                None => 0.0,
                Some(k) if (0.0..=10.0).contains(k.get_ref()) => *k.get_ref(),
                Some(k) => {
                    return Err(self.at(
                        k,
                        format!("{key}.handle_time_per_extra"),
                        format!(
                            "{}; expected a factor from 0 to 10 per other conversation (0.15 for 15%)",
                            k.get_ref()
                        ),
                    ));
                }
            },
            transfer: ws
                .transfer
                .as_ref()
                .map(|t| self.transfer(t, queue_ids, &format!("{key}.transfer")))
                .transpose()?,
            capacity: self.capacity(&ws.capacity, format!("{key}.capacity"))?,
            capacity_profile: match &ws.capacity_profile {
                None => None,
                Some(name) => {
                    Some(ProfileId(profiles.iter().position(|p| &p.name == name.get_ref()).ok_or_else(|| {
                        self.at(
                            name,
                            format!("{key}.capacity_profile"),
                            format!(
                                "no capacity profile is named \"{}\"; expected one of {}",
                                name.get_ref(),
                                list(profiles.iter().map(|p| &p.name))
                            ),
                        )
                    })? as u16))
                }
            },
            allowed_presences,
            wrap_up_block,
            handle_time: self.distribution(&ws.handle_time, format!("{key}.handle_time"), Support::NonNegative)?,
            wrap_up: match &ws.wrap_up {
                Some(w) => self.distribution(w, format!("{key}.wrap_up"), Support::NonNegative)?,
                None => Distribution::Constant(0.0),
            },
            patience: match &ws.patience {
                None => None,
                Some(p) if p.get_ref().as_str().is_some_and(Duration::means_none) => None,
                Some(p) => {
                    let key = format!("{key}.patience");
                    let raw = <RawDistribution as serde::Deserialize>::deserialize(p.get_ref().clone())
                        .map_err(|e| self.at(p, key.clone(), crate::scenario::plain_types(e.message())))?;
                    Some(self.distribution_at(&raw.0, p.span(), key, Support::NonNegative)?)
                }
            },
            variables,
            rules,
            fallback_queue,
            mode: ws.mode,
            enable_selecting_from_push: ws.enable_selecting_from_push.unwrap_or(false),
            waiting: match &ws.waiting {
                None => None,
                Some(w) => {
                    let w = w.get_ref();
                    Some(Waiting {
                        probability: self.probability(&w.probability, format!("{key}.waiting.probability"))?,
                        customer_reply: self.distribution(
                            &w.customer_reply,
                            format!("{key}.waiting.customer_reply"),
                            Support::NonNegative,
                        )?,
                        never_reply: match &w.never_reply {
                            Some(p) => self.probability(p, format!("{key}.waiting.never_reply"))?,
                            None => 0.0,
                        },
                    })
                }
            },
            auto_close_after_inactivity: match &ws.auto_close_after_inactivity {
                Some(d) if d.get_ref().0 <= 0.0 => {
                    return Err(self.at(
                        d,
                        format!("{key}.auto_close_after_inactivity"),
                        "0s; expected a positive duration such as \"10m\" or \"28d\"",
                    ));
                }
                Some(d) => *d.get_ref(),
                None => Duration(28.0 * DAY),
            },
            // Decided with the channels that feed the work stream (DOMAIN.md §1.2).
            affinity: ws.affinity.unwrap_or(false),
        };
        if let Some(bot) = &ws.bot {
            let bot_key = format!("{key}.bot");
            if resolved.mode != Mode::Push {
                return Err(self.at(
                    bot,
                    bot_key,
                    "a bot on a pick work stream; expected bots on push work streams only (DOMAIN.md §3.7)",
                ));
            }
            let b = bot.get_ref();
            resolved.bot = Some(Bot {
                handle_time: self.distribution(
                    &b.handle_time,
                    format!("{bot_key}.handle_time"),
                    Support::NonNegative,
                )?,
                containment: self.probability(&b.containment, format!("{bot_key}.containment"))?,
                sets: self.context_generators(&b.sets, &resolved, &format!("{bot_key}.sets"))?,
            });
        }
        Ok(resolved)
    }

    /// A rule's `when` (at `rule_key`): a condition per variable it names, each one declared.
    pub(super) fn when(
        &self,
        when: &Spanned<BTreeMap<String, Spanned<toml::Value>>>,
        variables: &[ContextVariable],
        ws_name: &str,
        rule_key: &str,
    ) -> Result<Vec<Condition>> {
        let mut conditions = Vec::new();
        for (name, value) in when.get_ref() {
            let variable = variables.iter().position(|v| &v.name == name).ok_or_else(|| {
                self.at(
                    value,
                    format!("{rule_key}.when.{name}"),
                    format!(
                        "\"{name}\" is not a context variable of work stream \"{ws_name}\"; expected one of {} (declare it in context_variables)",
                        list(variables.iter().map(|v| &v.name))
                    ),
                )
            })?;
            conditions.extend(self.conditions(
                value,
                &variables[variable],
                variable,
                format!("{rule_key}.when.{name}"),
            )?);
        }
        Ok(conditions)
    }

    /// A rule's `queues`: at most five known queues with percentages summing to 100.
    fn split(
        &self,
        shares: &Spanned<BTreeMap<String, Spanned<f64>>>,
        queue: &dyn Fn(&Spanned<String>, String) -> Result<QueueId>,
        key: String,
    ) -> Result<Target> {
        const MOST: usize = 5;
        if shares.get_ref().is_empty() || shares.get_ref().len() > MOST {
            return Err(self.at(
                shares,
                key,
                format!("{} queues; expected 1 to {MOST}, each with its percentage", shares.get_ref().len()),
            ));
        }
        let (mut cumulative, mut total) = (Vec::new(), 0.0);
        for (name, share) in shares.get_ref() {
            let id = queue(&Spanned::new(share.span(), name.clone()), format!("{key}.{name}"))?;
            let percent = *share.get_ref();
            if !(0.0..=100.0).contains(&percent) {
                return Err(self.at(
                    share,
                    format!("{key}.{name}"),
                    format!("{percent}; expected a percentage from 0 to 100"),
                ));
            }
            total += percent;
            cumulative.push((id, total));
        }
        if (total - 100.0).abs() > 1e-9 {
            return Err(self.at(shares, key, format!("percentages summing to {total}; expected a sum of 100")));
        }
        // Shares of the draw: the last is exactly 1, so every draw in [0, 1) finds a queue.
        let last = cumulative.len() - 1;
        cumulative.iter_mut().for_each(|(_, c)| *c /= 100.0);
        cumulative[last].1 = 1.0;
        Ok(Target::Split(cumulative))
    }

    /// A `when` entry: a bare value (equality) or a table of operators, all of which must hold.
    pub(super) fn conditions(
        &self,
        value: &Spanned<toml::Value>,
        var: &ContextVariable,
        index: usize,
        key: String,
    ) -> Result<Vec<Condition>> {
        let ops: Vec<(&str, &toml::Value)> = match value.get_ref() {
            toml::Value::Table(t) => t.iter().map(|(k, v)| (k.as_str(), v)).collect(),
            other => vec![("eq", other)],
        };
        if ops.is_empty() {
            return Err(self.at(
                value,
                key,
                "an empty condition; expected a value or operators eq ne lt le gt ge in contains",
            ));
        }
        let mut conditions = Vec::new();
        for (op, operand) in ops {
            let test = match var.kind {
                VariableType::Text => {
                    let text = |v: &toml::Value| -> Result<String> {
                        v.as_str().map(str::to_string).ok_or_else(|| {
                            self.at(
                                value,
                                key.clone(),
                                format!("`{op}` on text variable \"{}\" with {v}; expected a string", var.name),
                            )
                        })
                    };
                    let decide =
                        |f: &dyn Fn(&str) -> bool| Test::Category(var.categories.iter().map(|c| f(c)).collect());
                    // A value no channel generates is most likely a typo (`Gold` for `gold`).
                    let generated = |s: &str| {
                        if !var.categories.iter().any(|c| c == s) {
                            let values = match var.categories.len() {
                                0 => format!("no channel feeding this work stream generates \"{}\"", var.name),
                                _ => format!("the channels generate {}", list(var.categories.iter())),
                            };
                            self.warn_at(
                                Some(value.span()),
                                key.clone(),
                                format!("\"{s}\" is a value no channel generates for \"{}\"; {values}", var.name),
                            );
                        }
                    };
                    match op {
                        "eq" => {
                            let s = text(operand)?;
                            generated(&s);
                            decide(&|c| c == s)
                        }
                        "ne" => {
                            let s = text(operand)?;
                            decide(&|c| c != s)
                        }
                        "contains" => {
                            let s = text(operand)?;
                            decide(&|c| c.contains(s.as_str()))
                        }
                        "in" => {
                            let items = operand
                                .as_array()
                                .ok_or_else(|| {
                                    self.at(
                                        value,
                                        key.clone(),
                                        "`in` needs a list; expected e.g. in = [\"xbox\", \"surface\"]",
                                    )
                                })?
                                .iter()
                                .map(text)
                                .collect::<Result<Vec<_>>>()?;
                            items.iter().for_each(|s| generated(s));
                            decide(&|c| items.iter().any(|s| s == c))
                        }
                        other => {
                            return Err(self.at(
                                value,
                                key,
                                format!(
                                    "`{other}` cannot test text variable \"{}\"; expected eq, ne, in or contains",
                                    var.name
                                ),
                            ));
                        }
                    }
                }
                VariableType::Number => {
                    let number = |v: &toml::Value| -> Result<f64> {
                        match v {
                            toml::Value::Integer(n) => Ok(*n as f64),
                            toml::Value::Float(x) if !x.is_nan() => Ok(*x),
                            _ => Err(self.at(
                                value,
                                key.clone(),
                                format!("`{op}` on number variable \"{}\" with {v}; expected a number", var.name),
                            )),
                        }
                    };
                    let comparison = match op {
                        "eq" => Some(Comparison::Eq),
                        "ne" => Some(Comparison::Ne),
                        "lt" => Some(Comparison::Lt),
                        "le" => Some(Comparison::Le),
                        "gt" => Some(Comparison::Gt),
                        "ge" => Some(Comparison::Ge),
                        _ => None,
                    };
                    match (op, comparison) {
                        (_, Some(c)) => Test::Compare(c, number(operand)?),
                        ("in", None) => Test::OneOf(
                            operand
                                .as_array()
                                .ok_or_else(|| {
                                    self.at(value, key.clone(), "`in` needs a list; expected e.g. in = [1, 2, 3]")
                                })?
                                .iter()
                                .map(number)
                                .collect::<Result<Vec<_>>>()?,
                        ),
                        (other, None) => {
                            return Err(self.at(
                                value,
                                key,
                                format!("`{other}` cannot test number variable \"{}\"; expected eq, ne, lt, le, gt, ge or in", var.name),
                            ));
                        }
                    }
                }
            };
            conditions.push(Condition { variable: index, test });
        }
        Ok(conditions)
    }

    /// A context table (a channel's `context`, a bot's `sets`) at `key`: one generator per
    /// variable of `ws` it names.
    pub(super) fn context_generators(
        &self,
        context: &BTreeMap<String, Spanned<toml::Value>>,
        ws: &WorkStream,
        key: &str,
    ) -> Result<Vec<Option<ContextGenerator>>> {
        let mut generators: Vec<Option<ContextGenerator>> = vec![None; ws.variables.len()];
        for (name, value) in context {
            let var_key = format!("{key}.{name}");
            let index = ws.variables.iter().position(|v| &v.name == name).ok_or_else(|| {
                self.at(
                    value,
                    var_key.clone(),
                    format!(
                        "\"{name}\" is not a context variable of work stream \"{}\"; expected one of {}",
                        ws.name,
                        list(ws.variables.iter().map(|v| &v.name))
                    ),
                )
            })?;
            let var = &ws.variables[index];
            let table = value.get_ref().as_table();
            let is_distribution = table.is_some_and(|t| t.contains_key("dist"));
            generators[index] = Some(match (var.kind, table) {
                (VariableType::Number, _) if is_distribution || !value.get_ref().is_table() => {
                    let spec: RawDistribution = value
                        .get_ref()
                        .clone()
                        .try_into()
                        .map_err(|e: toml::de::Error| self.at(value, var_key.clone(), e.message().to_string()))?;
                    ContextGenerator::Number(self.distribution_at(
                        &spec.0,
                        value.span(),
                        var_key.clone(),
                        Support::Real,
                    )?)
                }
                (VariableType::Text, Some(weights)) if !is_distribution => {
                    let mut categories = Vec::new();
                    let mut cumulative = Vec::new();
                    let mut total = 0.0;
                    for (category, weight) in weights {
                        let w = match weight {
                            toml::Value::Integer(n) => *n as f64,
                            toml::Value::Float(x) => *x,
                            other => {
                                return Err(self.at(
                                    value,
                                    format!("{var_key}.{category}"),
                                    format!("{other}; expected a probability between 0 and 1"),
                                ));
                            }
                        };
                        if !(0.0..=1.0).contains(&w) {
                            return Err(self.at(
                                value,
                                format!("{var_key}.{category}"),
                                format!("{w}; expected a probability between 0 and 1"),
                            ));
                        }
                        total += w;
                        categories.push(var.categories.iter().position(|c| c == category).unwrap_or_default() as u32);
                        cumulative.push(total);
                    }
                    if weights.is_empty() || (total - 1.0).abs() > 1e-9 {
                        return Err(self.at(
                            value,
                            var_key,
                            // Rounded to the tolerance, so that 0.2 + 0.7 reads 0.9, not 0.8999999999999999.
                            format!(
                                "the weights sum to {}; expected probabilities that sum to 1",
                                (total * 1e9).round() / 1e9
                            ),
                        ));
                    }
                    ContextGenerator::Text { categories, cumulative }
                }
                (VariableType::Text, _) => {
                    return Err(self.at(value, var_key, format!("\"{name}\" is a text variable; expected a table of category weights such as {{ xbox = 0.6, surface = 0.4 }}")));
                }
                (VariableType::Number, _) => {
                    return Err(self.at(value, var_key, format!("\"{name}\" is a number variable; expected a distribution such as {{ dist = \"uniform\", min = 0, max = 500 }}")));
                }
            });
        }
        Ok(generators)
    }

    /// Every queue a work stream can route to is served by an agent group that can hold one of its conversations.
    pub(super) fn check_service(
        &self,
        raw: &RawScenario,
        work_streams: &[WorkStream],
        groups: &[AgentGroup],
        queues: &[Queue],
    ) -> Result<()> {
        for (q, queue) in queues.iter().enumerate() {
            if !groups.iter().any(|g| g.queues.contains(&QueueId(q as u16))) {
                return Err(self.at(
                    &raw.queue[q].name,
                    format!("queue.{}", queue.name),
                    format!(
                        "no agent group serves queue \"{}\"; expected it in the queues of at least one [[agent_group]]",
                        queue.name
                    ),
                ));
            }
        }
        for (w, ws) in work_streams.iter().enumerate() {
            for q in ws.queues() {
                let served = groups.iter().any(|g| g.queues.contains(&q) && g.capacity >= ws.capacity);
                if !served {
                    // Point at the capacity the key names (the name when it is left out).
                    let raw_ws = &raw.work_stream[w];
                    return Err(self.error_at(
                        Some(raw_ws.capacity.as_ref().map_or_else(|| raw_ws.name.span(), |c| c.span())),
                        format!("work_stream.{}.capacity", ws.name),
                        format!(
                            "its conversations take {} capacity units, but no agent group serving queue \"{}\" has that much capacity; expected an agent_group capacity ≥ {}",
                            ws.capacity,
                            queues[q.index()].name,
                            ws.capacity
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}
