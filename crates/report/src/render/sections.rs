//! One function per section of the page.

use super::format::{index_ci, number, pct, pct_ci, points_ci, short, u3, whole};
use super::html::Html;
use crate::chart::axis::{Ticks, group_thousands};
use crate::chart::bars::{ShareGroup, TornadoChart, TornadoRow, histogram, share_chart};
use crate::chart::lines::{FanChart, FanPoint, Labels, Line, LineChart, Reference};
use crate::chart::scatter::{pair_chart, solution_marker};
use crate::chart::svg::Stroke;
use crate::chart::{COLORS, DASHES, series_style};
use crate::data::{Fan, PackageRow, ReportData};

fn concept_name(concept: &str) -> &'static str {
    solution_marker(concept).1
}

pub(super) fn summary(h: &mut Html, d: &ReportData) {
    h.section("summary", "Summary", false);
    let mut findings = Vec::new();
    let deals = &d.deals;
    let who = deals.bargainers.join(", ");
    if deals.zone == 0 {
        let miss = deals.near_miss.as_ref().map_or(String::new(), |n| {
            format!(" The nearest package leaves {} {:.3} below its reservation value.", n.binding, n.shortfall)
        });
        findings.push(format!(
            "At the scenario date no package is acceptable to every party whose consent a deal needs ({who}): the zone of possible agreement is empty.{miss}"
        ));
    } else {
        findings.push(format!(
            "At the scenario date {} of {} packages are acceptable to every party whose consent a deal needs ({who}).",
            group_thousands(&deals.zone.to_string()),
            group_thousands(&deals.outcomes.to_string())
        ));
    }
    let opened: Vec<&str> =
        deals.levers.iter().skip(1).filter(|l| l.zone > 0 && deals.zone == 0).map(|l| l.name.as_str()).collect();
    if !opened.is_empty() {
        findings.push(format!("Of the levers, these open a zone of agreement on their own: {}.", opened.join("; ")));
    }
    if let Some(s) = &d.settlement
        && let Some(base) = s.arms.first()
    {
        let within = 12.min(base.settled.len());
        let at = |m: usize| base.settled.get(m.saturating_sub(1)).map_or("–".into(), pct_ci);
        findings.push(format!(
            "Across {} runs of the war and the talks, a settlement is reached within {within} months in {} of them and within {} months in {}{}.",
            group_thousands(&s.runs.to_string()),
            at(within),
            base.settled.len(),
            at(base.settled.len()),
            base.median_month.map_or(String::new(), |m| format!("; the median first agreement comes in month {m:.0}"))
        ));
        let mut diffs: Vec<_> = s.differences.iter().collect();
        diffs.sort_by(|a, b| b.settled_within_12[0].total_cmp(&a.settled_within_12[0]));
        let name = |arm: &str| s.arms.iter().find(|a| a.arm == arm).map_or(arm.to_string(), |a| a.name.clone());
        if let Some(best) = diffs.first().filter(|x| x.settled_within_12[1] > 0.0) {
            findings.push(format!(
                "The lever that most raises the chance of a settlement within 12 months is “{}”: {}.",
                name(&best.arm),
                points_ci(&best.settled_within_12)
            ));
        }
        if let Some(worst) = diffs.last().filter(|x| x.settled_within_12[2] < 0.0) {
            findings.push(format!(
                "The lever that most lowers it is “{}”: {}.",
                name(&worst.arm),
                points_ci(&worst.settled_within_12)
            ));
        }
    }
    if let Some(w) = &d.war {
        let at = |k: usize| {
            w.held.values.get(k).and_then(|q| Some((w.months.get(k)?, q[2]?, q[0]?, q[4]?))).map(|(m, mid, lo, hi)| {
                format!("{} {} in {m} (90% of runs between {} and {})", whole(mid), w.held.unit, whole(lo), whole(hi))
            })
        };
        let last = w.months.len().saturating_sub(1).min(6);
        if let (Some(one), Some(later)) = (at(1), at(last)) {
            findings.push(format!(
                "{}, the model's median forecast: {one}, and {later}{}.",
                w.held.title,
                if d.record.is_some() { ", starting from the record filtered up to the scenario date" } else { "" }
            ));
        }
    }
    findings.extend(super::record::lineage_headline(d));
    if let Some(b) = &d.backtest {
        for s in &b.series {
            findings.push(super::record::headline(b, s));
        }
        findings.extend(super::record::stopped_headline(b));
    }
    if let Some(sens) = &d.sensitivity
        && let Some(timing) = sens.measures.iter().find(|m| m.output == "settlement_month")
    {
        let mut by_total: Vec<_> = timing.drivers.iter().filter(|x| x.total[0].is_some()).collect();
        by_total.sort_by(|a, b| b.total[0].unwrap_or(0.0).total_cmp(&a.total[0].unwrap_or(0.0)));
        let top: Vec<String> = by_total
            .iter()
            .take(3)
            .map(|x| format!("{} (total Sobol index {:.2})", x.path, x.total[0].unwrap_or(f64::NAN)))
            .collect();
        if !top.is_empty() {
            findings.push(format!("The timing of a settlement depends most on {}.", top.join(", then ")));
        }
    }
    let c = &d.checks;
    let failing: Vec<String> = c.rows.iter().filter(|r| !r.passed).map(super::audit::failing_name).collect();
    findings.push(if let Some(audited) = super::audit::headline(d) {
        audited
    } else if failing.is_empty() {
        format!("All {} claims from the sources written as checks hold in the model.", c.rows.len())
    } else {
        format!(
            "{} of {} claims from the sources hold in the model; failing: {}.",
            c.passed,
            c.rows.len(),
            failing.join(", ")
        )
    });
    h.raw("<ul class=\"findings\">\n");
    for f in &findings {
        h.element("li", f);
        h.raw("\n");
    }
    h.raw("</ul>\n");
    let p = &d.provenance;
    h.p_class(
        "caveat",
        &format!(
            "These results are conditional on the scenario's assumptions. Of its {} numbers, {} cite a source paragraph, {} are the modeller's assumptions, each with its reason, and {} were tuned so that a claim or a target holds (see Provenance); the sensitivity section shows which assumptions move the answers most.",
            p.numbers.len(),
            p.cited,
            p.assumed,
            p.tuned
        ),
    );
    h.end_section();
}

