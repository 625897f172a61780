//! `wire_enum!`: the one way status codes are declared, so `as_str`, `parse`, `ALL` and serde can
//! never disagree on a wire name (PRODUCT.md §0: enum values in UPPER_SNAKE_CASE).

/// Declares a fieldless enum with its UPPER_SNAKE_CASE wire names.
///
/// Generates `as_str()`, `parse(&str) -> Option<Self>` (exact, case-sensitive), `ALL` (declaration
/// order), `Display`, and serde (de)serialisation with the same names.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $wire)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The UPPER_SNAKE_CASE wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }

            /// Exact (case-sensitive) inverse of [`Self::as_str`].
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_enum;

/// Shared test for a wire enum: names are unique, UPPER_SNAKE_CASE, round-trip through `parse` and
/// serde, and unknown or lower-case names are refused.
#[cfg(test)]
macro_rules! assert_wire_enum {
    ($name:ident) => {{
        let mut seen = std::collections::HashSet::new();
        for v in $name::ALL {
            let s = v.as_str();
            assert!(seen.insert(s), "duplicate wire name {s}");
            assert!(
                !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                "{s} is not UPPER_SNAKE_CASE"
            );
            assert_eq!($name::parse(s), Some(*v));
            assert_eq!(v.to_string(), s);
            assert_eq!(serde_json::to_value(v).ok(), Some(serde_json::Value::String(s.to_string())));
            let back: Option<$name> = serde_json::from_value(serde_json::Value::String(s.to_string())).ok();
            assert_eq!(back, Some(*v));
            if s.chars().any(|c| c.is_ascii_alphabetic()) {
                assert_eq!($name::parse(&s.to_lowercase()), None);
            }
        }
        assert_eq!($name::parse(""), None);
        assert_eq!($name::parse("NOT_A_VALUE"), None);
        assert!(serde_json::from_str::<$name>("\"NOT_A_VALUE\"").is_err());
    }};
}

#[cfg(test)]
pub(crate) use assert_wire_enum;
