//! The static sections: the scenario at a glance, and which deals exist.

use parley_core::analysis::{BlockReason, walk};
use parley_core::utility::from_units;
use parley_core::{Analysis, AnalysisOptions, Lever, Scenario, SolutionConcept, UtilityModel, analyze};
use rayon::prelude::*;

use super::BuildError;
use super::words::{change, condition, package_row, provenance_text};
use parley_report::data::{
    ActorRow, Deals, Density, Glance, IssueRow, LeverDeals, LeverRow, NearMissRow, OptionRow, PairPlot, RuleRow,
    SolutionPoint, SolutionRow, SourceRow,
};

/// Cells across and up of a pair's density grid.
const BINS: usize = 40;
/// The most pairs of bargainers shown.
const PAIRS: usize = 3;
/// Outcome spaces larger than this are walked with a stride for the planes (the caption
/// says so); the analysis itself always walks every package.
const WALK_LIMIT: u64 = 4_000_000;
/// Packages per part of the planes' walk (the parts run side by side).
const WALK_PART: u64 = 1 << 14;
/// The most zone packages drawn per plane.
const ZONE_POINTS: usize = 2000;

fn concept_id(c: SolutionConcept) -> &'static str {
    match c {
        SolutionConcept::Nash => "nash",
        SolutionConcept::KalaiSmorodinsky => "kalai_smorodinsky",
        SolutionConcept::Egalitarian => "egalitarian",
        SolutionConcept::Utilitarian => "utilitarian",
    }
}