pub(super) fn glance(h: &mut Html, d: &ReportData) {
    let g = &d.glance;
    h.section("glance", "The scenario at a glance", false);
    h.h3("Actors");
    let rows: Vec<Vec<String>> = g
        .actors
        .iter()
        .map(|a| {
            vec![
                a.name.clone(),
                a.role.clone(),
                match (&a.consent, a.veto) {
                    (Some(scope), _) => format!("over {scope}"),
                    (None, true) => "yes".into(),
                    (None, false) => "no".into(),
                },
                u3(a.reservation),
                a.reservation_source.clone(),
                a.top_issue.clone().unwrap_or_default(),
            ]
        })
        .collect();
    h.table(
        "",
        &["actor", "role", "veto", "reservation value", "source of the reservation value", "weighs most"],
        &rows,
    );
    h.h3("Issues and options");
    h.p("Who vetoes what: a party whose consent a deal needs rules an option out on its own when every package with it crosses one of its red lines, or is worth less to it than fighting on.");
    let mut rows = Vec::new();
    for issue in &g.issues {
        for (k, o) in issue.options.iter().enumerate() {
            rows.push(vec![
                if k == 0 { issue.name.clone() } else { String::new() },
                o.label.clone(),
                if o.ruled_out_by.is_empty() { "–".into() } else { o.ruled_out_by.join(", ") },
                group_thousands(&o.zone_packages.to_string()),
            ]);
        }
    }
    h.table("", &["issue", "option", "ruled out by", "packages in the zone"], &rows);
    h.h3("Red lines");
    let rule_rows = |rules: &[crate::data::RuleRow]| -> Vec<Vec<String>> {
        rules.iter().map(|r| vec![r.actor.clone(), r.when.clone(), r.what.clone(), r.source.clone()]).collect()
    };
    h.table("", &["actor", "never accepts", "why", "source"], &rule_rows(&g.red_lines));
    h.h3("Linkages");
    h.p("A linkage adds utility when options occur together, for example when membership makes a territorial compromise easier to accept.");
    h.table("", &["actor", "when", "utility", "source"], &rule_rows(&g.linkages));
    h.h3("Levers");
    let rows: Vec<Vec<String>> = g
        .levers
        .iter()
        .map(|l| vec![l.name.clone(), l.description.clone(), l.changes.join("; "), l.source.clone()])
        .collect();
    h.table("", &["lever", "what it means", "what it changes", "source"], &rows);
    h.end_section();
}

