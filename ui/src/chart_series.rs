//! What the loss and accuracy charts draw: the current run's curves, then, dashed and faded, a handed-in results
//! file's ("Import results") and every pinned run's ("Pin this run", "Compare with backprop").

use super::line_chart::Series;
use super::TrainState;

/// The train and test losses.
pub(super) fn losses(s: &TrainState) -> Vec<Series> {
    let mut all = vec![
        Series::new("train loss", "#e8710a", s.history.iter().map(|m| m.train_loss).collect()),
        Series::new("test loss", "#1a73e8", s.history.iter().map(|m| m.test_loss).collect()),
    ];
    if let Some(i) = &s.imported {
        all.push(
            Series::new(format!("{}: train loss", i.file), "#5f6368", i.curve.iter().map(|c| c.1).collect()).overlay(),
        );
    }
    for p in &s.pinned {
        all.push(Series::new(format!("{}: train loss", p.label), p.color, p.train_loss.clone()).overlay());
    }
    all
}

/// The accuracies (graphs: validation and test accuracy or ROC-AUC).
pub(super) fn accuracies(s: &TrainState) -> Vec<Series> {
    let mut all = match &s.graph {
        Some(g) => {
            let metric = if g.link { "ROC-AUC" } else { "accuracy" };
            vec![
                Series::new(
                    format!("validation {metric}"),
                    "#e8710a",
                    s.history.iter().map(|m| m.val_accuracy.unwrap_or(0.0)).collect(),
                ),
                Series::new(format!("test {metric}"), "#1a73e8", s.history.iter().map(|m| m.test_accuracy).collect()),
            ]
        }
        None => vec![
            Series::new("train accuracy", "#e8710a", s.history.iter().map(|m| m.train_accuracy).collect()),
            Series::new("test accuracy", "#1a73e8", s.history.iter().map(|m| m.test_accuracy).collect()),
        ],
    };
    if let Some(i) = &s.imported {
        all.push(
            Series::new(format!("{}: test accuracy", i.file), "#5f6368", i.curve.iter().map(|c| c.2).collect())
                .overlay(),
        );
    }
    for p in &s.pinned {
        all.push(Series::new(format!("{}: {}", p.label, p.metric_name), p.color, p.metric.clone()).overlay());
    }
    all
}
