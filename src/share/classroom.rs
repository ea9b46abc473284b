//! Classroom keys of a link: not settings of the run but of the page a student opens. `hide=` a list of controls
//! or panels (TensorFlow Playground's hide flags), `lock=` controls shown but not editable, `embed=1` a compact
//! layout for an iframe, `goal=` what an assignment asks for (`goal=test_accuracy>=0.9`). docs/classroom.md.

use crate::error::{Error, Result};
use crate::train::EpochMetrics;

/// What `hide=` and `lock=` can name: a setting (with the page elements that edit it) or a panel.
pub const PAGE_PARTS: &[(&str, &[&str])] = &[
    ("dataset", &["dataset-select"]),
    ("algo", &["algorithm-select"]),
    ("backend", &["backend-select"]),
    ("lr", &["lr-select"]),
    ("hidden", &["hidden-select"]),
    ("activation", &["activation-select"]),
    ("batch", &["batch-select"]),
    ("noise", &["noise-input"]),
    ("seed", &["seed-input"]),
    ("model", &["model-select", "gnn-select"]),
    ("epochs", &["image-epochs-select", "epochs-select"]),
    ("limit", &["limit-select"]),
    ("select", &["selection-select"]),
    ("embedding", &["embedding-select"]),
    ("width", &["width-select"]),
    ("task", &["task-select"]),
    ("layers", &["layers-select"]),
    ("fold", &["fold-select"]),
    ("draw", &["draw-class", "draw-x", "draw-y", "draw-add", "draw-clear"]),
    ("upload", &[]),
    ("controls", &[]),
    ("charts", &[]),
    ("hand-in", &[]),
    ("compare", &[]),
    ("gallery", &[]),
    ("header", &[]),
];

/// The part of the page that element `id` edits, if any.
pub fn part_of(id: &str) -> Option<&'static str> {
    PAGE_PARTS.iter().find(|(_, ids)| ids.contains(&id)).map(|(p, _)| *p)
}

/// A metric a goal can ask for, as the registry of metrics the page shows.
pub const GOAL_METRICS: &[&str] =
    &["test_accuracy", "val_accuracy", "train_accuracy", "test_loss", "train_loss", "val_loss"];

/// `metric >= value` or `metric <= value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Goal {
    /// One of [`GOAL_METRICS`].
    pub metric: String,
    /// `>=` (at least) when true, `<=` (at most) when false.
    pub at_least: bool,
    /// The threshold.
    pub value: f32,
}

impl Goal {
    /// Parses `test_accuracy>=0.9` (also `>`/`<`, read as `>=`/`<=`).
    pub fn parse(s: &str) -> Result<Goal> {
        let bad = || {
            Error::invalid(
                "goal",
                format!("`{s}` (write metric>=value or metric<=value; metrics: {})", GOAL_METRICS.join(", ")),
            )
        };
        let (metric, at_least, rest) = if let Some((m, v)) = s.split_once(">=").or_else(|| s.split_once('>')) {
            (m, true, v)
        } else if let Some((m, v)) = s.split_once("<=").or_else(|| s.split_once('<')) {
            (m, false, v)
        } else {
            return Err(bad());
        };
        let metric = metric.trim();
        let value: f32 = rest.trim().parse().map_err(|_| bad())?;
        if !GOAL_METRICS.contains(&metric) || !value.is_finite() {
            return Err(bad());
        }
        Ok(Goal { metric: metric.to_string(), at_least, value })
    }

    /// `test_accuracy>=0.9`.
    pub fn encode(&self) -> String {
        format!("{}{}{}", self.metric, if self.at_least { ">=" } else { "<=" }, self.value)
    }

    /// "test accuracy ≥ 0.9".
    pub fn describe(&self) -> String {
        format!("{} {} {}", self.metric.replace('_', " "), if self.at_least { "≥" } else { "≤" }, self.value)
    }

    /// The goal's metric in epoch `m` (None where the run does not measure it).
    pub fn value_in(&self, m: &EpochMetrics) -> Option<f32> {
        let v = match self.metric.as_str() {
            "test_accuracy" => Some(m.test_accuracy),
            "train_accuracy" => Some(m.train_accuracy),
            "val_accuracy" => m.val_accuracy,
            "test_loss" => Some(m.test_loss),
            "train_loss" => Some(m.train_loss),
            "val_loss" => m.val_loss,
            _ => None,
        };
        v.filter(|v| v.is_finite())
    }

