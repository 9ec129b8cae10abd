//! The hash-consed arena of expressions: equal nodes are stored once, so equality is an id compare
//! and shared subexpressions cost nothing.

use super::arity::InvalidNode;
use super::id_set::IdSet;
use super::node::{Id, Node};
use super::number::Number;
use super::shape::Shape;
use super::symbol::{Assumptions, Symbol, SymbolId, SymbolOrigin};
use hashbrown::HashTable;
use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::time::Instant;

/// Size limits that keep every operation bounded; exceeding one yields an error or an
/// *unknown (limit reached)* verdict, never a hang.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most nodes a pool may hold.
    pub max_nodes: usize,
    /// Largest |exponent| folded exactly, and largest integer exponent accepted in input.
    pub max_exponent: u64,
    /// Largest bit size of an exact number produced by folding.
    pub max_number_bits: u64,
    /// When long-running work on the pool (differentiation, evaluation of derivative operators)
    /// stops with a limit error; `None`: no deadline. The checker sets it from its time limits.
    pub deadline: Option<Instant>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_nodes: 20_000_000,
            max_exponent: 10_000,
            max_number_bits: 1 << 16,
            deadline: None,
        }
    }
}

/// The index of the scalar shape in a pool's table of shapes.
const SCALAR_SHAPE: u32 = 0;

/// The end of a list of parents (see `Pool::first_parent`).
const NO_PARENT: u32 = u32::MAX;

/// How many parents a node lists (see `Pool::first_parent`); more go into the index.
const LISTED_PARENTS: usize = 8;

/// Whether [`Pool::stored`] found a node, and if not where it is to be entered.
enum Stored {
    Found(Id),
    /// Not stored; the first parent listed under this anchor.
    FirstUnder(Id),
    /// Not stored; listed after this parent (the last listed under its anchor).
    After(u32),
    /// Not stored; entered in the index.
    Indexed,
}

/// The arena: nodes, their shapes, and the symbol table.
///
/// An [`Id`] means something only in the pool that returned it: the accessors (`node`, `shape`,
/// …) and constructors panic on an id from another pool, or give an unrelated expression. That is
/// a misuse of the API, not something input can cause (text is always read into one pool).
#[derive(Clone, Debug, Default)]
pub struct Pool {
    nodes: Vec<Node>,
    /// Per node: its shape's index in `shapes` (most nodes share a handful of shapes).
    shape_of: Vec<u32>,
    /// The distinct shapes; the first is the scalar shape once any node is stored.
    shapes: Vec<Shape>,
    /// Shape → its index in `shapes`.
    shape_index: FxHashMap<Shape, u32>,
    /// Per node: its structural key and what is known of its primitive part.
    facts: Vec<Facts>,
    /// (short hash of a node, its id), found by hash and compared by content, for every stored
    /// node not listed as a parent (below). Eight bytes a slot.
    index: HashTable<(u32, Id)>,
    /// Per node: the first of the parents listed under it ([`NO_PARENT`]: none). A node with
    /// children is listed under its *anchor* (its newest child that is not a number, see
    /// [`Pool::anchor`]) if fewer than [`LISTED_PARENTS`] are listed there already, else
    /// entered in `index`. The nodes a sweep builds are mostly made from nodes built just
    /// before, so they are found or known new from a short list that is still in cache,
    /// instead of probing the index at random — a cache miss per node once the pool outgrows
    /// the cache, which made large gradients slower per node than small ones.
    first_parent: Vec<u32>,
    /// Per node: the next parent listed under the same anchor ([`NO_PARENT`]: the last).
    next_sibling: Vec<u32>,
    /// Ids of the integers −16..=16 once created (they are built constantly).
    small_ints: Vec<Option<Id>>,
    /// Ids of the other machine-integer constants created (looked up without hashing a node).
    ints: FxHashMap<i64, Id>,
    symbols: Vec<Symbol>,
    symbol_index: HashMap<String, SymbolId>,
    /// Every name that a declared symbol's shape uses as a dimension.
    dimension_names: rustc_hash::FxHashSet<String>,
    /// The nodes that are or contain an unevaluated derivative operator or `at` substitution.
    operators: IdSet,
    /// The limits in force for this pool.
    pub limits: Limits,
    /// The rules applied, when recording (see `simplify::rules`).
    pub(crate) trace: Option<Vec<crate::simplify::Rule>>,
    /// The primitive parts remembered for sums that are not primitive: (content, primitive
    /// part), numbered by [`Facts::primitive`].
    primitive_parts: Vec<(Number, Id)>,
}

