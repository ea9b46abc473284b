//! The lesson panel beside the run: for the current algorithm's family, the idea in a paragraph, its key equations
//! as MathML (rendered by the browser, no math library), a diagram of what trains what — which gradients flow and
//! where they are stopped — and a suggested experiment that loads a demo. Written from `docs/algorithms/*.md`.

use bpfree::algorithms::{algorithm_info, Family};
use bpfree::config::RunConfig;
use leptos::prelude::*;

const RED: &str = "#d93025";
const INK: &str = "currentColor";

/// What a diagram draws: a stack of layers (bottom = input) and, per style, where the learning signal goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    /// One loss at the top; its gradient flows down through every layer (`via`: what carries it back).
    EndToEnd { via: &'static str },
    /// A loss at every layer; a stop-gradient between layers.
    Local,
    /// Two stacks, forward up and feedback down, a loss between each pair.
    Paired,
    /// Blocks side by side, each given the input and a noisy label, each with its own loss.
    Blocks,
}

fn arrow(x1: f64, y1: f64, x2: f64, y2: f64, color: &'static str, dashed: bool) -> impl IntoView {
    view! {
        <line x1=x1 y1=y1 x2=x2 y2=y2 stroke=color stroke-width="1.6" stroke-dasharray=dashed.then_some("4 3")
            marker-end=if color == RED { "url(#lesson-head-red)" } else { "url(#lesson-head)" }/>
    }
}

fn layer_box(x: f64, y: f64, w: f64, label: &'static str) -> impl IntoView {
    view! {
        <rect x=x y=y width=w height="18" rx="3" fill="none" stroke=INK/>
        <text x=x + w / 2.0 y=y + 13.0 text-anchor="middle" font-size="11" fill=INK>{label}</text>
    }
}

/// A stop-gradient mark: a short bar across the path.
fn stop(x: f64, y: f64) -> impl IntoView {
    view! { <text x=x y=y font-size="12" fill=RED text-anchor="middle">"⊘"</text> }
}

fn diagram(flow: Flow) -> impl IntoView {
    let body = match flow {
        Flow::EndToEnd { via } => {
            let labels = ["input x", "layer 1", "layer 2", "output"];
            view! {
                {labels.iter().enumerate().map(|(i, l)| layer_box(40.0, 118.0 - 34.0 * i as f64, 90.0, l)).collect_view()}
                {(0..3).map(|i| arrow(85.0, 118.0 - 34.0 * i as f64, 85.0, 102.0 - 34.0 * i as f64, INK, false)).collect_view()}
                <text x="150" y="28" font-size="11" fill=RED>"loss"</text>
                {(0..3).map(|i| arrow(140.0, 26.0 + 34.0 * i as f64, 140.0, 48.0 + 34.0 * i as f64, RED, true)).collect_view()}
                <text x="150" y="74" font-size="11" fill=RED>"error sent back"</text>
                <text x="150" y="88" font-size="11" fill=RED>{format!("through {via}")}</text>
            }
            .into_any()
        }
        Flow::Local => {
            let labels = ["input x", "layer 1", "layer 2", "layer 3"];
            view! {
                {labels.iter().enumerate().map(|(i, l)| layer_box(40.0, 118.0 - 34.0 * i as f64, 90.0, l)).collect_view()}
                {(0..3).map(|i| arrow(85.0, 118.0 - 34.0 * i as f64, 85.0, 102.0 - 34.0 * i as f64, INK, false)).collect_view()}
                {(0..3).map(|i| stop(100.0, 113.0 - 34.0 * i as f64)).collect_view()}
                {(1..4).map(|i| view! {
                    <text x="175" y=131.0 - 34.0 * i as f64 font-size="11" fill=RED>{format!("loss {i}")}</text>
                    {arrow(172.0, 127.0 - 34.0 * i as f64, 134.0, 127.0 - 34.0 * i as f64, RED, true)}
                }).collect_view()}
            }
            .into_any()
        }
        Flow::Paired => {
            let forward = ["a₀ = x", "a₁", "a₂", "logits"];
            let feedback = ["c₀", "c₁", "c₂", "label"];
            view! {
                {forward.iter().enumerate().map(|(i, l)| layer_box(14.0, 118.0 - 34.0 * i as f64, 70.0, l)).collect_view()}
                {feedback.iter().enumerate().map(|(i, l)| layer_box(186.0, 118.0 - 34.0 * i as f64, 70.0, l)).collect_view()}
                {(0..3).map(|i| arrow(49.0, 118.0 - 34.0 * i as f64, 49.0, 102.0 - 34.0 * i as f64, INK, false)).collect_view()}
                {(0..3).map(|i| arrow(221.0, 34.0 + 34.0 * i as f64, 221.0, 50.0 + 34.0 * i as f64, INK, false)).collect_view()}
                {(0..3).map(|i| view! {
                    <line x1="84" y1=127.0 - 34.0 * i as f64 x2="186" y2=127.0 - 34.0 * i as f64 stroke=RED stroke-dasharray="4 3"/>
                    <text x="135" y=123.0 - 34.0 * i as f64 font-size="10" fill=RED text-anchor="middle">{format!("L{i}")}</text>
                }).collect_view()}
                <text x="100" y="12" font-size="10" fill=INK>"forward F ↑ · feedback G ↓"</text>
            }
            .into_any()
        }
        Flow::Blocks => view! {
            {(0..3).map(|i| {
                let x = 14.0 + 86.0 * i as f64;
                let name = ["block 1", "block 2", "block T"][i];
                view! {
                    {layer_box(x, 70.0, 70.0, name)}
                    <text x=x + 35.0 y="124" font-size="10" text-anchor="middle" fill=INK>"x, noisy label"</text>
                    {arrow(x + 35.0, 112.0, x + 35.0, 90.0, INK, false)}
                    {arrow(x + 35.0, 70.0, x + 35.0, 44.0, RED, true)}
                    <text x=x + 35.0 y="36" font-size="10" text-anchor="middle" fill=RED>"‖û − u_y‖²"</text>
                }
            }).collect_view()}
            <text x="135" y="150" font-size="10" text-anchor="middle" fill=INK>"no signal between blocks while training"</text>
        }
        .into_any(),
    };
    view! {
        <svg class="lesson-diagram" viewBox="0 0 270 156" width="270" height="156" role="img"
            aria-label="What trains what: black arrows carry activations, dashed red arrows the learning signal, ⊘ a stop-gradient">
            <defs>
                <marker id="lesson-head" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="6" markerHeight="6" orient="auto">
                    <path d="M0,0 L6,3 L0,6 z" fill=INK/>
                </marker>
                <marker id="lesson-head-red" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="6" markerHeight="6" orient="auto">
                    <path d="M0,0 L6,3 L0,6 z" fill=RED/>
                </marker>
            </defs>
            {body}
        </svg>
    }
}