    /// The first epoch of `history` that meets the goal.
    pub fn met_at(&self, history: &[EpochMetrics]) -> Option<usize> {
        history.iter().find(|m| self.value_in(m).is_some_and(|v| self.holds(v))).map(|m| m.epoch)
    }

    /// `v` meets the goal.
    pub fn holds(&self, v: f32) -> bool {
        if self.at_least {
            v >= self.value
        } else {
            v <= self.value
        }
    }
}

/// The classroom keys of a link.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Classroom {
    /// Parts of the page not shown.
    pub hide: Vec<String>,
    /// Controls shown but not editable.
    pub lock: Vec<String>,
    /// The only settings the student may change (`allow=lr,seed`): every other setting is locked.
    pub allow: Option<Vec<String>>,
    /// The compact layout for an iframe: the picture, the charts and Train.
    pub embed: bool,
    /// What the assignment asks for.
    pub goal: Option<Goal>,
}

fn parts(key: &str, value: &str, notes: &mut Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if PAGE_PARTS.iter().any(|(p, _)| *p == part) {
            out.push(part.to_string());
        } else {
            let known: Vec<&str> = PAGE_PARTS.iter().map(|(p, _)| *p).collect();
            notes.push(format!("{key}=`{part}` is not a part of the page (use {})", known.join(", ")));
        }
    }
    out
}

impl Classroom {
    /// The classroom keys of `pairs` (the link's %-decoded key/value pairs), with a note for each bad value.
    pub fn from_pairs(pairs: &[(String, String)]) -> (Classroom, Vec<String>) {
        let mut c = Classroom::default();
        let mut notes = Vec::new();
        for (k, v) in pairs {
            match k.as_str() {
                "hide" => c.hide = parts("hide", v, &mut notes),
                "lock" => c.lock = parts("lock", v, &mut notes),
                "allow" => c.allow = Some(parts("allow", v, &mut notes)),
                "embed" => c.embed = v == "1",
                "goal" => match Goal::parse(v) {
                    Ok(g) => c.goal = Some(g),
                    Err(e) => notes.push(e.to_string()),
                },
                _ => {}
            }
        }
        (c, notes)
    }

    /// The keys again (`&hide=lr,seed&goal=…`), empty for none: they stay in the address bar as the run changes.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if !self.hide.is_empty() {
            out.push_str(&format!("&hide={}", self.hide.join(",")));
        }
        if !self.lock.is_empty() {
            out.push_str(&format!("&lock={}", self.lock.join(",")));
        }
        if let Some(allow) = &self.allow {
            out.push_str(&format!("&allow={}", allow.join(",")));
        }
        if self.embed {
            out.push_str("&embed=1");
        }
        if let Some(g) = &self.goal {
            let text: String = form_urlencoded::byte_serialize(g.encode().as_bytes()).collect();
            out.push_str(&format!("&goal={text}"));
        }
        out
    }

    /// `part` is hidden (`controls` hides every setting; `embed` hides all but the picture, charts and Train).
    pub fn hides(&self, part: &str) -> bool {
        let setting = !matches!(part, "charts" | "hand-in" | "compare" | "gallery" | "header" | "controls");
        self.hide.iter().any(|h| h == part)
            || (setting && self.hide.iter().any(|h| h == "controls"))
            || (self.embed && part != "charts")
    }

    /// `part` is shown but cannot be changed: it is in `lock=`, or `allow=` lists the settings that may change and
    /// `part` is a setting not among them.
    pub fn locks(&self, part: &str) -> bool {
        let setting = PAGE_PARTS.iter().any(|(p, ids)| *p == part && !ids.is_empty());
        self.lock.iter().any(|l| l == part)
            || self.allow.as_ref().is_some_and(|allowed| setting && !allowed.iter().any(|a| a == part))
    }

    /// The settings `allow=` lets the student change, by name, for the goal panel.
    pub fn allowed(&self) -> Option<&[String]> {
        self.allow.as_deref()
    }
}

/// The classroom keys of a link (a whole URL or its query), with a note for each bad value.
pub fn read_classroom(link: &str) -> (Classroom, Vec<String>) {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(super::query_of(link).as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    Classroom::from_pairs(&pairs)
}
