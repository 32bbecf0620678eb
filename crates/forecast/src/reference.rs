//! Reference data the model is checked against.

use crate::model::{Actor, Dataset};

/// The emission-standards example of Bueno de Mesquita (1994): ten member states of the
/// European Community, positions in years until a vehicle-emission standard takes effect,
/// capabilities and saliences as printed there (shipped as
/// `data/emission_standards_bdm1994.csv`). Scholz, Calbert & Smith (2011) publish the
/// model's medians and means on it (their Table 2).
pub fn emission_standards() -> Dataset {
    let actors = [
        ("Netherlands", 0.08, 4.0, 0.8),
        ("Belgium", 0.08, 7.0, 0.4),
        ("Luxembourg", 0.03, 4.0, 0.2),
        ("Germany", 0.16, 4.0, 0.8),
        ("France", 0.16, 10.0, 0.6),
        ("Italy", 0.16, 10.0, 0.6),
        ("UK", 0.16, 10.0, 0.9),
        ("Ireland", 0.05, 7.0, 0.1),
        ("Denmark", 0.05, 4.0, 1.0),
        ("Greece", 0.08, 7.0, 0.7),
    ]
    .map(|(name, capability, position, salience)| Actor::new(name, capability, position, salience));
    Dataset::new(actors.to_vec()).expect("the reference data are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_emission_standards_is_the_shipped_csv() {
        let text = include_str!("../../../data/emission_standards_bdm1994.csv");
        let d = emission_standards();
        for (row, actor) in text.lines().skip(1).zip(d.actors()) {
            let f: Vec<&str> = row.split(',').collect();
            assert_eq!(f[0], actor.name);
            let expected: Vec<f64> = f[1..].iter().map(|x| x.parse().unwrap()).collect();
            approx::assert_relative_eq!(expected[0], actor.capability);
            approx::assert_relative_eq!(expected[1], actor.position);
            approx::assert_relative_eq!(expected[2], actor.salience);
        }
        assert_eq!(d.actors().len(), text.lines().count() - 1);
    }
}
