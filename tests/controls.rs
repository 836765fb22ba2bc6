//! `gate controls`.
