//! The presets gallery on the front page: curated demos, each a share link (a query the page opens, trains on open
//! and, for the "versus" demos, compares with its counterpart when it stops — `compare=1`), with a title, a
//! paragraph and what its thumbnail draws. Every family is here on each kind of data it trains, with two known
//! failures of the ForwardGNN paper reproduced (`repro/forwardgnn`). A test opens each one and trains an epoch.

/// What a demo's thumbnail draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Thumb {
    /// Two interleaved half circles.
    Moons,
    /// Two interleaved spirals.
    Spiral,
    /// Four clusters, opposite corners alike.
    Xor,
    /// A ring around a disc.
    Circles,
    /// Handwritten digits.
    Digits,
    /// Clothes (Fashion-MNIST).
    Clothes,
    /// A small graph, nodes coloured by class.
    Graph,
}

/// One demo of the gallery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Demo {
    /// Stable id (the card's DOM id is `demo-{id}`).
    pub id: &'static str,
    /// The card's title.
    pub title: &'static str,
    /// One paragraph: what it shows and what to look for.
    pub text: &'static str,
    /// The link's query, without the `?`.
    pub query: &'static str,
    /// What the thumbnail draws.
    pub thumb: Thumb,
}

impl Demo {
    /// It trains two runs side by side (`compare=1`).
    pub fn compares(&self) -> bool {
        self.query.contains("compare=1")
    }
}

