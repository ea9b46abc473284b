//! A seeded force-directed layout (Fruchterman & Reingold, 1991) for drawing small graphs in the page:
//! all pairs repel with `k² / d`, edges attract with `d² / k`, and a cooling step limit. `O(N²)` per
//! iteration, meant for graphs of a few hundred nodes.

use crate::rng::Rng;

/// Positions in `[0, 1]²`, one per node.
pub fn force_layout(nodes: usize, edges: &[(u32, u32)], iterations: usize, rng: &mut Rng) -> Vec<[f32; 2]> {
    let mut pos: Vec<[f32; 2]> = (0..nodes).map(|_| [rng.uniform(0.0, 1.0), rng.uniform(0.0, 1.0)]).collect();
    if nodes < 2 {
        return pos.into_iter().map(|_| [0.5, 0.5]).collect();
    }
    let k = (1.0 / nodes as f32).sqrt();
    let mut step = 0.1f32;
    let mut disp = vec![[0.0f32; 2]; nodes];
    for _ in 0..iterations {
        disp.iter_mut().for_each(|d| *d = [0.0, 0.0]);
        for i in 0..nodes {
            for j in i + 1..nodes {
                let (dx, dy) = (pos[i][0] - pos[j][0], pos[i][1] - pos[j][1]);
                let d2 = (dx * dx + dy * dy).max(1e-6);
                let f = k * k / d2; // (k² / d) along the unit vector = k² / d² times the offset
                disp[i][0] += dx * f;
                disp[i][1] += dy * f;
                disp[j][0] -= dx * f;
                disp[j][1] -= dy * f;
            }
        }
        for &(a, b) in edges {
            let (a, b) = (a as usize, b as usize);
            if a == b || a >= nodes || b >= nodes {
                continue;
            }
            let (dx, dy) = (pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]);
            let d = (dx * dx + dy * dy).sqrt().max(1e-6);
            let f = d / k; // (d² / k) along the unit vector
            disp[a][0] -= dx * f;
            disp[a][1] -= dy * f;
            disp[b][0] += dx * f;
            disp[b][1] += dy * f;
        }
        for (p, d) in pos.iter_mut().zip(&disp) {
            let len = (d[0] * d[0] + d[1] * d[1]).sqrt().max(1e-9);
            let m = len.min(step);
            p[0] += d[0] / len * m;
            p[1] += d[1] / len * m;
        }
        step *= 0.97;
    }
    // fit into [0, 1]² keeping the aspect ratio
    let (mut lo, mut hi) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
    for p in &pos {
        for a in 0..2 {
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
    }
    let span = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(1e-6);
    pos.iter().map(|p| [(p[0] - lo[0]) / span, (p[1] - lo[1]) / span]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_end_closer_than_strangers_and_the_layout_is_seeded() {
        // two 5-cliques joined by one edge
        let mut edges = Vec::new();
        for base in [0u32, 5] {
            for i in 0..5 {
                for j in i + 1..5 {
                    edges.push((base + i, base + j));
                }
            }
        }
        edges.push((0, 5));
        let p = force_layout(10, &edges, 200, &mut Rng::new(3));
        let d = |a: usize, b: usize| ((p[a][0] - p[b][0]).powi(2) + (p[a][1] - p[b][1]).powi(2)).sqrt();
        assert!(d(1, 2) < d(1, 7), "clique members sit together");
        assert!(p.iter().all(|q| (0.0..=1.0).contains(&q[0]) && (0.0..=1.0).contains(&q[1])));
        assert_eq!(p, force_layout(10, &edges, 200, &mut Rng::new(3)));
    }
}