/// A lesson: the idea, the equations, the diagram, an experiment.
fn lesson(family: Family) -> impl IntoView {
    let (idea, flow, experiment, label) = match family {
        Family::Backprop => (
            "Backpropagation computes one loss at the output and sends its error back down through every layer, \
             using the transposed forward weights: each weight learns how it changed the final loss. It is the \
             control group here — every other algorithm on this page avoids some part of that backward trip.",
            Flow::EndToEnd { via: "Wᵀ" },
            "dataset=moons&algo=backprop&epochs=20&autostart=1&compare=1",
            "Compare backprop with CCL on two moons",
        ),
        Family::FeedbackAlignment => (
            "Feedback alignment keeps backprop's backward pass but replaces each transposed weight matrix with a \
             fixed random matrix B. The forward weights learn to align with B, so the random feedback ends up \
             carrying useful errors — no weight transport needed.",
            Flow::EndToEnd { via: "random B" },
            "dataset=circles&algo=feedback-alignment&epochs=20&autostart=1&compare=1",
            "Feedback alignment vs backprop on the circles",
        ),
        Family::CounterCurrent => (
            "Counter-current learning trains two networks of mirrored shapes: the forward network reads the input \
             bottom up, the feedback network starts from the labels and runs top down. At each depth a local loss \
             pulls the forward activation aₗ and the feedback activation cₗ together; every layer's input is \
             detached, so no gradient ever crosses a layer. Only the top layer sees the cross-entropy.",
            Flow::Paired,
            "dataset=mnist&algo=ccl&limit=2000&epochs=3&batch=64&autostart=1&compare=1",
            "CCL vs backprop on MNIST",
        ),
        Family::NoProp => (
            "NoProp treats the label like a diffusion model treats an image: each class has an embedding u_y, \
             training adds a known amount of noise to it, and block t learns — alone — to guess the clean u_y from \
             the image and the noisy label. No block waits for another while training; at test time the blocks run \
             as a chain from pure noise to a label.",
            Flow::Blocks,
            "dataset=fashion-mnist&algo=noprop-dt&model=noprop&width=0.25&limit=2000&epochs=1&autostart=1&compare=1",
            "NoProp vs backprop on Fashion-MNIST",
        ),
        Family::ForwardGnn => (
            "ForwardGNN trains a graph network one layer at a time. SF adds a virtual node per class, wired to the \
             training nodes of that class, and each layer learns to make every node's embedding closest to its \
             class's virtual node — a loss of its own. The next layer reads a detached, normalised copy, so no \
             gradient goes from one layer to another.",
            Flow::Local,
            "dataset=cora&algo=forwardgnn-sf&layers=4&epochs=200&autostart=1&compare=1",
            "SF vs backprop on Cora, 4 layers",
        ),
    };
    view! {
        <p>{idea}</p>
        <div class="lesson-body">
            {equations(family)}
            {diagram(flow)}
        </div>
        <a class="try" id="lesson-try" href=format!("?{experiment}")>{format!("Try it: {label} →")}</a>
    }
}

