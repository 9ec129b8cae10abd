//! Evaluating a compiled [`Program`] at many points in one call: a program of numbers runs
//! 32 points per instruction (see the tape); any other program runs point by point.

use super::Program;
use crate::numeric::error::EvalError;

/// Points evaluated together by each instruction of a tape.
const LANES: usize = 32;

impl Program {
    /// Evaluates the outputs at `points` points. `inputs[k]` holds the values of the `k`-th
    /// variable (in the order given to [`compile`](super::compile)) at every point, one point
    /// after the other, each row-major — for a number variable simply its `points` values.
    /// `outputs` receives one vector per output laid out the same way (`points` times the
    /// output's entries). The results are bit-for-bit those of [`run`](Program::run) at each
    /// point, and the call fails if `run` fails at any point. Afterwards
    /// [`output`](Program::output) holds the outputs of some earlier evaluation: read the
    /// results from `outputs`.
    ///
    /// ```
    /// use nabla::expr::{Assumptions, Pool, Shape, SymbolOrigin};
    /// use nabla::numeric::{compile, Instance};
    ///
    /// let mut pool = Pool::new();
    /// let x = pool.declare("x", Shape::scalar(), Assumptions::default(), SymbolOrigin::Declared).unwrap();
    /// let y = pool.declare("y", Shape::scalar(), Assumptions::default(), SymbolOrigin::Declared).unwrap();
    /// let (xe, ye) = (pool.symbol_expr(x), pool.symbol_expr(y));
    /// let xy = pool.mul(&[xe, ye]);
    /// let mut program = compile(&pool, &[xy], &[x, y], &Instance::new()).unwrap();
    /// let mut out = Vec::new();
    /// program.run_batch(3, &[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]], &mut out).unwrap();
    /// assert_eq!(out, vec![vec![4.0, 10.0, 18.0]]);
    /// ```
    pub fn run_batch(
        &mut self,
        points: usize,
        inputs: &[&[f64]],
        outputs: &mut Vec<Vec<f64>>,
    ) -> Result<(), EvalError> {
        if inputs.len() != self.inputs.len() {
            return Err(EvalError::shape("the number of variables"));
        }
        let mut sizes = Vec::with_capacity(inputs.len());
        for (input, value) in self.inputs.iter().zip(inputs) {
            let size = input.shape.0 * input.shape.1;
            if points.checked_mul(size) != Some(value.len()) {
                return Err(EvalError::shape("the values of a variable"));
            }
            sizes.push(size);
        }
        let out_sizes: Vec<usize> = (0..self.outputs.len())
            .map(|k| {
                let (r, c) = self.output_shape(k);
                r * c
            })
            .collect();
        outputs.resize_with(out_sizes.len(), Vec::new);
        for (out, &size) in outputs.iter_mut().zip(&out_sizes) {
            let len = points.checked_mul(size).ok_or(EvalError::TooLarge)?;
            // Every entry is written below: a vector of the right length is reused as it is.
            if out.len() != len {
                out.clear();
                out.resize(len, 0.0);
            }
        }
        if self.tape.is_some() {
            return self.run_lanes(points, inputs, outputs);
        }
        let mut point: Vec<&[f64]> = Vec::with_capacity(inputs.len());
        for p in 0..points {
            point.clear();
            for (value, &size) in inputs.iter().zip(&sizes) {
                point.push(value.get(p * size..(p + 1) * size).unwrap_or(&[]));
            }
            self.run(&point)?;
            for (k, (out, &size)) in outputs.iter_mut().zip(&out_sizes).enumerate() {
                if let Some(dst) = out.get_mut(p * size..(p + 1) * size) {
                    dst.copy_from_slice(self.output(k));
                }
            }
        }
        Ok(())
    }

    /// [`run_batch`](Program::run_batch) on the tape, [`LANES`] points at a time (the last
    /// block padded with copies of its first point). Sizes are checked by the caller.
    fn run_lanes(
        &self,
        points: usize,
        inputs: &[&[f64]],
        outputs: &mut [Vec<f64>],
    ) -> Result<(), EvalError> {
        let Some(tape) = &self.tape else {
            return Err(EvalError::shape("a program without a tape"));
        };
        let mut regs = tape.registers::<LANES>();
        let mut stage = vec![[0.0; LANES]; tape.entries()];
        let mut finite = true;
        for start in (0..points).step_by(LANES) {
            let n = (points - start).min(LANES);
            tape.run(&mut regs, inputs, (start, n), &mut stage)?;
            let mut at = 0;
            for (out, &size) in outputs.iter_mut().zip(tape.sizes()) {
                let rows = stage.get(at..at + size).unwrap_or(&[]);
                at += size;
                if let Some(block) = out.get_mut(start * size..(start + n) * size) {
                    finite &= transpose(rows, block, size);
                }
            }
        }
        if !finite {
            return Err(EvalError::domain("a non-finite value"));
        }
        Ok(())
    }
}

/// Entries of an output transposed together: their rows of lanes stay in the fastest cache while
/// every point's stretch of them is written.
const TILE: usize = 64;

/// Writes `rows` (entry `e` of an output at lane `p` in `rows[e][p]`) into `block` (entry `e`
/// at point `p` in `block[p · size + e]`), [`TILE`] entries of every point at a time. Are all
/// values finite?
fn transpose<const L: usize>(rows: &[[f64; L]], block: &mut [f64], size: usize) -> bool {
    // Lanes past the block's points repeat its first point: checking them changes nothing.
    let finite = rows.iter().fold(true, |ok, r| {
        ok & r.iter().fold(true, |o, v| o & v.is_finite())
    });
    for (t, tile) in rows.chunks(TILE).enumerate() {
        let first = t * TILE;
        for (p, point) in block.chunks_exact_mut(size.max(1)).take(L).enumerate() {
            let dst = point.get_mut(first..first + tile.len()).unwrap_or(&mut []);
            for (x, row) in dst.iter_mut().zip(tile) {
                *x = row[p];
            }
        }
    }
    finite
}
