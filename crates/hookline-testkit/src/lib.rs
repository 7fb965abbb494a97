//! hookline-testkit
