//! Seeded synthetic 2-D classification sets (as in TensorFlow Playground and scikit-learn's `make_moons`):
//! two moons, spiral, circles and XOR. Gaussian noise of standard deviation `noise` is added to every point,
//! then the points are shuffled and split into train and test parts.

use super::Dataset;
use crate::error::{Error, Result};
use crate::rng::Rng;
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::f32::consts::PI;

/// Size, noise and split of a synthetic dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyntheticOptions {
    /// Total number of points (train + test).
    pub points: usize,
    /// Standard deviation of the Gaussian noise added to each coordinate.
    pub noise: f32,
    /// Fraction of points used for testing.
    pub test_fraction: f32,
    /// Points the user drew on the plane, `[x, y, class]` (class 0 or 1), added to the training set after the
    /// drawn ones are split (`drawn=` in a link; empty, and then not written, by default).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drawn: Vec<[f32; 3]>,
}

/// Most points a user can draw (each one travels in the link).
pub const MAX_DRAWN: usize = 500;
/// Drawn points must lie within `±DRAWN_RANGE` on both axes.
pub const DRAWN_RANGE: f32 = 10.0;

impl Default for SyntheticOptions {
    fn default() -> Self {
        SyntheticOptions { points: 1000, noise: 0.1, test_fraction: 0.2, drawn: Vec::new() }
    }
}

impl SyntheticOptions {
    fn validate(&self) -> Result<()> {
        if self.points < 10 || self.points > 1_000_000 {
            return Err(Error::invalid("points", format!("{} (use 10..=1000000)", self.points)));
        }
        if !(0.0..=2.0).contains(&self.noise) {
            return Err(Error::invalid("noise", format!("{} (use 0..=2)", self.noise)));
        }
        if !(0.05..=0.95).contains(&self.test_fraction) {
            return Err(Error::invalid("test fraction", format!("{} (use 0.05..=0.95)", self.test_fraction)));
        }
        check_drawn(&self.drawn)
    }
}

/// Drawn points are at most [`MAX_DRAWN`], finite, within [`DRAWN_RANGE`] and of class 0 or 1.
pub fn check_drawn(drawn: &[[f32; 3]]) -> Result<()> {
    if drawn.len() > MAX_DRAWN {
        return Err(Error::invalid("drawn points", format!("{} (at most {MAX_DRAWN})", drawn.len())));
    }
    for (i, &[x, y, c]) in drawn.iter().enumerate() {
        let inside = |v: f32| v.is_finite() && v.abs() <= DRAWN_RANGE;
        if !inside(x) || !inside(y) || (c != 0.0 && c != 1.0) {
            return Err(Error::invalid(
                "drawn points",
                format!("point {} is ({x}, {y}) of class {c}: use x and y in ±{DRAWN_RANGE} and class 0 or 1", i + 1),
            ));
        }
    }
    Ok(())
}

/// Two interleaving half circles (scikit-learn's `make_moons`), centred on the origin.
pub fn moons(opt: &SyntheticOptions, rng: &mut Rng) -> Result<Dataset> {
    generate("moons", opt, rng, [-2.5, 2.5, -2.0, 2.0], |i, n, _rng| {
        let class = (i % 2) as u32;
        let t = PI * (i / 2) as f32 / ((n / 2).max(2) - 1) as f32;
        let (x, y) = if class == 0 { (t.cos(), t.sin()) } else { (1.0 - t.cos(), 0.5 - t.sin()) };
        // centre and scale to roughly [-1.5, 1.5]
        ([(x - 0.5) * 1.5, (y - 0.25) * 1.5], class)
    })
}

/// Two interleaved spiral arms.
pub fn spiral(opt: &SyntheticOptions, rng: &mut Rng) -> Result<Dataset> {
    generate("spiral", opt, rng, [-2.0, 2.0, -2.0, 2.0], |i, n, _rng| {
        let class = (i % 2) as u32;
        let r = (i / 2) as f32 / (n / 2).max(1) as f32 * 1.6;
        let angle = 1.75 * r * PI + PI * class as f32;
        ([r * angle.sin(), r * angle.cos()], class)
    })
}

/// A disc inside a ring.
pub fn circles(opt: &SyntheticOptions, rng: &mut Rng) -> Result<Dataset> {
    generate("circles", opt, rng, [-2.0, 2.0, -2.0, 2.0], |i, _n, rng| {
        let class = (i % 2) as u32;
        let r = if class == 0 { rng.uniform(0.0, 0.5) } else { rng.uniform(0.8, 1.3) };
        let angle = rng.uniform(0.0, 2.0 * PI);
        ([r * angle.cos(), r * angle.sin()], class)
    })
}

