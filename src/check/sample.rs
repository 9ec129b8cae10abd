//! Random instances for numeric checks.

use crate::expr::Number;
use crate::numeric::Instance;

/// The same instance in floating point.
pub fn to_f64(instance: &Instance<Number>) -> Instance<f64> {
    Instance {
        dims: instance.dims.clone(),
        values: instance
            .values
            .iter()
            .map(|(s, v)| (*s, v.map(|a| a.to_f64())))
            .collect(),
    }
}
