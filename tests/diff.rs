//! Differentiation: a table of scalar and matrix-calculus identities, each compared with the
//! textbook form (id equality, where that form is canonical) and ALWAYS with central finite
//! differences on random instances; Rosenbrock at n = 200; random scalar expressions.

#[path = "diff/composition.rs"]
mod composition;
#[path = "diff/operators.rs"]
mod operators;
#[path = "diff/random.rs"]
mod random;
#[path = "diff/rosenbrock.rs"]
mod rosenbrock;
#[path = "diff/support.rs"]
mod support;
#[path = "diff/table.rs"]
mod table;
#[path = "diff/table_gradients.rs"]
mod table_gradients;
#[path = "diff/table_second_order.rs"]
mod table_second_order;
#[path = "../benches/support/workloads.rs"]
mod workloads;