/// The gallery, in the order the page shows it.
pub const DEMOS: &[Demo] = &[
    Demo {
        id: "moons-ccl-vs-backprop",
        title: "Backprop vs counter-current learning",
        text: "The same small network on two moons, first trained by counter-current learning — a feedback network \
               sends targets down, no gradient crosses a layer — then by backprop. CCL gets the shape but not every \
               point in 20 epochs.",
        query: "dataset=moons&algo=ccl&epochs=20&autostart=1&compare=1",
        thumb: Thumb::Moons,
    },
    Demo {
        id: "circles-fa-vs-backprop",
        title: "Feedback alignment vs backprop",
        text: "Feedback alignment sends the error back through fixed random matrices instead of the transposed \
               weights, so the forward weights must come to align with the random feedback. Twenty epochs of it on \
               the circles, then the same network with backprop: compare how fast each learns.",
        query: "dataset=circles&algo=feedback-alignment&epochs=20&autostart=1&compare=1",
        thumb: Thumb::Circles,
    },
    Demo {
        id: "spiral-fa",
        title: "Untangling a spiral without backprop",
        text: "Two interleaved spirals are the classic hard toy. Watch the decision map bend, epoch by epoch, with \
               feedback alignment's random feedback.",
        query: "dataset=spiral&algo=feedback-alignment&autostart=1",
        thumb: Thumb::Spiral,
    },
    Demo {
        id: "xor-ccl",
        title: "XOR, learned backwards",
        text: "No line separates XOR. Counter-current learning runs two networks — one forward from the input, one \
               backward from the label — and pulls their activations together pair by pair; the local losses chart \
               shows each pair converging.",
        query: "dataset=xor&algo=ccl&autostart=1",
        thumb: Thumb::Xor,
    },
    Demo {
        id: "mnist-ccl-quick",
        title: "Digits in a minute, no backprop",
        text:
            "CCL on all of MNIST, 5 epochs at batch 64: about 96 % test accuracy in a minute on the CPU. The feedback \
               network's class prototypes appear under the alignment matrix.",
        query: "dataset=mnist&algo=ccl&epochs=5&batch=64&autostart=1",
        thumb: Thumb::Digits,
    },
    Demo {
        id: "mnist-ccl-vs-backprop",
        title: "CCL vs backprop on MNIST",
        text: "The CCL paper's five-layer MLP on 2,000 training images for three epochs, then backprop on the same \
               network and images. Compare the two accuracy curves and the selected epochs in the runs table.",
        query: "dataset=mnist&algo=ccl&limit=2000&epochs=3&batch=64&autostart=1&compare=1",
        thumb: Thumb::Digits,
    },
    Demo {
        id: "mnist-noprop",
        title: "NoProp: blocks that denoise a label",
        text: "Each block learns on its own to clean up a noisy label embedding; at test time the label is denoised \
               from pure noise, block after block. The trajectory view shows it happen. The first epoch (10,000 \
               images, ten blocks) takes a minute or two on a laptop's CPU.",
        query: "dataset=mnist&algo=noprop-dt&model=noprop&width=0.25&limit=10000&autostart=1",
        thumb: Thumb::Digits,
    },
    Demo {
        id: "fashion-noprop-vs-backprop",
        title: "NoProp vs backprop on clothes",
        text: "NoProp-DT's blocks at a quarter of the paper's width on 2,000 Fashion-MNIST images for one epoch, then \
               the same blocks trained end to end by backprop.",
        query: "dataset=fashion-mnist&algo=noprop-dt&model=noprop&width=0.25&limit=2000&epochs=1&autostart=1&compare=1",
        thumb: Thumb::Clothes,
    },
    Demo {
        id: "mnist-autoencoder",
        title: "An autoencoder without backprop",
        text: "CCL's convolutional autoencoder: the decoder is the feedback network of the encoder. The \
               reconstructions sharpen as the two learn from each other.",
        query: "dataset=mnist&algo=ccl&model=autoencoder&limit=256&autostart=1",
        thumb: Thumb::Digits,
    },
    Demo {
        id: "karate-sf",
        title: "ForwardGNN on the karate club",
        text: "A graph network trained one layer at a time, each with its own loss against class virtual nodes. The \
               34 members are coloured by predicted faction and ringed by the true one.",
        query: "dataset=karate&algo=forwardgnn-sf&layers=2&autostart=1",
        thumb: Thumb::Graph,
    },
    Demo {
        id: "cora-sf-vs-backprop",
        title: "SF vs backprop on Cora, 4 layers",
        text: "ForwardGNN's single-forward SF trains a 4-layer GCN greedily, layer by layer, then the same GCN trains \
               end to end with backprop. The depths table says what each prefix of the network reaches.",
        query: "dataset=cora&algo=forwardgnn-sf&layers=4&epochs=200&autostart=1&compare=1",
        thumb: Thumb::Graph,
    },
    Demo {
        id: "cora-links",
        title: "Predicting Cora's links, layer by layer",
        text:
            "ForwardGNN-CE learns which pairs of papers cite each other, each layer from its own link loss. The metric \
               is ROC-AUC on held-out edges and as many non-edges.",
        query: "dataset=cora&algo=forwardgnn-lp-ce&task=link&layers=2&autostart=1",
        thumb: Thumb::Graph,
    },
    Demo {
        id: "failure-ff-vn",
        title: "A known failure: forward-forward stalls",
        text:
            "FF-VN with GCN layers on Cora-ML stays near 29 % validation accuracy — about one class's share — at one \
               layer, as in the paper (28.6 %). Forward-forward's goodness cannot tell the classes apart through GCN's \
               averaging here; SF on the same graph reaches 87 %.",
        query: "dataset=cora-ml&algo=forwardgnn-ff-vn&model=gcn&layers=1&epochs=200&autostart=1",
        thumb: Thumb::Graph,
    },
    Demo {
        id: "failure-top-to-loss",
        title: "A known failure: deeper is worse",
        text: "SF-Top-To-Loss on Amazon Photo with 4 GCN layers: each layer's loss also averages in the states of the \
               layers above it, and test accuracy falls from 94 % at one layer to about half at four (ours 55 %, the \
               paper's 47 %).",
        query: "dataset=amazon-photo&algo=forwardgnn-sf-top-loss&model=gcn&layers=4&epochs=300&autostart=1",
        thumb: Thumb::Graph,
    },
];