/// The family's key equations as MathML.
fn equations(family: Family) -> impl IntoView {
    let body = match family {
        Family::Backprop => view! {
            <math display="block">
                <msub><mi>"δ"</mi><mi>"l"</mi></msub><mo>"="</mo>
                <mrow><mo stretchy="false">"("</mo><msubsup><mi>"W"</mi><mrow><mi>"l"</mi><mo>"+"</mo><mn>"1"</mn></mrow><mi>"T"</mi></msubsup>
                <msub><mi>"δ"</mi><mrow><mi>"l"</mi><mo>"+"</mo><mn>"1"</mn></mrow></msub><mo stretchy="false">")"</mo></mrow>
                <mo>"⊙"</mo><msup><mi>"f"</mi><mo>"′"</mo></msup><mo stretchy="false">"("</mo><msub><mi>"z"</mi><mi>"l"</mi></msub><mo stretchy="false">")"</mo>
            </math>
            <math display="block">
                <mfrac><mrow><mo>"∂"</mo><mi>"L"</mi></mrow><mrow><mo>"∂"</mo><msub><mi>"W"</mi><mi>"l"</mi></msub></mrow></mfrac>
                <mo>"="</mo><msub><mi>"δ"</mi><mi>"l"</mi></msub><msubsup><mi>"a"</mi><mrow><mi>"l"</mi><mo>"−"</mo><mn>"1"</mn></mrow><mi>"T"</mi></msubsup>
            </math>
        }
        .into_any(),
        Family::FeedbackAlignment => view! {
            <math display="block">
                <msub><mi>"δ"</mi><mi>"l"</mi></msub><mo>"="</mo>
                <mrow><mo stretchy="false">"("</mo><msub><mi>"B"</mi><mrow><mi>"l"</mi><mo>"+"</mo><mn>"1"</mn></mrow></msub>
                <msub><mi>"δ"</mi><mrow><mi>"l"</mi><mo>"+"</mo><mn>"1"</mn></mrow></msub><mo stretchy="false">")"</mo></mrow>
                <mo>"⊙"</mo><msup><mi>"f"</mi><mo>"′"</mo></msup><mo stretchy="false">"("</mo><msub><mi>"z"</mi><mi>"l"</mi></msub><mo stretchy="false">")"</mo>
            </math>
            <math display="block"><mi>"B"</mi><mtext>"fixed, random; "</mtext><mi>"W"</mi><mtext>" learns to align with it"</mtext></math>
        }
        .into_any(),
        Family::CounterCurrent => view! {
            <math display="block">
                <msub><mi>"a"</mi><mi>"l"</mi></msub><mo>"="</mo><mi>"φ"</mi><mo stretchy="false">"("</mo><mtext>"SG"</mtext><mo stretchy="false">"("</mo>
                <msub><mi>"a"</mi><mrow><mi>"l"</mi><mo>"−"</mo><mn>"1"</mn></mrow></msub><mo stretchy="false">")"</mo><msub><mi>"U"</mi><mi>"l"</mi></msub><mo stretchy="false">")"</mo>
                <mo>","</mo><mspace width="1em"/>
                <msub><mi>"c"</mi><mrow><mi>"l"</mi><mo>"−"</mo><mn>"1"</mn></mrow></msub><mo>"="</mo><mi>"φ"</mi><mo stretchy="false">"("</mo><mtext>"SG"</mtext><mo stretchy="false">"("</mo>
                <msub><mi>"c"</mi><mi>"l"</mi></msub><mo stretchy="false">")"</mo><msub><mi>"V"</mi><mi>"l"</mi></msub><mo stretchy="false">")"</mo>
            </math>
            <math display="block">
                <msub><mi>"L"</mi><mi>"l"</mi></msub><mo>"="</mo><msub><mi>"s"</mi><mi>"l"</mi></msub><mo>"·"</mo><mtext>"mse"</mtext><mo stretchy="false">"("</mo>
                <msub><mi>"A"</mi><mi>"l"</mi></msub><msubsup><mi>"P"</mi><mi>"l"</mi><mi>"T"</mi></msubsup><mo>","</mo><mi>"Y"</mi><mo stretchy="false">")"</mo>
            </math>
        }
        .into_any(),
        Family::NoProp => view! {
            <math display="block">
                <msub><mi>"z"</mi><mi>"t"</mi></msub><mo>"="</mo><msqrt><msub><mover><mi>"α"</mi><mo>"¯"</mo></mover><mi>"t"</mi></msub></msqrt>
                <msub><mi>"u"</mi><mi>"y"</mi></msub><mo>"+"</mo>
                <msqrt><mn>"1"</mn><mo>"−"</mo><msub><mover><mi>"α"</mi><mo>"¯"</mo></mover><mi>"t"</mi></msub></msqrt><mi>"ε"</mi>
            </math>
            <math display="block">
                <msub><mi>"L"</mi><mi>"t"</mi></msub><mo>"="</mo><msub><mi>"w"</mi><mi>"t"</mi></msub>
                <msup><mrow><mo>"‖"</mo><msub><mover><mi>"u"</mi><mo>"^"</mo></mover><mi>"t"</mi></msub><mo stretchy="false">"("</mo><mi>"x"</mi><mo>","</mo>
                <msub><mi>"z"</mi><mrow><mi>"t"</mi><mo>"−"</mo><mn>"1"</mn></mrow></msub><mo stretchy="false">")"</mo><mo>"−"</mo><msub><mi>"u"</mi><mi>"y"</mi></msub><mo>"‖"</mo></mrow><mn>"2"</mn></msup>
            </math>
        }
        .into_any(),
        Family::ForwardGnn => view! {
            <math display="block">
                <msub><mi>"p"</mi><mrow><mi>"i"</mi><mi>"k"</mi></mrow></msub><mo>"="</mo>
                <mfrac><mrow><mo>"⟨"</mo><msub><mi>"h"</mi><mi>"i"</mi></msub><mo>","</mo><msub><mi>"h"</mi><mrow><mi>"N"</mi><mo>"+"</mo><mi>"k"</mi></mrow></msub><mo>"⟩"</mo></mrow><mi>"τ"</mi></mfrac>
                <mo>","</mo><mspace width="1em"/>
                <msub><mi>"L"</mi><mi>"ℓ"</mi></msub><mo>"="</mo><mtext>"CE"</mtext><mo stretchy="false">"("</mo><mtext>"softmax"</mtext><mo stretchy="false">"("</mo><msub><mi>"p"</mi><mi>"i"</mi></msub><mo stretchy="false">")"</mo><mo>","</mo><msub><mi>"y"</mi><mi>"i"</mi></msub><mo stretchy="false">")"</mo>
            </math>
            <math display="block">
                <msub><mi>"h"</mi><mi>"ℓ"</mi></msub><mo>"="</mo><mtext>"ReLU"</mtext><mo stretchy="false">"("</mo><msub><mtext>"Conv"</mtext><mi>"ℓ"</mi></msub><mo stretchy="false">"("</mo>
                <mtext>"SG"</mtext><mo stretchy="false">"("</mo><mtext>"LN"</mtext><mo stretchy="false">"("</mo><msub><mi>"h"</mi><mrow><mi>"ℓ"</mi><mo>"−"</mo><mn>"1"</mn></mrow></msub><mo stretchy="false">")"</mo><mo stretchy="false">")"</mo><mo stretchy="false">")"</mo><mo stretchy="false">")"</mo>
            </math>
        }
        .into_any(),
    };
    view! { <div class="lesson-math">{body}</div> }
}

/// The lesson of the current algorithm's family, folded by default.
#[component]
pub fn LessonPanel() -> impl IntoView {
    let config = expect_context::<RwSignal<RunConfig>>();
    let family =
        Memo::new(move |_| config.with(|c| algorithm_info(&c.algorithm).map_or(Family::Backprop, |a| a.family)));
    let name = move || match family.get() {
        Family::Backprop => "backprop",
        Family::FeedbackAlignment => "feedback alignment",
        Family::CounterCurrent => "counter-current learning",
        Family::NoProp => "NoProp",
        Family::ForwardGnn => "ForwardGNN",
    };
    view! {
        <details class="lesson" id="lesson">
            <summary>{move || format!("How {} learns", name())}</summary>
            {move || lesson(family.get())}
        </details>
    }
}
