//! Chain building and validation.
