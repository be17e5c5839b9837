//! Parsing and the details model.