fn package_table(h: &mut Html, caption: &str, names: &[String], columns: &[(&str, &PackageRow)]) {
    let Some((_, first)) = columns.first() else { return };
    let mut header: Vec<&str> = vec!["issue"];
    header.extend(columns.iter().map(|(c, _)| *c));
    let mut rows: Vec<Vec<String>> = first
        .terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut row = vec![t.issue.clone()];
            row.extend(columns.iter().map(|(_, p)| p.terms[i].option.clone()));
            row
        })
        .collect();
    for (a, name) in names.iter().enumerate() {
        let mut row = vec![format!("utility to {name}")];
        row.extend(columns.iter().map(|(_, p)| u3(p.utilities.get(a).copied().unwrap_or(f64::NAN))));
        rows.push(row);
    }
    h.table(caption, &header, &rows);
}

pub(super) fn deals(h: &mut Html, d: &ReportData) {
    let x = &d.deals;
    h.section("deals", "What deals exist", !x.pairs.is_empty());
    h.p(&format!(
        "{} packages in all; {} cross no red line of {}; {} lie in the zone of possible agreement (every one of them prefers the package to its reservation value). The Pareto frontier of these parties has {} packages, {} of them in the zone.",
        group_thousands(&x.outcomes.to_string()),
        group_thousands(&x.admissible.to_string()),
        x.bargainers.join(", "),
        group_thousands(&x.zone.to_string()),
        group_thousands(&x.frontier.to_string()),
        x.frontier_in_zone
    ));
    if x.reference {
        h.p_class("caveat", "The zone is empty, so no package is a deal every party would sign. The bargaining solutions below are measured over the whole frontier from each party's worst admissible package: efficient compromises to compare with, not deals.");
    }
    h.raw("<div class=\"pairs\">\n");
    for (k, pair) in x.pairs.iter().enumerate() {
        let svg = pair_chart(&format!("pair-{k}"), pair, x.reference);
        h.figure(
            &svg,
            &format!(
                "Every admissible package's utility to {} and to {}, binned (darker cells hold more packages). The orange staircase is the two's own Pareto frontier; blue rings are the frontier of all bargainers seen from these two; dashed lines are the reservation values, so packages up and to the right of both are acceptable to these two. Markers: Nash (square), Kalai–Smorodinsky (triangle), egalitarian (diamond).",
                pair.x_name, pair.y_name
            ),
        );
    }
    h.raw("</div>\n");
    h.h3(if x.reference { "The reference solutions in words" } else { "The bargaining solutions in words" });
    let columns: Vec<(&str, &PackageRow)> =
        x.solutions.iter().map(|s| (concept_name(&s.concept), &s.package)).collect();
    package_table(h, "", &x.actors, &columns);
    if let Some(n) = &x.near_miss
        && x.zone == 0
    {
        h.h3("The nearest package outside the zone");
        h.p(&format!("It leaves {} {:.3} below its reservation value.", n.binding, n.shortfall));
        package_table(h, "", &x.actors, &[("package", &n.package)]);
    }
    h.h3("What each lever does to the deals on the table");
    let rows: Vec<Vec<String>> = x
        .levers
        .iter()
        .map(|l| {
            vec![
                l.name.clone(),
                group_thousands(&l.outcomes.to_string()),
                group_thousands(&l.zone.to_string()),
                l.nash.as_ref().map_or("none: the zone is empty".into(), |p| {
                    p.terms.iter().map(|t| format!("{}: {}", t.issue, t.option)).collect::<Vec<_>>().join("; ")
                }),
            ]
        })
        .collect();
    h.table("", &["lever", "packages on the table", "in the zone", "Nash package"], &rows);
    h.end_section();
}