/// What the pool keeps per node beside the node itself (sixteen bytes).
#[derive(Clone, Copy, Debug)]
struct Facts {
    /// Height: leaves are 1. With `hash`, the structural key (independent of ids), so that
    /// ordering distinct expressions rarely needs to recurse.
    height: u32,
    /// The primitive part of a sum, once asked for: 0 not known, 1 the sum itself (its
    /// content is 1), k ≥ 2 entry k − 2 of `Pool::primitive_parts`. Kept per node rather than
    /// in a map because a sweep asks for it about once per sum it builds, and a map probed at
    /// random costs a cache miss per question once the pool outgrows the cache.
    primitive: u32,
    /// The structural hash.
    hash: u64,
}

/// [`Facts::primitive`]: not known yet.
const PRIMITIVE_UNKNOWN: u32 = 0;

/// [`Facts::primitive`]: the sum is its own primitive part.
const PRIMITIVE_ITSELF: u32 = 1;

impl Pool {
    /// An empty pool with default limits.
    pub fn new() -> Pool {
        Pool::default()
    }

    /// The node behind an id.
    pub fn node(&self, id: Id) -> &Node {
        &self.nodes[id.index()]
    }

    /// The shape of an expression.
    pub fn shape(&self, id: Id) -> &Shape {
        &self.shapes[self.shape_of[id.index()] as usize]
    }

    /// Is the expression 1×1?
    pub fn is_scalar(&self, id: Id) -> bool {
        self.shape_of[id.index()] == SCALAR_SHAPE
    }

    /// How many distinct nodes the pool holds.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Makes room for `additional` more nodes without growing (an operation about to build on
    /// the order of that many, such as a reverse sweep, grows the tables once instead of
    /// rehashing them step by step).
    pub fn reserve(&mut self, additional: usize) {
        let additional = additional.min(self.limits.max_nodes.saturating_sub(self.nodes.len()));
        self.nodes.reserve(additional);
        self.shape_of.reserve(additional);
        self.facts.reserve(additional);
        self.first_parent.reserve(additional);
        self.next_sibling.reserve(additional);
    }

    /// The distinct nodes reachable from `root` (itself included), in id order.
    pub fn subexpressions(&self, root: Id) -> std::collections::BTreeSet<Id> {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = vec![root];
        while let Some(x) = stack.pop() {
            if seen.insert(x) {
                self.node(x).for_each_child(|c| stack.push(c));
            }
        }
        seen
    }

    /// Is the pool empty?
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The cached id of a small integer constant, if created already.
    pub(crate) fn small_int(&self, i: i64) -> Option<Id> {
        usize::try_from(i + 16)
            .ok()
            .and_then(|k| self.small_ints.get(k).copied().flatten())
    }

    /// The cached id of an integer constant outside −16..=16, if created already.
    pub(crate) fn cached_int(&self, i: i64) -> Option<Id> {
        self.ints.get(&i).copied()
    }

    /// Remembers the id of an integer constant outside −16..=16.
    pub(crate) fn remember_int(&mut self, i: i64, id: Id) {
        self.ints.insert(i, id);
    }

    /// Remembers the id of a small integer constant.
    pub(crate) fn remember_small_int(&mut self, i: i64, id: Id) {
        if self.small_ints.is_empty() {
            self.small_ints = vec![None; 33];
        }
        if let Some(slot) = usize::try_from(i + 16)
            .ok()
            .and_then(|k| self.small_ints.get_mut(k))
        {
            *slot = Some(id);
        }
    }

