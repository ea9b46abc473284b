//! The graph being trained: small graphs drawn (force layout) with every node filled in its predicted class's
//! colour and ringed in its true class's colour, training nodes marked; for every graph a summary and the
//! per-depth results (greedy variants report each depth as it finishes).

use super::TrainState;
use leptos::prelude::*;

const CLASS_COLORS: [&str; 10] =
    ["#1a73e8", "#e8710a", "#188038", "#d93025", "#9334e6", "#12b5cb", "#f9ab00", "#5f6368", "#b31412", "#0d652d"];
const SIZE: f32 = 460.0;
const MARGIN: f32 = 14.0;

fn color(c: u32) -> &'static str {
    CLASS_COLORS[c as usize % CLASS_COLORS.len()]
}

/// The drawing, the summary and the depth table.
#[component]
pub fn GraphView() -> impl IntoView {
    let state = expect_context::<RwSignal<TrainState>>();
    let picture = move || state.with(|s| s.graph.clone());
    let drawing = move || {
        let p = picture()?;
        if p.positions.is_empty() {
            return None;
        }
        let at = |i: u32| {
            let q = p.positions[i as usize];
            (MARGIN + q[0] * (SIZE - 2.0 * MARGIN), MARGIN + q[1] * (SIZE - 2.0 * MARGIN))
        };
        let radius = if p.nodes <= 60 { 9.0 } else { 5.0 };
        let lines = p
            .edges
            .iter()
            .map(|&(a, b)| {
                let ((x1, y1), (x2, y2)) = (at(a), at(b));
                view! { <line x1=x1 y1=y1 x2=x2 y2=y2 class="graph-edge"/> }
            })
            .collect_view();
        let nodes = (0..p.nodes as u32)
            .map(|i| {
                let (x, y) = at(i);
                let label = p.labels[i as usize];
                let fill = p.predictions.get(i as usize).map_or("#ffffff", |&c| color(c));
                let train = p.split[i as usize] == 1;
                let title = format!(
                    "node {i}: class {}{}{}",
                    p.class_name(label),
                    p.predictions
                        .get(i as usize)
                        .map_or(String::new(), |&c| format!(", predicted {}", p.class_name(c))),
                    match p.split[i as usize] {
                        1 => " (training node)",
                        2 => " (validation node)",
                        3 => " (test node)",
                        _ => "",
                    }
                );
                view! {
                    <g>
                        <Show when=move || train>
                            <circle cx=x cy=y r=radius + 3.0 class="train-ring"/>
                        </Show>
                        <circle cx=x cy=y r=radius fill=fill stroke=color(label) stroke-width=3>
                            <title>{title}</title>
                        </circle>
                    </g>
                }
            })
            .collect_view();
        Some(view! {
            <svg id="graph-svg" width=SIZE height=SIZE viewBox=format!("0 0 {SIZE} {SIZE}") role="img"
                aria-label="The graph: each node filled in its predicted class's colour and ringed in its true class's; the summary below says how many test nodes are right">
                {lines}
                {nodes}
            </svg>
        })
    };
    let summary = move || {
        picture().map(|p| {
            let count = |code: u8| p.split.iter().filter(|&&s| s == code).count();
            let correct = (!p.predictions.is_empty()).then(|| {
                (0..p.nodes).filter(|&i| p.split[i] == 3 && p.predictions.get(i) == Some(&p.labels[i])).count()
            });
            if p.link {
                return format!(
                    "{} nodes · {} edges · {} features · link prediction: 64 / 16 / 20 % of the edges for training / \
                     validation / test, each with as many sampled non-edges; scores are ROC-AUC",
                    p.nodes, p.undirected_edges, p.features
                );
            }
            format!(
                "{} nodes · {} edges · {} features · {} classes · split ({}): {} train / {} validation / {} test{}",
                p.nodes,
                p.undirected_edges,
                p.features,
                p.classes,
                p.split_source,
                count(1),
                count(2),
                count(3),
                correct.map_or(String::new(), |c| format!(" · {c} of {} test nodes right", count(3)))
            )
        })
    };
    let depths = move || state.with(|s| s.depths.clone());
    view! {
        <div class="graph-view">
            <h3>"Graph: fill = predicted class, ring = true class, black outline = training node"</h3>
            {drawing}
            <p id="graph-summary" class="graph-summary">{summary}</p>
            <Show when=move || !depths().is_empty()>
                <table id="depth-results" class="depth-results">
                    <thead><tr><th>"layers"</th><th>"validation"</th><th>"test"</th><th>"epochs"</th></tr></thead>
                    <tbody>
                        {move || depths().into_iter().map(|d| view! {
                            <tr>
                                <td>{d.layers}</td>
                                <td>{format!("{:.1} %", d.val_accuracy * 100.0)}</td>
                                <td class="depth-test">{format!("{:.1} %", d.test_accuracy * 100.0)}</td>
                                <td>{d.epochs}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Show>
        </div>
    }
}