/// Four quadrants labelled by the sign of `x * y`.
pub fn xor(opt: &SyntheticOptions, rng: &mut Rng) -> Result<Dataset> {
    generate("xor", opt, rng, [-2.0, 2.0, -2.0, 2.0], |_i, _n, rng| {
        let pad = 0.05;
        let mut x = rng.uniform(-1.5, 1.5);
        let mut y = rng.uniform(-1.5, 1.5);
        x += if x > 0.0 { pad } else { -pad };
        y += if y > 0.0 { pad } else { -pad };
        ([x, y], u32::from(x * y < 0.0))
    })
}

/// Draws `opt.points` points with `point`, adds noise, shuffles and splits.
fn generate(
    name: &str,
    opt: &SyntheticOptions,
    rng: &mut Rng,
    plane: [f32; 4],
    mut point: impl FnMut(usize, usize, &mut Rng) -> ([f32; 2], u32),
) -> Result<Dataset> {
    opt.validate()?;
    let n = opt.points;
    let mut xs = Vec::with_capacity(n);
    let mut ys = Vec::with_capacity(n);
    for i in 0..n {
        let ([x, y], class) = point(i, n, rng);
        xs.push([x + opt.noise * rng.normal(), y + opt.noise * rng.normal()]);
        ys.push(class);
    }
    let order = rng.permutation(n);
    let n_test = ((n as f32 * opt.test_fraction).round() as usize).clamp(1, n - 1);
    let (test_idx, train_idx) = order.split_at(n_test);
    let take = |idx: &[usize]| {
        let x = Array2::from_shape_fn((idx.len(), 2), |(r, c)| xs[idx[r]][c]);
        let y = idx.iter().map(|&i| ys[i]).collect::<Vec<u32>>();
        (x, y)
    };
    let (mut x_train, mut y_train) = take(train_idx);
    for &[x, y, class] in &opt.drawn {
        // the user's own points train (they are not drawn from the distribution the test set measures)
        x_train
            .push_row(ndarray::ArrayView1::from(&[x, y]))
            .map_err(|e| Error::invalid("drawn points", e.to_string()))?;
        y_train.push(class as u32);
    }
    let (x_test, y_test) = take(test_idx);
    Ok(Dataset {
        name: name.to_string(),
        x_train,
        y_train,
        x_val: Array2::zeros((0, 2)),
        y_val: Vec::new(),
        x_test,
        y_test,
        classes: 2,
        plane: Some(plane),
        image: None,
        class_names: Vec::new(),
        normalization: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_points() {
        let a = moons(&SyntheticOptions::default(), &mut Rng::new(5)).unwrap();
        let b = moons(&SyntheticOptions::default(), &mut Rng::new(5)).unwrap();
        assert_eq!(a.x_train, b.x_train);
        assert_eq!(a.y_test, b.y_test);
    }

    #[test]
    fn split_sizes_and_balance() {
        for f in [moons, spiral, circles, xor] {
            let d = f(&SyntheticOptions::default(), &mut Rng::new(1)).unwrap();
            assert_eq!(d.x_train.nrows() + d.x_test.nrows(), 1000);
            assert_eq!(d.x_test.nrows(), 200);
            let ones = d.y_train.iter().chain(&d.y_test).filter(|&&y| y == 1).count();
            assert!((400..=600).contains(&ones), "{} has {ones} of class 1", d.name);
            let [x0, x1, y0, y1] = d.plane.unwrap();
            let inside = d.x_train.rows().into_iter().filter(|r| r[0] > x0 && r[0] < x1 && r[1] > y0 && r[1] < y1);
            assert!(inside.count() as f32 > 0.97 * d.x_train.nrows() as f32, "{}: points off the plane", d.name);
        }
    }

    #[test]
    fn drawn_points_join_the_training_set_only() {
        let plain = moons(&SyntheticOptions::default(), &mut Rng::new(3)).unwrap();
        let opt = SyntheticOptions { drawn: vec![[0.5, -1.0, 1.0], [-2.0, 1.5, 0.0]], ..Default::default() };
        let d = moons(&opt, &mut Rng::new(3)).unwrap();
        assert_eq!(d.x_train.nrows(), plain.x_train.nrows() + 2);
        assert_eq!(d.x_test, plain.x_test);
        let n = plain.x_train.nrows();
        assert_eq!(d.x_train.row(n).to_vec(), vec![0.5, -1.0]);
        assert_eq!(&d.y_train[n..], &[1, 0]);
        let bad = SyntheticOptions { drawn: vec![[f32::NAN, 0.0, 0.0]], ..Default::default() };
        assert!(moons(&bad, &mut Rng::new(0)).is_err());
        let bad = SyntheticOptions { drawn: vec![[0.0, 0.0, 2.0]], ..Default::default() };
        assert!(moons(&bad, &mut Rng::new(0)).is_err());
    }

    #[test]
    fn bad_options_are_errors() {
        let bad = SyntheticOptions { points: 3, ..Default::default() };
        assert!(moons(&bad, &mut Rng::new(0)).is_err());
    }
}
