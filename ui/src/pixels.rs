//! An RGBA frame built in wasm memory and put on a canvas with one `putImageData`, instead of one `fillRect` per
//! pixel or cell (the decision map's 50 × 50 cells, the image grid's 24 pictures).

use wasm_bindgen::Clamped;

/// A `width x height` RGBA frame.
pub(super) struct Pixels {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl Pixels {
    /// A frame filled with `rgb`.
    pub(super) fn new(width: usize, height: usize, rgb: [u8; 3]) -> Self {
        let data = (0..width * height).flat_map(|_| [rgb[0], rgb[1], rgb[2], 255]).collect();
        Pixels { width, height, data }
    }

    /// Fills the rectangle `[x, x + w) x [y, y + h)` (clipped to the frame) with `rgb`.
    pub(super) fn rect(&mut self, x: usize, y: usize, w: usize, h: usize, rgb: [u8; 3]) {
        let (x1, y1) = ((x + w).min(self.width), (y + h).min(self.height));
        for row in y.min(y1)..y1 {
            for col in x.min(x1)..x1 {
                let i = 4 * (row * self.width + col);
                self.data[i..i + 3].copy_from_slice(&rgb);
            }
        }
    }

    /// Puts the frame at the canvas's top-left corner.
    pub(super) fn put(&self, ctx: &web_sys::CanvasRenderingContext2d) -> Option<()> {
        let image = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
            Clamped(&self.data),
            self.width as u32,
            self.height as u32,
        )
        .ok()?;
        ctx.put_image_data(&image, 0.0, 0.0).ok()
    }
}
