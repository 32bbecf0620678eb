//! The number of actors, known at compile time ([`Fixed`]) or only at run time
//! ([`Dynamic`]). Hot loops are generic over it so that, for the common small counts, the
//! compiler unrolls the per-actor loops; the source is the same for every width.

pub(crate) trait Width: Copy + Send + Sync {
    fn n(self) -> usize;
}

#[derive(Clone, Copy)]
pub(crate) struct Fixed<const N: usize>;
impl<const N: usize> Width for Fixed<N> {
    #[inline(always)]
    fn n(self) -> usize {
        N
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Dynamic(pub usize);
impl Width for Dynamic {
    #[inline(always)]
    fn n(self) -> usize {
        self.0
    }
}

/// Evaluates `$body` with `$w` bound to the [`Width`] of `$n` actors: [`Fixed`] up to six,
/// [`Dynamic`] beyond.
macro_rules! with_width {
    ($n:expr, $w:ident => $body:expr) => {
        match $n {
            1 => {
                let $w = $crate::analysis::width::Fixed::<1>;
                $body
            }
            2 => {
                let $w = $crate::analysis::width::Fixed::<2>;
                $body
            }
            3 => {
                let $w = $crate::analysis::width::Fixed::<3>;
                $body
            }
            4 => {
                let $w = $crate::analysis::width::Fixed::<4>;
                $body
            }
            5 => {
                let $w = $crate::analysis::width::Fixed::<5>;
                $body
            }
            6 => {
                let $w = $crate::analysis::width::Fixed::<6>;
                $body
            }
            n => {
                let $w = $crate::analysis::width::Dynamic(n);
                $body
            }
        }
    };
}
pub(crate) use with_width;
