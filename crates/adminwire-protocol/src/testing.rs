//! Strategies shared by the generated `arbitrary` functions.

use proptest::prelude::*;

/// Any short string, ASCII or not, including empty.
pub fn any_string() -> BoxedStrategy<String> {
    "\\PC{0,12}".boxed()
}