/// The scenario at a glance: actors, issues and who rules out which option, red lines,
/// linkages, levers and sources.
pub fn glance(base: &Scenario, table: &Scenario, analysis: &Analysis) -> Glance {
    let actors = base
        .actors
        .iter()
        .zip(&base.preferences)
        .map(|(a, p)| {
            let w = p.normalised_weights();
            let top = w
                .iter()
                .enumerate()
                .filter(|(_, w)| **w > 0.0)
                .max_by(|x, y| x.1.total_cmp(y.1).then(y.0.cmp(&x.0)))
                .map(|(i, _)| base.issues[i].name.clone());
            ActorRow {
                id: a.id.clone(),
                name: a.name.clone(),
                role: a.role.as_str().into(),
                veto: a.veto.is_full(),
                consent: a.veto.scope().map(|s| s.describe(&base.issues)),
                reservation: p.reservation.value,
                reservation_source: provenance_text(&p.reservation.provenance),
                top_issue: top,
            }
        })
        .collect();
    let issues = table
        .issues
        .iter()
        .enumerate()
        .map(|(i, issue)| IssueRow {
            id: issue.id.clone(),
            name: issue.name.clone(),
            options: issue
                .options
                .iter()
                .enumerate()
                .map(|(o, option)| {
                    let report = analysis.options.iter().find(|r| r.issue == i && r.option == o);
                    OptionRow {
                        id: option.id.clone(),
                        label: option.label.clone(),
                        ruled_out_by: report
                            .map(|r| {
                                r.blocks
                                    .iter()
                                    .filter(|b| b.binding)
                                    .map(|b| {
                                        let name = &table.actors[b.actor].name;
                                        match b.reason {
                                            BlockReason::RedLine => format!("{name} (red line)"),
                                            BlockReason::Reservation { .. } => {
                                                format!("{name} (below its reservation value)")
                                            }
                                        }
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        zone_packages: report.map_or(0, |r| r.zopa_outcomes),
                    }
                })
                .collect(),
        })
        .collect();
    let mut red_lines = Vec::new();
    let mut linkages = Vec::new();
    for (a, p) in base.actors.iter().zip(&base.preferences) {
        for r in &p.red_lines {
            red_lines.push(RuleRow {
                actor: a.name.clone(),
                id: r.id.clone(),
                when: condition(&base.issues, &r.when),
                what: r.reason.clone(),
                source: r.source.as_ref().map_or_else(|| "no citation".into(), ToString::to_string),
            });
        }
        for l in &p.linkages {
            linkages.push(RuleRow {
                actor: a.name.clone(),
                id: l.id.clone(),
                when: condition(&base.issues, &l.when),
                what: format!("{:+.3} utility", l.delta.value),
                source: provenance_text(&l.delta.provenance),
            });
        }
    }
    Glance {
        actors,
        issues,
        red_lines,
        linkages,
        levers: base
            .levers
            .iter()
            .map(|l| LeverRow {
                id: l.id.clone(),
                name: l.name.clone(),
                description: l.description.clone(),
                source: provenance_text(&l.provenance),
                changes: l.changes.iter().map(|c| change(base, c)).collect(),
            })
            .collect(),
        sources: base
            .sources
            .iter()
            .map(|s| SourceRow {
                id: s.id.clone(),
                title: s.title.clone(),
                outlet: s.outlet.clone(),
                date: s.date.clone(),
            })
            .collect(),
    }
}

/// The pairs of bargainers shown: the first [`PAIRS`] pairs in actor order.
fn pairs(bargainers: &[usize]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (k, &a) in bargainers.iter().enumerate() {
        for &b in &bargainers[k + 1..] {
            out.push((a, b));
        }
    }
    out.truncate(PAIRS);
    out
}

/// The non-dominated points of `(x, y)` pairs (higher is better in both), by `x` ascending:
/// each distinct point that no other point matches or beats in both coordinates.
///
/// The points go through a staircase (by `x` ascending, `y` strictly descending): a point
/// is dropped if the first step at or right of its `x` is at least as high, and otherwise
/// replaces the steps it covers, so a point costs a binary search on the frontier rather
/// than its share of a sort of every point.
pub(crate) fn frontier_2d(points: impl IntoIterator<Item = (f64, f64)>) -> Vec<[f64; 2]> {
    let mut stairs: Vec<[f64; 2]> = Vec::new();
    for (x, y) in points {
        let at = stairs.partition_point(|p| p[0] < x);
        if stairs.get(at).is_some_and(|p| p[1] >= y) {
            continue;
        }
        // Steps left of `x` no higher than `y`, and one at `x` itself (at or right of `x`,
        // and not right of it), are covered.
        let end = if stairs.get(at).is_some_and(|p| p[0] <= x) { at + 1 } else { at };
        let start = stairs[..at].partition_point(|p| p[1] > y);
        stairs.splice(start..end, [[x, y]]);
    }
    stairs
}

fn planes(table: &Scenario, model: &UtilityModel, analysis: &Analysis) -> Vec<PairPlot> {
    planes_walked(table, model, analysis, true)
}

/// [`planes`]; with `incremental` false every package is decoded and evaluated on its own,
/// as with a stride (the tests compare both ways).
fn planes_walked(table: &Scenario, model: &UtilityModel, analysis: &Analysis, incremental: bool) -> Vec<PairPlot> {
    let bargainers = &analysis.bargainers;
    let shown = pairs(bargainers);
    if shown.is_empty() {
        return Vec::new();
    }
    let space = model.space();
    let total = analysis.outcomes;
    let stride = total.div_ceil(WALK_LIMIT).max(1);
    // Every admissible package's utilities to the actors in a shown pair.
    let mut actors: Vec<usize> = shown.iter().flat_map(|&(a, b)| [a, b]).collect();
    actors.sort_unstable();
    actors.dedup();
    let bargainer_mask: u64 = bargainers.iter().fold(0, |m, &a| m | (1 << a));
    let positions: Vec<usize> =
        actors.iter().map(|a| bargainers.iter().position(|b| b == a).expect("pairs are of bargainers")).collect();
    // An admissible package: each shown actor's utility, and the package itself while the
    // zone has room.
    let take = |points: &mut [Vec<f64>], zone: &mut Vec<u64>, u: &[f64], index: u64| {
        for (slot, &k) in positions.iter().enumerate() {
            points[slot].push(u[k]);
        }
        if zone.len() < ZONE_POINTS && bargainers.iter().zip(u).all(|(&a, &v)| v >= analysis.reservation[a]) {
            zone.push(index);
        }
    };
    let (points, zone) = if stride == 1 && incremental {
        // Every package, in parts side by side; the walk keeps partial sums.
        let parts: Vec<(Vec<Vec<f64>>, Vec<u64>)> = (0..total.div_ceil(WALK_PART))
            .into_par_iter()
            .map(|part| {
                let mut points: Vec<Vec<f64>> = vec![Vec::new(); actors.len()];
                let mut zone: Vec<u64> = Vec::new();
                let mut u = vec![0.0; bargainers.len()];
                let range = part * WALK_PART..((part + 1) * WALK_PART).min(total);
                walk(model, range, |index, _, units, crossed| {
                    if crossed & bargainer_mask == 0 {
                        for (v, &a) in u.iter_mut().zip(bargainers) {
                            *v = from_units(units[a]);
                        }
                        take(&mut points, &mut zone, &u, index);
                    }
                });
                (points, zone)
            })
            .collect();
        let mut points: Vec<Vec<f64>> =
            (0..actors.len()).map(|slot| Vec::with_capacity(parts.iter().map(|p| p.0[slot].len()).sum())).collect();
        let mut zone = Vec::new();
        for (part_points, part_zone) in parts {
            for (all, part) in points.iter_mut().zip(part_points) {
                all.extend(part);
            }
            zone.extend(part_zone);
        }
        zone.truncate(ZONE_POINTS);
        (points, zone)
    } else {
        // A stride: each package decoded on its own.
        let mut points: Vec<Vec<f64>> = vec![Vec::new(); actors.len()];
        let mut zone: Vec<u64> = Vec::new();
        let mut digits = vec![0u32; space.n_issues()];
        let mut u = vec![0.0; bargainers.len()];
        for index in (0..total).step_by(stride as usize) {
            space.decode_into(&mut index.clone(), &mut digits);
            if model.crossed_red_lines(&digits) & bargainer_mask == 0 {
                for (v, &a) in u.iter_mut().zip(bargainers) {
                    *v = model.utility(a, &digits);
                }
                take(&mut points, &mut zone, &u, index);
            }
        }
        (points, zone)
    };
    let slot = |a: usize| actors.iter().position(|&x| x == a).expect("collected");
    // The pairs' densities and frontiers are drawn side by side, in the pairs' order.
    shown
        .par_iter()
        .map(|&(a, b)| {
            let (xs, ys) = (&points[slot(a)], &points[slot(b)]);
            let ext = |v: &[f64]| {
                let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                if lo.is_finite() { (lo, hi.max(lo + 1e-9)) } else { (0.0, 1.0) }
            };
            let ((x0, x1), (y0, y1)) = (ext(xs), ext(ys));
            let (cw, ch) = ((x1 - x0) / BINS as f64, (y1 - y0) / BINS as f64);
            let mut counts = vec![0u32; BINS * BINS];
            for (&x, &y) in xs.iter().zip(ys) {
                let i = (((x - x0) / cw) as usize).min(BINS - 1);
                let j = (((y - y0) / ch) as usize).min(BINS - 1);
                counts[j * BINS + i] = counts[j * BINS + i].saturating_add(1);
            }
            let mut joint: Vec<[f64; 2]> = analysis.frontier.iter().map(|p| [p.utilities[a], p.utilities[b]]).collect();
            joint.sort_by(|p, q| p[0].total_cmp(&q[0]).then(p[1].total_cmp(&q[1])));
            joint.dedup_by(|p, q| (p[0] - q[0]).abs() < 1e-4 && (p[1] - q[1]).abs() < 1e-4);
            let mut zone_pts: Vec<[f64; 2]> = zone
                .iter()
                .map(|&o| {
                    let d = space.decode(o);
                    [model.utility(a, &d), model.utility(b, &d)]
                })
                .collect();
            zone_pts.sort_by(|p, q| p[0].total_cmp(&q[0]).then(p[1].total_cmp(&q[1])));
            zone_pts.dedup_by(|p, q| (p[0] - q[0]).abs() < 1e-4 && (p[1] - q[1]).abs() < 1e-4);
            let solutions = shown_solutions(analysis)
                .iter()
                .filter(|s| s.concept != SolutionConcept::Utilitarian)
                .map(|s| SolutionPoint {
                    concept: concept_id(s.concept).into(),
                    x: s.package.utilities[a],
                    y: s.package.utilities[b],
                })
                .collect();
            PairPlot {
                x: table.actors[a].id.clone(),
                y: table.actors[b].id.clone(),
                x_name: table.actors[a].name.clone(),
                y_name: table.actors[b].name.clone(),
                x_reservation: analysis.reservation[a],
                y_reservation: analysis.reservation[b],
                density: Density { nx: BINS, ny: BINS, x0, x1, y0, y1, counts },
                frontier: frontier_2d(xs.iter().copied().zip(ys.iter().copied())),
                joint_frontier: joint,
                zone: zone_pts,
                solutions,
            }
        })
        .collect()
}

/// The zone's solutions, or the reference solutions when the zone is empty.
fn shown_solutions(analysis: &Analysis) -> &[parley_core::Solution] {
    if analysis.solutions.is_empty() { &analysis.reference_solutions } else { &analysis.solutions }
}

/// Which deals exist on `table` (the scenario with `applied` levers), and how each other
/// lever changes that; also returns the analysis for the glance.
pub fn deals(base: &Scenario, table: &Scenario, applied: &[String]) -> Result<(Deals, Analysis), BuildError> {
    let model = UtilityModel::new(table)?;
    let options = AnalysisOptions { top_k: 3, option_stats: true, ..AnalysisOptions::default() };
    let analysis = analyze(&model, &options)?;
    let solutions = shown_solutions(&analysis)
        .iter()
        .map(|s| SolutionRow {
            concept: concept_id(s.concept).into(),
            package: package_row(table, &s.package.options, s.package.utilities.clone()),
        })
        .collect();
    let near_miss = analysis.near_misses.first().map(|n| NearMissRow {
        package: package_row(table, &n.package.options, n.package.utilities.clone()),
        binding: table.actors[n.binding_actor].name.clone(),
        shortfall: n.shortfall,
    });
    let quick = AnalysisOptions { top_k: 0, option_stats: false, ..AnalysisOptions::default() };
    let mut levers = vec![LeverDeals {
        lever: "baseline".into(),
        name: if applied.is_empty() { "no lever".into() } else { format!("levers applied: {}", applied.join(", ")) },
        outcomes: analysis.outcomes,
        zone: analysis.zopa,
        nash: analysis
            .solution(SolutionConcept::Nash)
            .map(|n| package_row(table, &n.package.options, n.package.utilities.clone())),
    }];
    // Each lever's analysis is independent of the others': they run side by side, and
    // come back in the scenario's order.
    let others: Vec<&Lever> = base.levers.iter().filter(|l| !applied.contains(&l.id)).collect();
    let pulled: Vec<LeverDeals> = others
        .par_iter()
        .map(|lever| {
            let pulled =
                table.with_lever(lever).map_err(|source| BuildError::Lever { id: lever.id.clone(), source })?;
            let pulled_model = UtilityModel::new(&pulled)?;
            // A lever that moves only the war (aid, a mediator, air defence) leaves every
            // utility, red line and reservation value as they were: the deals are the table's.
            let own;
            let a = if pulled_model == model {
                &analysis
            } else {
                own = analyze(&pulled_model, &quick)?;
                &own
            };
            Ok(LeverDeals {
                lever: lever.id.clone(),
                name: lever.name.clone(),
                outcomes: a.outcomes,
                zone: a.zopa,
                nash: a
                    .solution(SolutionConcept::Nash)
                    .map(|n| package_row(&pulled, &n.package.options, n.package.utilities.clone())),
            })
        })
        .collect::<Result<_, BuildError>>()?;
    levers.extend(pulled);
    let deals = Deals {
        outcomes: analysis.outcomes,
        admissible: analysis.admissible,
        zone: analysis.zopa,
        bargainers: analysis.bargainers.iter().map(|&a| table.actors[a].name.clone()).collect(),
        frontier: analysis.frontier.len(),
        frontier_in_zone: analysis.frontier_in_zopa,
        solutions,
        reference: analysis.solutions.is_empty(),
        near_miss,
        actors: table.actors.iter().map(|a| a.name.clone()).collect(),
        pairs: planes(table, &model, &analysis),
        levers,
    };
    Ok((deals, analysis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_frontier_2d_keeps_the_non_dominated_points() {
        let pts = [(0.1, 0.9), (0.5, 0.5), (0.4, 0.4), (0.9, 0.1), (0.5, 0.6), (0.9, 0.1)];
        assert_eq!(frontier_2d(pts), vec![[0.1, 0.9], [0.5, 0.6], [0.9, 0.1]]);
    }

    /// The frontier by sorting every point, as the planes drew it before the staircase.
    fn frontier_by_sorting(points: &[(f64, f64)]) -> Vec<[f64; 2]> {
        let mut sorted: Vec<(f64, f64)> = points.to_vec();
        sorted.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)));
        let mut out: Vec<[f64; 2]> = Vec::new();
        let mut best_y = f64::NEG_INFINITY;
        for (x, y) in sorted {
            if y > best_y {
                out.push([x, y]);
                best_y = y;
            }
        }
        out.reverse();
        out
    }

    proptest::proptest! {
        /// The staircase keeps exactly the points a sort of every point keeps, in the same
        /// order, with many exact ties.
        #[test]
        fn test_frontier_2d_equals_the_sorted_frontier(
            grid in proptest::collection::vec((0u8..12, 0u8..12), 0..300),
        ) {
            let points: Vec<(f64, f64)> = grid.iter().map(|&(x, y)| (f64::from(x) / 8.0, f64::from(y) / 8.0)).collect();
            proptest::prop_assert_eq!(frontier_2d(points.iter().copied()), frontier_by_sorting(&points));
        }
    }

    #[test]
    fn test_a_lever_that_moves_only_the_war_shares_the_tables_deals_and_the_others_are_analysed() {
        let base = parley_io::parse(crate::scenario::BUILT_IN, "built-in", parley_io::Format::Toml).unwrap().scenario;
        let (deals, _) = deals(&base, &base, &[]).unwrap();
        let quick = AnalysisOptions { top_k: 0, option_stats: false, ..AnalysisOptions::default() };
        let table = UtilityModel::new(&base).unwrap();
        let mut shared = 0;
        for row in &deals.levers[1..] {
            let lever = base.levers.iter().find(|l| l.id == row.lever).unwrap();
            let pulled = base.with_lever(lever).unwrap();
            let model = UtilityModel::new(&pulled).unwrap();
            shared += usize::from(model == table);
            let a = analyze(&model, &quick).unwrap();
            let nash = a
                .solution(SolutionConcept::Nash)
                .map(|n| package_row(&pulled, &n.package.options, n.package.utilities.clone()));
            assert_eq!((row.outcomes, row.zone), (a.outcomes, a.zopa), "{}", row.lever);
            assert_eq!(row.nash, nash, "{}", row.lever);
        }
        // us_walks_away and air_defence_deliveries set only `conflict.*` numbers.
        assert!(shared >= 2, "{shared}");
        assert!(shared < deals.levers.len() - 1);
    }

    #[test]
    fn test_the_walked_planes_equal_the_planes_of_each_package_evaluated_on_its_own() {
        let base = parley_io::parse(crate::scenario::BUILT_IN, "built-in", parley_io::Format::Toml).unwrap().scenario;
        // The built-in scenario, and with reservation values moved as the workbench's
        // sliders move them (the zone's packages change).
        for (k, reservation) in
            [None, Some((0, 0.62)), Some((1, 0.31)), Some((2, 0.05)), Some((0, 0.9))].into_iter().enumerate()
        {
            let mut table = base.clone();
            if let Some((actor, value)) = reservation {
                table.preferences[actor].reservation.value = value;
            }
            let model = UtilityModel::new(&table).unwrap();
            let options = AnalysisOptions { top_k: 3, option_stats: true, ..AnalysisOptions::default() };
            let analysis = analyze(&model, &options).unwrap();
            let walked = planes_walked(&table, &model, &analysis, true);
            assert_eq!(walked.len(), 3);
            assert_eq!(walked, planes_walked(&table, &model, &analysis, false), "case {k}");
        }
    }

    #[test]
    fn test_pairs_take_the_first_three() {
        assert_eq!(pairs(&[0, 1, 2, 3]), vec![(0, 1), (0, 2), (0, 3)]);
        assert_eq!(pairs(&[4]), vec![]);
    }
}
