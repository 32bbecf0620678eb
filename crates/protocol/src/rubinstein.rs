//! The subgame-perfect equilibrium of finite-horizon alternating offers, by backward
//! induction over a domain's outcomes.
//!
//! Rubinstein ("Perfect equilibrium in a bargaining model", Econometrica 1982,
//! doi:10.2307/1912531) shows that with per-round discount factors δ₁, δ₂ and no
//! deadline, the first proposer's share of a unit surplus is `(1 − δ₂) / (1 − δ₁δ₂)`.
//! With a deadline of `T` rounds the game is solved backwards: in the last round the
//! proposer takes the best outcome the responder still prefers to disagreement (worth 0);
//! in every earlier round it takes the best outcome that gives the responder at least
//! what the responder would get by proposing next round, discounted by one round. As `T`
//! grows, the first round's split converges to Rubinstein's.

use crate::domain::Domain;

/// The equilibrium of the finite game.
#[derive(Clone, Debug, PartialEq)]
pub struct Equilibrium {
    /// The outcome proposed and accepted in the first round.
    pub outcome: u64,
    /// Each party's (undiscounted) utility of it.
    pub utilities: [f64; 2],
}

/// Solves the `rounds`-round alternating-offers game between actors 0 and 1 of `domain`,
/// actor `first` proposing first, with per-round discount factors `delta` (in `(0, 1]`).
/// Utilities below 0 count as worse than disagreement.
// Exact comparison breaks ties between equally good proposals deterministically.
#[allow(clippy::float_cmp)]
pub fn solve(domain: &Domain, delta: [f64; 2], rounds: u32, first: usize) -> Equilibrium {
    assert!(domain.n_actors() == 2, "alternating offers between two actors");
    assert!(first < 2 && rounds >= 1, "first proposer is 0 or 1, at least one round");
    let len = domain.space().len().expect("ranked domains fit in u64");
    // (proposer's value, responder's value) of the subgame starting at round r, in
    // utilities at round r; the responder accepts iff its utility ≥ its continuation.
    let mut continuation = [0.0f64; 2]; // value to each actor of the subgame after the last round: disagreement
    let mut outcome = 0;
    for r in (0..rounds).rev() {
        let proposer = if r % 2 == 0 { first } else { 1 - first };
        let responder = 1 - proposer;
        // What the responder gets if it rejects: next round's value, one round later.
        let reject_value = if r + 1 == rounds { 0.0 } else { delta[responder] * continuation[responder] };
        let (pr, rr) = (domain.ranking(proposer), domain.ranking(responder));
        let mut best: Option<(f64, f64, u64)> = None;
        for o in 0..len {
            let (up, ur) = (pr.utility(o), rr.utility(o));
            if ur + 1e-12 < reject_value || up < 0.0 {
                continue;
            }
            // Best for the proposer; among equals, best for the responder; then smallest index.
            let better = match best {
                None => true,
                Some((bp, br, _)) => up > bp || (up == bp && ur > br),
            };
            if better {
                best = Some((up, ur, o));
            }
        }
        match best {
            Some((up, ur, o)) => {
                let mut v = [0.0; 2];
                v[proposer] = up;
                v[responder] = ur;
                // Values of the subgame at round r, seen from round r.
                continuation = v;
                outcome = o;
            }
            None => {
                // No acceptable proposal: the game reaches disagreement from here.
                continuation =
                    if r + 1 == rounds { [0.0, 0.0] } else { [delta[0] * continuation[0], delta[1] * continuation[1]] };
            }
        }
    }
    let utilities = [domain.ranking(0).utility(outcome), domain.ranking(1).utility(outcome)];
    Equilibrium { outcome, utilities }
}
