//! Sayso widget.