    /// Stores a node exactly as given (no canonicalisation) and returns its id; an equal node
    /// already present is reused. Canonical constructors live in the `simplify` module; every
    /// node goes through here, so every stored node is well-formed (see [`Pool::try_intern`]).
    ///
    /// # Panics
    ///
    /// On a node [`Pool::try_intern`] refuses or panics on: only misuse of the API builds one
    /// (an id from another pool, a function applied to no argument, a product of one factor).
    pub fn intern(&mut self, node: Node, shape: Shape) -> Id {
        match self.try_intern(node, shape) {
            Ok(id) => id,
            Err(e) => panic!("expression pool misuse: {e}"),
        }
    }

    /// [`Pool::intern`], or why the node is not well-formed: sums, products and elementwise
    /// products need two or more operands, a function application an argument, a literal matrix
    /// rows × cols entries, a component one or two indices (simplification and differentiation
    /// rely on all of these), and its symbols must be this pool's.
    ///
    /// # Panics
    ///
    /// On a child id past the end of this pool (an id of another pool; one that happens to be in
    /// range cannot be told apart). Scanning every child for that would cost about 0.4 % of a
    /// gradient's instructions; the structural key computed for every new node indexes them
    /// anyway.
    pub fn try_intern(&mut self, node: Node, shape: Shape) -> Result<Id, InvalidNode> {
        let entry = self.stored(self.anchor(&node), &node);
        if let Stored::Found(id) = entry {
            return Ok(id);
        }
        super::arity::validate(&node, self.symbols.len())?;
        let id = Id(self.nodes.len() as u32);
        let ((height, hash), operator_below) = self.structural_key(&node);
        if operator_below || matches!(node, Node::Derivative(_) | Node::At(..)) {
            self.operators.insert(id);
        }
        self.nodes.push(node);
        let shape = self.shape_number(shape);
        self.shape_of.push(shape);
        self.facts.push(Facts {
            height,
            primitive: PRIMITIVE_UNKNOWN,
            hash,
        });
        self.first_parent.push(NO_PARENT);
        self.next_sibling.push(NO_PARENT);
        match entry {
            Stored::FirstUnder(anchor) => self.first_parent[anchor.index()] = id.0,
            Stored::After(last) => self.next_sibling[last as usize] = id.0,
            Stored::Indexed => {
                let hash = node_hash(self.node(id));
                self.index
                    .insert_unique(table_hash(hash), (hash, id), |&(h, _)| table_hash(h));
            }
            Stored::Found(_) => {} // (returned above)
        }
        Ok(id)
    }

    /// Whether a node equal to `node` (whose anchor is `anchor`) is stored: among the parents
    /// listed under its anchor, else in the index — which need not be searched when the list
    /// is not full.
    fn stored(&self, anchor: Option<Id>, node: &Node) -> Stored {
        if let Some(a) = anchor {
            let mut p = self.first_parent[a.index()];
            let mut last = NO_PARENT;
            let mut len = 0;
            while p != NO_PARENT {
                if self.nodes[p as usize] == *node {
                    return Stored::Found(Id(p));
                }
                last = p;
                len += 1;
                p = self.next_sibling[p as usize];
            }
            if last == NO_PARENT {
                return Stored::FirstUnder(a);
            }
            if len < LISTED_PARENTS {
                return Stored::After(last);
            }
        }
        let hash = node_hash(node);
        match self.index.find(table_hash(hash), |&(h, id)| {
            h == hash && self.nodes[id.index()] == *node
        }) {
            Some(&(_, id)) => Stored::Found(id),
            None => Stored::Indexed,
        }
    }

    /// The child a node is listed under as a parent: the one with the highest id (built last)
    /// that is not a number (numbers are children of very many nodes), or the highest if all
    /// are numbers; none for a leaf.
    fn anchor(&self, node: &Node) -> Option<Id> {
        let is_number = |c: Id| matches!(self.nodes[c.index()], Node::Num(_));
        let mut newest = None;
        node.for_each_child(|c| newest = newest.max(Some(c)));
        // Usually the newest child is not a number: one look at it, not at every child.
        if !is_number(newest?) {
            return newest;
        }
        let mut newest_other = None;
        node.for_each_child(|c| {
            if !is_number(c) {
                newest_other = newest_other.max(Some(c));
            }
        });
        newest_other.or(newest)
    }

    /// Does the expression contain an unevaluated derivative operator or `at` substitution?
    pub fn has_operators(&self, id: Id) -> bool {
        self.operators.contains(&id)
    }