pub(super) fn talks(h: &mut Html, d: &ReportData) {
    h.section("talks", "How talks go", d.talks.is_some());
    let Some(t) = &d.talks else {
        h.p("No negotiation to show: on the central path no month within the horizon has a zone of possible agreement (talks are held only when one exists), or some party's red lines exclude every package.");
        h.end_section();
        return;
    };
    h.p(&t.context);
    h.p(&format!(
        "Protocol: {}. Parties: {}. Deadline {} rounds.",
        t.protocol,
        t.parties.iter().zip(&t.strategies).map(|(p, s)| format!("{p} ({s})")).collect::<Vec<_>>().join(", "),
        t.deadline
    ));
    let round_label = |x: f64| format!("{x:.0}");
    let mut lines: Vec<Line> = Vec::new();
    for (k, name) in t.parties.iter().enumerate() {
        let (stroke, marker) = series_style(k);
        let color = stroke.color;
        lines.push(Line {
            label: format!("{name}: utility of the package on the table"),
            points: t.rounds.iter().map(|r| (f64::from(r.round), r.table[k].unwrap_or(f64::NAN))).collect(),
            band: None,
            style: Some((Stroke::solid(color, 2.0), Some(marker))),
        });
        lines.push(Line {
            label: format!("{name}: demand (least it accepts)"),
            points: t.rounds.iter().map(|r| (f64::from(r.round), r.demands[k].unwrap_or(f64::NAN))).collect(),
            band: None,
            style: Some((Stroke::dashed(color, 1.5, DASHES[1 + k % (DASHES.len() - 1)]), None)),
        });
    }
    let references: Vec<Reference> = t
        .parties
        .iter()
        .zip(&t.reservation)
        .enumerate()
        .map(|(k, (name, &r))| Reference {
            y: r,
            label: format!("{name}: reservation {r:.3}"),
            stroke: Stroke::dashed(COLORS[k % COLORS.len()], 1.0, "1.5 2.5"),
        })
        .collect();
    let chart = LineChart {
        labels: Labels {
            id: "talks-trace",
            title: "The package on the table and each party's demand, round by round",
            description: &format!("Negotiation trace: {}; {}.", t.protocol, t.ending),
            x: "round",
            y: "utility (0–1)",
        },
        lines,
        references,
        y_range: None,
        x_ticks: None,
        x_label: &round_label,
        direct_labels: false,
        markers: t.rounds.len() <= 30,
        width: 720.0,
        y_names: Vec::new(),
    };
    h.figure(
        &chart.render(),
        &format!(
            "Solid lines: each party's utility of the package on the table (the standing text, or the latest offer) at the end of each round ({}). Dashed lines: each party's demand, the least it would accept that round; a party accepts once its demand falls to the solid line. Dotted lines: the reservation values that month. Outcome: {}.",
            if t.tabled == 1 { "one package was tabled".to_string() } else { format!("{} packages were tabled", t.tabled) },
            t.ending
        ),
    );
    if let Some(a) = &t.agreement {
        h.h3("The agreed package");
        package_table(h, "", &d.deals.actors, &[("agreed", a)]);
    }
    h.end_section();
}

