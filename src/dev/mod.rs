//! Support for benchmarks and tests that ships in the library but is no part of the user-facing
//! app: deterministic synthetic data, reached only through a hidden environment variable.

pub mod synthetic;