    /// The index of `shape` in the table of distinct shapes, adding it if new.
    fn shape_number(&mut self, shape: Shape) -> u32 {
        if self.shapes.is_empty() {
            self.shapes.push(Shape::scalar());
            self.shape_index.insert(Shape::scalar(), SCALAR_SHAPE);
        }
        if shape.is_scalar() {
            return SCALAR_SHAPE;
        }
        if let Some(&k) = self.shape_index.get(&shape) {
            return k;
        }
        let k = self.shapes.len() as u32;
        self.shapes.push(shape.clone());
        self.shape_index.insert(shape, k);
        k
    }

    /// Height and structural hash of an expression (see [`structural_cmp`](super::structural_cmp)).
    pub fn key(&self, id: Id) -> (u32, u64) {
        let facts = &self.facts[id.index()];
        (facts.height, facts.hash)
    }

    /// The remembered content and primitive part of a sum, if any (see
    /// `Pool::primitive_part`).
    pub(crate) fn remembered_primitive_part(&self, sum: Id) -> Option<(Number, Id)> {
        match self.facts[sum.index()].primitive {
            PRIMITIVE_UNKNOWN => None,
            PRIMITIVE_ITSELF => Some((Number::one(), sum)),
            k => self.primitive_parts.get(k as usize - 2).cloned(),
        }
    }

    /// Remembers the content and primitive part of a sum.
    pub(crate) fn remember_primitive_part(&mut self, sum: Id, content: &Number, primitive: Id) {
        let k = if content.is_one() && primitive == sum {
            PRIMITIVE_ITSELF
        } else {
            self.primitive_parts.push((content.clone(), primitive));
            u32::try_from(self.primitive_parts.len() + 1).unwrap_or(PRIMITIVE_UNKNOWN)
        };
        self.facts[sum.index()].primitive = k;
    }

    /// Height and structural hash of a node about to be stored: the hash mixes the node's kind
    /// and contents (names, numbers, dimensions, functions) with its children's hashes, never
    /// ids, so equal expressions in different pools get equal keys. Also whether a child
    /// contains a derivative operator (read in the same pass over the children).
    fn structural_key(&self, node: &Node) -> ((u32, u64), bool) {
        use std::fmt::Write;
        let mut h = Fnv::new();
        // The bytes hashed are those of the `Debug` form of the node's discriminant and of the
        // `Display`/`Debug` forms of its contents, streamed into the hasher without allocating.
        h.write(discriminant_tag(node).as_bytes());
        // (A `fmt::Write` into the hasher never fails.)
        let _ = match node {
            Node::Num(n) => {
                n.write_decimal(&mut h);
                Ok(())
            }
            Node::Sym(s) => h.write_str(&self.symbol(*s).name),
            Node::DimValue(d) | Node::Identity(d) => write!(h, "{d}"),
            Node::Ones(s) | Node::Zero(s) => write!(h, "{s}"),
            Node::Apply(f, _) => write!(h, "{f:?}"),
            Node::Matrix { rows, cols, .. } => write!(h, "{rows}x{cols}"),
            Node::Sum { index, .. } => h.write_str(&self.symbol(*index).name),
            Node::Derivative(d) => write!(h, "{:?}", d.kind),
            Node::At(_, binds) => {
                for (s, _) in binds.iter() {
                    h.write(self.symbol(*s).name.as_bytes());
                }
                Ok(())
            }
            _ => Ok(()),
        };
        let (mut height, mut operator_below) = (0, false);
        node.for_each_child(|c| {
            let Facts {
                height: ch,
                hash: chash,
                ..
            } = self.facts[c.index()];
            height = height.max(ch);
            h.write_word(chash);
            operator_below |= self.operators.contains(&c);
        });
        ((height.saturating_add(1), h.finish()), operator_below)
    }

    /// The id of a node if it is already stored.
    pub fn find(&self, node: &Node) -> Option<Id> {
        match self.stored(self.anchor(node), node) {
            Stored::Found(id) => Some(id),
            _ => None,
        }
    }

    /// The symbol behind an id.
    pub fn symbol(&self, s: SymbolId) -> &Symbol {
        &self.symbols[s.0 as usize]
    }