fn fan_chart(id: &str, fan: &Fan, months: &[String], zero: bool) -> String {
    let label = |x: f64| months.get(x.round() as usize).cloned().unwrap_or_default();
    let points: Vec<FanPoint> = fan
        .values
        .iter()
        .enumerate()
        .map(|(k, q)| FanPoint { x: k as f64, q: q.map(|v| v.unwrap_or(f64::NAN)) })
        .collect();
    let n = months.len().saturating_sub(1).max(1) as f64;
    let step = if n > 12.0 { 6.0 } else { 3.0 };
    let chart = FanChart {
        labels: Labels {
            id,
            title: &fan.title,
            description: &format!("{} by month: median and the 50% and 90% ranges of the runs.", fan.title),
            x: "month",
            y: &fan.unit,
        },
        points,
        references: if zero {
            vec![Reference { y: 0.0, label: "accepts at 0".into(), stroke: Stroke::dashed("#000", 1.0, "4 3") }]
        } else {
            Vec::new()
        },
        x_label: &label,
        x_ticks: Some(Ticks::fixed(0.0, (n / step).ceil() * step, step)),
        y_floor: if zero { Some(-0.3) } else { None },
    };
    chart.render()
}

pub(super) fn war(h: &mut Html, d: &ReportData) {
    h.section("war", "The war beside the talks", d.war.is_some());
    let Some(w) = &d.war else {
        h.p("The scenario has no war model ([conflict] section), so its alternatives to a deal do not move.");
        h.end_section();
        return;
    };
    h.p(&format!(
        "Month by month from the scenario date, in {} runs of the {} arm: each run draws the uncertain assumptions and the war's shocks from its own random stream. The band shows where the middle half and nine tenths of the runs lie; a run that has settled stops fighting, so its losses fall to zero and its front freezes.",
        group_thousands(&w.runs.to_string()),
        w.arm
    ));
    if let Some(error) = w.quantile_error {
        h.p(&format!(
            "With this many runs the bands are read from a quantile sketch kept in bounded memory: each is within {}% of the exact value (relative), or within one millionth near zero.",
            error * 100.0
        ));
    }
    h.raw("<div class=\"grid\">\n");
    let mut k = 0;
    let mut fig = |h: &mut Html, fan: &Fan, zero: bool, caption: &str| {
        h.figure(&fan_chart(&format!("fan-{k}"), fan, &w.months, zero), caption);
        k += 1;
    };
    fig(h, &w.held, false, "The front line, as the area the holder controls.");
    for (i, f) in w.losses.iter().enumerate() {
        fig(h, f, false, &format!("{}'s losses per month (killed and wounded).", w.sides[i]));
    }
    for (i, f) in w.batna.iter().enumerate() {
        fig(
            h,
            f,
            false,
            &format!(
                "{}'s alternative to a deal: the value it expects from fighting on, which is its reservation value at the table.",
                w.sides[i]
            ),
        );
    }
    for (name, f) in w.parties.iter().zip(&w.margins) {
        fig(
            h,
            f,
            true,
            &format!(
                "{name}'s acceptance margin: its utility of the month's best package (in a ceasefire, of the agreed terms) minus its reservation value (net of an anticipated breakdown, when the parties anticipate one); it accepts at or above zero. Values below −0.3 are drawn at −0.3."
            ),
        );
    }
    h.raw("</div>\n");
    h.h3("Month by month: acceptance margins and the zone of agreement");
    let mut header: Vec<String> =
        vec!["month".into(), "zone open while fighting".into(), "in a ceasefire or settled".into()];
    header.extend(w.parties.iter().map(|p| format!("median margin, {p}")));
    let rows: Vec<Vec<String>> = (1..w.months.len())
        .map(|k| {
            let mut row = vec![w.months[k].clone(), pct(w.zone_open[k - 1]), pct(w.at_peace[k - 1])];
            row.extend(w.margins.iter().map(|f| f.values[k][2].map_or("–".into(), |m| format!("{m:+.3}"))));
            row
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    h.table("", &header, &rows);
    h.end_section();
}

pub(super) fn settlement(h: &mut Html, d: &ReportData) {
    h.section("settlement", "When a deal becomes possible", d.settlement.is_some());
    let Some(s) = &d.settlement else {
        h.p("No experiment was run, so there are no probabilities of settlement.");
        h.end_section();
        return;
    };
    let label = |x: f64| match x.round() as usize {
        0 => s.start.clone(),
        k => s.months.get(k - 1).cloned().unwrap_or_default(),
    };
    let lines: Vec<Line> = s
        .arms
        .iter()
        .enumerate()
        .map(|(k, a)| Line {
            label: short(&a.name, 30),
            points: a.settled.iter().enumerate().map(|(m, v)| ((m + 1) as f64, 100.0 * v[0])).collect(),
            band: (k == 0).then(|| {
                a.settled.iter().enumerate().map(|(m, v)| ((m + 1) as f64, 100.0 * v[1], 100.0 * v[2])).collect()
            }),
            style: None,
        })
        .collect();
    let n = s.months.len() as f64;
    let step = if n > 12.0 { 3.0 } else { 1.0 };
    let chart = LineChart {
        labels: Labels {
            id: "settlement-by-month",
            title: "Probability of a settlement by each month, per lever",
            description: "For the baseline and each lever: the share of runs in which an agreement has been reached by each month, with the baseline's 95% interval.",
            x: "month",
            y: "runs with an agreement by then (%)",
        },
        lines,
        references: Vec::new(),
        y_range: Some((0.0, 100.0)),
        x_ticks: Some(Ticks::fixed(0.0, (n / step).ceil() * step, step)),
        x_label: &label,
        direct_labels: true,
        markers: true,
        width: 720.0,
        y_names: Vec::new(),
    };
    h.figure(
        &chart.render(),
        &format!(
            "Each line is one arm of the experiment ({} runs each), all on the same random draws (common random numbers), so their differences are the levers'. The shaded band is the baseline's 95% Wilson interval.",
            group_thousands(&s.runs.to_string())
        ),
    );
    h.p("An agreement is not the end: each month of a ceasefire or settlement it may break down and the war resume. The monthly hazard is a base rate times the factors of the agreed terms (guarantees and forces on the ground lower it), and it rises as the sides rebuild unequally during the ceasefire: it is multiplied by exp(rebuild sensitivity × how far the force ratio has moved since the deal). When the parties anticipate this (a horizon of anticipation in months), each values a package net of its chance of breaking down within that horizon and of the war it would restart from the rebuilt position, so guarantees decide whether a deal is acceptable at all, not only how long it lasts.");
    let at = |v: &[[f64; 3]], m: usize| v.get(m.min(v.len()).saturating_sub(1)).map_or("–".into(), pct_ci);
    let horizon = s.months.len();
    let rows: Vec<Vec<String>> = s
        .arms
        .iter()
        .map(|a| {
            vec![
                a.name.clone(),
                at(&a.settled, 6),
                at(&a.settled, 12),
                at(&a.settled, horizon),
                pct_ci(&a.holding),
                a.median_month.map_or("–".into(), |m| format!("{m:.0}")),
            ]
        })
        .collect();
    let h6 = "settled by month 6";
    let h12 = "by month 12";
    let hh = format!("by month {horizon}");
    h.table("", &["arm", h6, h12, &hh, "holding at the horizon", "median month of agreement"], &rows);
    // What happened on the way: the mechanisms that change a run's course.
    if s.arms.iter().any(|a| a.framework_refused > 0.0) {
        h.p("In some arms talks are held over a side's head: the mediator agrees a framework with the other parties and puts it to the absent side, which accepts it only if it is worth at least as much as fighting on with the aid its refusal would cost (the donors that press it withhold their deliveries for some months). A refusal is therefore rational by construction; what the model measures is how often it happens and what the withheld aid then does to the war and to the next round.");
    }
    let rows: Vec<Vec<String>> = s
        .arms
        .iter()
        .map(|a| {
            let mut row = vec![a.name.clone()];
            row.extend(
                a.mobilised
                    .iter()
                    .chain(&a.capitulation)
                    .chain([&a.mediator_left, &a.framework_refused])
                    .map(|&p| pct(p)),
            );
            row
        })
        .collect();
    let [x, y] = &s.sides;
    let head = [
        format!("{x} mobilised"),
        format!("{y} mobilised"),
        format!("{x} broke"),
        format!("{y} broke"),
        "the mediator walked away".to_string(),
        "a side refused a framework agreed without it".to_string(),
    ];
    let mut columns = vec!["arm"];
    columns.extend(head.iter().map(String::as_str));
    h.table(
        "Share of runs in which, within the horizon, a side chose a wider mobilisation, a side broke, the mediator walked away, or a side refused a framework the others had agreed over its head",
        &columns,
        &rows,
    );
    if !s.differences.is_empty() {
        let name = |arm: &str| s.arms.iter().find(|a| a.arm == arm).map_or(arm.to_string(), |a| a.name.clone());
        let rows: Vec<Vec<String>> = s
            .differences
            .iter()
            .map(|x| {
                vec![
                    name(&x.arm),
                    points_ci(&x.settled_within_12),
                    points_ci(&x.holding),
                    format!("{:+.0} [{:+.0}, {:+.0}]", x.held[0], x.held[1], x.held[2]),
                ]
            })
            .collect();
        h.table(
            "Each lever against the baseline, paired by run (95% intervals)",
            &["lever", "Δ settled within 12 months", "Δ holding at the horizon", "Δ area held at the horizon, km²"],
            &rows,
        );
    }
    h.h3("The agreed terms");
    if s.agreements == 0 {
        h.p("No run of the baseline reached an agreement, so there are no agreed terms to show.");
    } else {
        let groups: Vec<ShareGroup> =
            s.terms.iter().map(|t| ShareGroup { name: t.issue.clone(), bars: t.options.clone() }).collect();
        h.figure(
            &share_chart(
                "agreed-terms",
                "Which option each first agreement settles on",
                &format!(
                    "For each issue, the share of the {} first agreements of the baseline arm with each option.",
                    s.agreements
                ),
                &groups,
            ),
            &format!("Shares among the {} baseline runs that reached an agreement (of {}).", s.agreements, s.runs),
        );
        let bins: Vec<(String, u64)> = s.months.iter().cloned().zip(s.timing.iter().copied()).collect();
        h.figure(
            &histogram(
                "agreement-timing",
                "When the first agreement comes",
                "Baseline runs whose first agreement came in each month.",
                ("month of the first agreement", "runs", "runs whose first agreement came that month"),
                &bins,
            ),
            "Baseline runs by the month of their first agreement; runs without one are not counted.",
        );
    }
    h.end_section();
}

pub(super) fn sensitivity(h: &mut Html, d: &ReportData) {
    h.section("sensitivity", "What matters most", d.sensitivity.is_some());
    let Some(s) = &d.sensitivity else {
        h.p("The scenario has no uncertain parameters ([[uncertain]]), so there is no sensitivity study.");
        h.end_section();
        return;
    };
    h.p(&format!(
        "On the central path (no random shocks), each uncertain assumption is moved alone to the 5th and to the 95th percentile of its range while the others keep their point values (the tornado bars); the Sobol indices apportion the variance of the result over the joint ranges ({} base samples): the first-order index is the share an assumption explains alone, the total index the share it explains at all, interactions included.",
        s.samples
    ));
    for (k, m) in s.measures.iter().enumerate() {
        h.h3(&m.title);
        let rows: Vec<TornadoRow> =
            m.drivers.iter().map(|x| TornadoRow { name: x.path.clone(), low: x.low, high: x.high }).collect();
        let chart = TornadoChart {
            id: &format!("tornado-{k}"),
            title: &format!("{}: one assumption at a time", m.title),
            description: &format!(
                "Tornado chart of {}: for each assumption, the result at its 5th and 95th percentile.",
                m.title
            ),
            axis: &m.unit,
            baseline: m.baseline,
            rows,
            low_label: "5th percentile",
            high_label: "95th percentile",
        };
        h.figure(&chart.render(), "Bars start at the result with every assumption at its point value; the light bar is the assumption at its 5th percentile, the dark bar at its 95th. Widest swing first.");
        let rows: Vec<Vec<String>> = m
            .drivers
            .iter()
            .map(|x| vec![x.path.clone(), number(x.low), number(x.high), index_ci(&x.first), index_ci(&x.total)])
            .collect();
        h.table(
            "",
            &["assumption", "at 5th percentile", "at 95th percentile", "Sobol first-order [95%]", "Sobol total [95%]"],
            &rows,
        );
    }
    h.h3("The uncertain assumptions");
    let rows: Vec<Vec<String>> = s
        .parameters
        .iter()
        .map(|p| {
            vec![p.path.clone(), p.distribution.clone(), number(p.point), number(p.p5), number(p.p95), p.source.clone()]
        })
        .collect();
    h.table("", &["assumption", "range", "point value", "5th percentile", "95th percentile", "source"], &rows);
    h.end_section();
}

pub(super) fn checks(h: &mut Html, d: &ReportData) {
    let c = &d.checks;
    h.section("checks", "Does the model match its sources?", false);
    h.p(&format!(
        "Each claim the sources make about the conflict, written as a check on the model: {} of {} hold. A claim that fails is a finding about the model or about the claim, not an error of the run.",
        c.passed,
        c.rows.len()
    ));
    let rows: Vec<Vec<String>> = c
        .rows
        .iter()
        .map(|r| {
            let numbers: Vec<String> =
                r.numbers.iter().map(|(k, v)| format!("{k} = {}", v.map_or("–".into(), number))).collect();
            let mut source = r.source.clone();
            if !r.disputed_by.is_empty() {
                source.push_str(&format!("; disputed by {}", r.disputed_by.join("; ")));
            }
            vec![
                match (&r.contradicted, r.passed) {
                    (_, true) => "✓ holds".into(),
                    (Some(why), false) => format!("✗ fails: the model contradicts it, as recorded ({why})"),
                    (None, false) => "✗ fails".into(),
                },
                r.claim.clone(),
                source,
                if r.levers.is_empty() { r.kind.clone() } else { format!("{} with {}", r.kind, r.levers.join(", ")) },
                r.explanation.clone(),
                numbers.join(", "),
                super::audit::cell(r),
            ]
        })
        .collect();
    let classes: Vec<&str> = c.rows.iter().map(|r| if r.passed { "" } else { "fail" }).collect();
    h.table_with("", &["verdict", "claim", "source", "check", "in the model", "numbers", "audit"], &rows, &classes);
    super::audit::audit(h, d);
    h.end_section();
}

pub(super) fn provenance(h: &mut Html, d: &ReportData) {
    let p = &d.provenance;
    let m = &d.meta;
    h.section("provenance", "Provenance", false);
    h.p(&format!(
        "This report was made by parley {} from scenario {} ({}, hash {}) with master seed {}: {} replicates over {} months. Run `{}` to reproduce it; the same scenario, seed and version give the same numbers on any number of threads.",
        m.parley_version, m.scenario, m.scenario_file, m.scenario_hash, m.seed, m.runs, m.months, m.command
    ));
    h.h3("Sources");
    let rows: Vec<Vec<String>> = d
        .glance
        .sources
        .iter()
        .map(|s| vec![s.id.clone(), s.title.clone(), s.outlet.clone(), s.date.clone()])
        .collect();
    h.table("", &["id", "title", "outlet", "date"], &rows);
    h.h3("Every number and where it comes from");
    h.p(&format!(
        "{} numbers: {} cite a source as id#paragraph, {} are assumptions with the reason for them, {} were tuned so that a claim or a target holds, {} have none of these.",
        p.numbers.len(),
        p.cited,
        p.assumed,
        p.tuned,
        p.unstated
    ));
    let rows: Vec<Vec<String>> =
        p.numbers.iter().map(|n| vec![n.path.clone(), number(n.value), n.source.clone()]).collect();
    h.table("", &["number", "value", "source or assumption"], &rows);
    h.end_section();
}