    /// All symbols, in declaration order.
    pub fn symbols(&self) -> impl Iterator<Item = (SymbolId, &Symbol)> {
        self.symbols
            .iter()
            .enumerate()
            .map(|(i, s)| (SymbolId(i as u32), s))
    }

    /// The symbol with this canonical name, if declared.
    pub fn lookup(&self, name: &str) -> Option<SymbolId> {
        self.symbol_index.get(name).copied()
    }

    /// Declares a symbol, or returns the existing one of the same name. A redeclaration with a
    /// different shape or assumptions replaces nothing and returns `Err` with the existing id.
    pub fn declare(
        &mut self,
        name: &str,
        shape: Shape,
        assumptions: Assumptions,
        origin: SymbolOrigin,
    ) -> Result<SymbolId, SymbolId> {
        if let Some(&s) = self.symbol_index.get(name) {
            let existing = &self.symbols[s.0 as usize];
            return if existing.shape == shape && existing.assumptions == assumptions {
                Ok(s)
            } else {
                Err(s)
            };
        }
        let s = SymbolId(self.symbols.len() as u32);
        self.symbols.push(Symbol {
            name: name.to_string(),
            shape,
            assumptions,
            origin,
        });
        self.symbol_index.insert(name.to_string(), s);
        let shape = &self.symbols[s.0 as usize].shape;
        for d in shape.rows.symbols.iter().chain(&shape.cols.symbols) {
            if !self.dimension_names.contains(d) {
                self.dimension_names.insert(d.clone());
            }
        }
        Ok(s)
    }

    /// Does some declared symbol's shape use `name` as a dimension?
    pub fn is_dimension_name(&self, name: &str) -> bool {
        self.dimension_names.contains(name)
    }

    /// Has the pool grown past its node limit?
    pub fn over_limit(&self) -> bool {
        self.nodes.len() > self.limits.max_nodes
    }

    /// Has the deadline in `limits` passed?
    pub fn past_deadline(&self) -> bool {
        self.limits.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

fn node_hash(node: &Node) -> u32 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    let h = BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(node);
    (h ^ (h >> 32)) as u32
}

/// A node's short hash spread over 64 bits for the table, which takes the bucket from the low
/// bits and a tag from the top seven (a multiplication by an odd constant keeps the low bits a
/// bijection of the hash's and mixes every bit into the top).
fn table_hash(hash: u32) -> u64 {
    u64::from(hash).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The `Debug` form of a node's discriminant (its variant's position in [`Node`]).
fn discriminant_tag(node: &Node) -> &'static str {
    match node {
        Node::Num(_) => "Discriminant(0)",
        Node::Sym(_) => "Discriminant(1)",
        Node::DimValue(_) => "Discriminant(2)",
        Node::Identity(_) => "Discriminant(3)",
        Node::Ones(_) => "Discriminant(4)",
        Node::Zero(_) => "Discriminant(5)",
        Node::Add(_) => "Discriminant(6)",
        Node::Mul(_) => "Discriminant(7)",
        Node::Pow(..) => "Discriminant(8)",
        Node::Transpose(_) => "Discriminant(9)",
        Node::Hadamard(_) => "Discriminant(10)",
        Node::Kron(..) => "Discriminant(11)",
        Node::Apply(..) => "Discriminant(12)",
        Node::Matrix { .. } => "Discriminant(13)",
        Node::Component(..) => "Discriminant(14)",
        Node::Sum { .. } => "Discriminant(15)",
        Node::Derivative(_) => "Discriminant(16)",
        Node::At(..) => "Discriminant(17)",
        Node::HadamardPow(..) => "Discriminant(18)",
    }
}

/// FNV-1a (bytes; whole words for children's hashes): a fixed, platform-independent hash, so
/// structural keys are the same on every machine.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Mixes in a whole word at once (a child's hash: one multiplication instead of eight,
    /// which made the key of a long product the larger part of building it).
    fn write_word(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(0x0100_0000_01b3);
        self.0 ^= self.0 >> 29;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl std::fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.write(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{Dim, Func, Number};

    /// The streamed key hashes the same bytes as the formatted strings it replaced.
    #[test]
    fn tags_are_the_discriminants() {
        let nodes = [
            Node::Num(Number::int(3)),
            Node::Sym(crate::expr::SymbolId(0)),
            Node::DimValue(Box::new(Dim::symbol("n"))),
            Node::Identity(Box::new(Dim::symbol("n"))),
            Node::Ones(Box::new(Shape::scalar())),
            Node::Zero(Box::new(Shape::scalar())),
            Node::Add([].into()),
            Node::Mul([].into()),
            Node::Pow(Id(0), Id(0)),
            Node::Transpose(Id(0)),
            Node::Hadamard([].into()),
            Node::Kron(Id(0), Id(0)),
            Node::Apply(Func::Sin, [].into()),
            Node::Matrix {
                rows: 1,
                cols: 1,
                entries: [].into(),
            },
            Node::Component(Id(0), [].into()),
            Node::Sum {
                index: crate::expr::SymbolId(0),
                lower: Id(0),
                upper: Id(0),
                body: Id(0),
            },
            Node::Derivative(Box::new(crate::expr::Derivative {
                kind: crate::syntax::ast::DerivativeKind::Gradient,
                expr: Id(0),
                wrt: Box::new([]),
                direction: None,
            })),
            Node::At(Id(0), Box::new([])),
            Node::HadamardPow(Id(0), Id(0)),
        ];
        for n in &nodes {
            let expected = format!("{:?}", std::mem::discriminant(n));
            assert_eq!(discriminant_tag(n), expected);
        }
    }

    #[test]
    fn decimal_form_of_numbers() {
        let mut samples = vec![Number::zero(), Number::int(i64::MIN), Number::int(i64::MAX)];
        for n in -40..=40 {
            for d in 1..=12 {
                samples.push(Number::ratio(n, d));
            }
        }
        samples.push(Number::ratio(i64::MIN + 1, 7));
        let big = &Number::int(i64::MAX) * &Number::int(1 << 40);
        samples.push(big.clone());
        samples.push(big.recip().unwrap_or_else(Number::one));
        for n in samples {
            let mut a = Fnv::new();
            n.write_decimal(&mut a);
            let mut b = Fnv::new();
            b.write(n.to_string().as_bytes());
            assert_eq!(a.finish(), b.finish(), "{n}");
        }
    }

    /// Every node is stored once whichever way it is found: listed under its anchor, in the
    /// index once the anchor's list is full, a leaf, or a node whose children are all numbers.
    #[test]
    fn each_node_is_stored_once() {
        let mut pool = Pool::new();
        let x = pool
            .declare(
                "x",
                Shape::scalar(),
                Assumptions::default(),
                SymbolOrigin::Declared,
            )
            .unwrap();
        let x = pool.intern(Node::Sym(x), Shape::scalar());
        let numbers: Vec<Id> = (0..3 * LISTED_PARENTS as i64)
            .map(|k| pool.intern(Node::Num(Number::int(k + 2)), Shape::scalar()))
            .collect();
        let build = |pool: &mut Pool| -> Vec<Id> {
            let mut ids = Vec::new();
            for &k in &numbers {
                // Listed under x (the number is newer but is not an anchor), then indexed.
                ids.push(pool.intern(Node::Mul([k, x].into()), Shape::scalar()));
                ids.push(pool.intern(Node::Pow(x, k), Shape::scalar()));
                // Only numbers as children: listed under the newest number.
                ids.push(pool.intern(Node::Pow(k, numbers[0]), Shape::scalar()));
                ids.push(pool.intern(Node::Num(Number::ratio(1, 2)), Shape::scalar()));
            }
            ids
        };
        let first = build(&mut pool);
        let len = pool.len();
        let again = build(&mut pool);
        assert_eq!(first, again);
        assert_eq!(pool.len(), len);
        let distinct: std::collections::BTreeSet<Id> = first.iter().copied().collect();
        assert_eq!(distinct.len(), 3 * numbers.len() + 1);
        for &id in &first {
            assert_eq!(pool.find(&pool.node(id).clone()), Some(id));
        }
        assert_eq!(pool.find(&Node::Pow(numbers[1], x)), None);
    }
}
