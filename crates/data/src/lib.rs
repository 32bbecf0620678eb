//! Columnar output of **parley** experiments: the replicates and months tables as Arrow
//! record batches, encoded as Parquet (Snappy-compressed) for pandas, polars, R's arrow,
//! DuckDB and Spark.
//!
//! The tables have the same columns as the CSV files `parley experiment` writes; the file's
//! key-value metadata carries the parley version, the scenario id and hash, the seed, the
//! number of replicates and months. The crate writes to whatever writer it is given
//! (memory, or a file the caller renames into place) and opens no files itself; a table can
//! be written batch by batch ([`ParquetSink`]) in bounded memory. Encoding is
//! deterministic: the same replicates give the same bytes.
//!
//! Arrow and Parquet are heavy dependencies, so they live in this crate alone.

#![deny(missing_docs)]

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Builder, StringBuilder, UInt32Array, UInt32Builder, UInt64Builder};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use parley_core::Scenario;
use parley_experiment::records::terms_text;
use parley_experiment::{Design, Replicate};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

/// Why a table cannot be encoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// Arrow refused the columns.
    #[error("cannot build the table: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// Parquet refused the table.
    #[error("cannot encode Parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// The replicates do not have the columns the table was asked for (a bug).
    #[error("the replicates do not fit the table: {0}; please report this")]
    Shape(String),
}

/// What every file records about the experiment that produced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// parley's version.
    pub parley_version: String,
    /// The scenario's id.
    pub scenario: String,
    /// The scenario's hash.
    pub scenario_hash: String,
    /// The master seed.
    pub seed: u64,
    /// Replicates.
    pub runs: u64,
    /// Months simulated.
    pub months: u32,
}

/// The replicates table: one row per replicate and arm.
pub fn replicates_batch(
    replicates: &[Replicate],
    design: &Design,
    scenarios: &[&Scenario],
    parameters: &[String],
    sides: &[String; 2],
) -> Result<RecordBatch, DataError> {
    let mut fields = vec![Field::new("replicate", DataType::UInt64, false), Field::new("arm", DataType::Utf8, false)];
    let mut columns: Vec<ArrayRef> = Vec::new();
    let mut index = UInt64Builder::new();
    let mut arm = StringBuilder::new();
    for r in replicates {
        index.append_value(r.index);
        arm.append_value(&design.arms[r.arm].name);
    }
    columns.push(Arc::new(index.finish()));
    columns.push(Arc::new(arm.finish()));
    for (k, path) in parameters.iter().enumerate() {
        fields.push(Field::new(format!("param:{path}"), DataType::Float64, false));
        let mut b = Float64Builder::new();
        for r in replicates {
            b.append_value(r.parameters[k]);
        }
        columns.push(Arc::new(b.finish()));
    }
    let mut outcome = StringBuilder::new();
    let mut agreed = UInt32Builder::new();
    let mut broke = UInt32Builder::new();
    let mut terms = StringBuilder::new();
    for r in replicates {
        outcome.append_value(r.outcome.name());
        agreed.append_option(r.agreed_month);
        broke.append_option(r.broke.map(|b| b as u32));
        terms.append_option(r.terms.as_ref().map(|t| terms_text(scenarios[r.arm], t)));
    }
    fields.extend([
        Field::new("outcome", DataType::Utf8, false),
        Field::new("agreed_month", DataType::UInt32, true),
        Field::new("broke", DataType::UInt32, true),
        Field::new("terms", DataType::Utf8, true),
    ]);
    columns.extend([
        Arc::new(outcome.finish()) as ArrayRef,
        Arc::new(agreed.finish()),
        Arc::new(broke.finish()),
        Arc::new(terms.finish()),
    ]);
    for (i, side) in sides.iter().enumerate() {
        fields.push(Field::new(format!("losses_{side}"), DataType::Float64, false));
        let mut b = Float64Builder::new();
        for r in replicates {
            b.append_value(r.losses[i]);
        }
        columns.push(Arc::new(b.finish()));
    }
    fields.push(Field::new("held_km2", DataType::Float64, false));
    let mut held = Float64Builder::new();
    for r in replicates {
        held.append_value(r.held);
    }
    columns.push(Arc::new(held.finish()));
    for (i, side) in sides.iter().enumerate() {
        fields.push(Field::new(format!("mobilised_{side}"), DataType::UInt32, true));
        columns.push(Arc::new(replicates.iter().map(|r| r.mobilised[i]).collect::<UInt32Array>()));
    }
    fields.push(Field::new("mediator_left", DataType::UInt32, true));
    columns.push(Arc::new(replicates.iter().map(|r| r.mediator_left).collect::<UInt32Array>()));
    fields.push(Field::new("framework_refused", DataType::UInt32, true));
    columns.push(Arc::new(replicates.iter().map(|r| r.framework_refused).collect::<UInt32Array>()));
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?)
}

/// The months table: one row per replicate, arm and month.
pub fn months_batch(
    replicates: &[Replicate],
    design: &Design,
    sides: &[String; 2],
    parties: &[String],
) -> Result<RecordBatch, DataError> {
    let rows: usize = replicates.iter().map(|r| r.months.len()).sum();
    let mut index = UInt64Builder::with_capacity(rows);
    let mut arm = StringBuilder::new();
    let mut month = UInt32Builder::with_capacity(rows);
    let mut phase = StringBuilder::new();
    let mut held = Float64Builder::with_capacity(rows);
    let mut losses = [Float64Builder::with_capacity(rows), Float64Builder::with_capacity(rows)];
    let mut batna = [Float64Builder::with_capacity(rows), Float64Builder::with_capacity(rows)];
    let mut margins: Vec<Float64Builder> = parties.iter().map(|_| Float64Builder::with_capacity(rows)).collect();
    for r in replicates {
        for (k, m) in r.months.iter().enumerate() {
            index.append_value(r.index);
            arm.append_value(&design.arms[r.arm].name);
            month.append_value(k as u32 + 1);
            phase.append_value(m.phase.name());
            held.append_value(m.held);
            for i in 0..2 {
                losses[i].append_value(m.losses[i]);
                batna[i].append_value(m.batna[i]);
            }
            if m.margins.len() != parties.len() {
                return Err(DataError::Shape(format!(
                    "replicate {} has {} margins for {} parties",
                    r.index,
                    m.margins.len(),
                    parties.len()
                )));
            }
            for (b, &x) in margins.iter_mut().zip(&m.margins) {
                b.append_value(x);
            }
        }
    }
    let mut fields = vec![
        Field::new("replicate", DataType::UInt64, false),
        Field::new("arm", DataType::Utf8, false),
        Field::new("month", DataType::UInt32, false),
        Field::new("phase", DataType::Utf8, false),
        Field::new("held_km2", DataType::Float64, false),
    ];
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(index.finish()),
        Arc::new(arm.finish()),
        Arc::new(month.finish()),
        Arc::new(phase.finish()),
        Arc::new(held.finish()),
    ];
    for (prefix, builders) in [("losses", &mut losses), ("batna", &mut batna)] {
        for (side, b) in sides.iter().zip(builders.iter_mut()) {
            fields.push(Field::new(format!("{prefix}_{side}"), DataType::Float64, false));
            columns.push(Arc::new(b.finish()));
        }
    }
    for (party, b) in parties.iter().zip(margins.iter_mut()) {
        fields.push(Field::new(format!("margin_{party}"), DataType::Float64, false));
        columns.push(Arc::new(b.finish()));
    }
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?)
}

/// Rows per Parquet row group: a writer holds at most one row group in memory, so this
/// bounds its memory whatever the number of replicates.
pub const ROW_GROUP: usize = 1 << 17;

/// A table written to Parquet batch by batch, with the stamp in its key-value metadata.
/// Row groups hold [`ROW_GROUP`] rows whatever the batches' sizes, so the bytes depend on
/// the rows alone, not on how they were cut into batches.
pub struct ParquetSink<W: std::io::Write + Send> {
    out: Option<W>,
    stamp: Stamp,
    writer: Option<ArrowWriter<W>>,
}

impl<W: std::io::Write + Send> ParquetSink<W> {
    /// A table to be written to `out`; its schema is the first batch's.
    pub fn new(out: W, stamp: &Stamp) -> ParquetSink<W> {
        ParquetSink { out: Some(out), stamp: stamp.clone(), writer: None }
    }

    /// Appends `batch`'s rows.
    ///
    /// # Errors
    ///
    /// If Parquet refuses the batch (for example, a schema other than the first batch's)
    /// or writing fails.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), DataError> {
        if self.writer.is_none() {
            let out = self.out.take().ok_or_else(|| DataError::Shape("the Parquet table is closed".into()))?;
            self.writer = Some(ArrowWriter::try_new(out, batch.schema(), Some(properties(&self.stamp)))?);
        }
        self.writer.as_mut().expect("opened above").write(batch)?;
        Ok(())
    }

    /// Writes the footer and hands the writer back.
    ///
    /// # Errors
    ///
    /// If no batch was written (a Parquet file needs a schema) or writing fails.
    pub fn finish(self) -> Result<W, DataError> {
        let writer = self.writer.ok_or_else(|| DataError::Shape("a Parquet table needs at least one batch".into()))?;
        Ok(writer.into_inner()?)
    }
}

fn properties(stamp: &Stamp) -> WriterProperties {
    let metadata = vec![
        KeyValue::new("parley_version".into(), stamp.parley_version.clone()),
        KeyValue::new("scenario".into(), stamp.scenario.clone()),
        KeyValue::new("scenario_hash".into(), stamp.scenario_hash.clone()),
        KeyValue::new("seed".into(), stamp.seed.to_string()),
        KeyValue::new("runs".into(), stamp.runs.to_string()),
        KeyValue::new("months".into(), stamp.months.to_string()),
    ];
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("parley {}", stamp.parley_version))
        .set_key_value_metadata(Some(metadata))
        .set_max_row_group_row_count(Some(ROW_GROUP))
        .build()
}

/// A table as a Parquet file, with the stamp in its key-value metadata ([`ParquetSink`]
/// into memory).
pub fn to_parquet(batch: &RecordBatch, stamp: &Stamp) -> Result<Vec<u8>, DataError> {
    let mut sink = ParquetSink::new(Vec::new(), stamp);
    sink.write(batch)?;
    sink.finish()
}

#[cfg(test)]
mod tests {
    use parley_experiment::Arm;
    use parley_experiment::run::{MonthRow, Outcome};
    use parley_sim::coupled::Phase;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    use super::*;

    fn replicate(index: u64) -> Replicate {
        Replicate {
            index,
            arm: 0,
            parameters: vec![0.5 + index as f64],
            outcome: if index == 0 { Outcome::NoSettlement } else { Outcome::Holding },
            agreed_month: (index > 0).then_some(3),
            terms: None,
            broke: None,
            losses: [100.0, 50.0],
            held: 1000.0 + index as f64,
            mobilised: [None, (index > 0).then_some(2)],
            mediator_left: (index == 0).then_some(1),
            framework_refused: (index > 0).then_some(1),
            months: vec![
                MonthRow {
                    phase: Phase::Fighting,
                    held: 1000.0,
                    losses: [10.0, 5.0],
                    batna: [0.8, 0.5],
                    margins: vec![-0.01, 0.02, 0.3],
                };
                2
            ],
        }
    }

    fn design() -> Design {
        Design {
            runs: 2,
            months: 2,
            seed: 7,
            arms: vec![Arm::new(vec![])],
            start: parley_experiment::run::Start::Prior,
        }
    }

    fn empty_scenario() -> Scenario {
        Scenario {
            metadata: Default::default(),
            sources: vec![],
            actors: vec![],
            issues: vec![],
            preferences: vec![],
            levers: vec![],
            expectations: vec![],
            conflict: None,
            uncertain: vec![],
        }
    }

    fn stamp() -> Stamp {
        Stamp {
            parley_version: "0.1.0".into(),
            scenario: "s".into(),
            scenario_hash: "fnv1a64:0".into(),
            seed: 7,
            runs: 2,
            months: 2,
        }
    }

    #[test]
    fn test_a_table_written_in_pieces_is_the_table_written_whole() {
        let design = design();
        let reps: Vec<Replicate> = (0..5000).map(replicate).collect();
        let sides = ["rus".to_string(), "ukr".to_string()];
        let scenario = empty_scenario();
        let batch =
            |r: &[Replicate]| replicates_batch(r, &design, &[&scenario], &["conflict.x".into()], &sides).unwrap();
        let whole = to_parquet(&batch(&reps), &stamp()).unwrap();
        for cuts in [vec![1000, 2000, 3000, 4000], vec![1, 777, 4999], vec![2500]] {
            let mut sink = ParquetSink::new(Vec::new(), &stamp());
            let mut from = 0;
            for to in cuts.iter().copied().chain([reps.len()]) {
                sink.write(&batch(&reps[from..to])).unwrap();
                from = to;
            }
            assert_eq!(sink.finish().unwrap(), whole, "cut at {cuts:?}");
        }
        let e = ParquetSink::new(Vec::new(), &stamp()).finish().unwrap_err();
        assert!(e.to_string().contains("at least one batch"), "{e}");
    }

    #[test]
    fn test_tables_round_trip_through_parquet_with_their_stamp() {
        let design = design();
        let reps = [replicate(0), replicate(1)];
        let sides = ["rus".to_string(), "ukr".to_string()];
        let scenario = empty_scenario();
        let batch = replicates_batch(&reps, &design, &[&scenario], &["conflict.x".into()], &sides).unwrap();
        let stamp = stamp();
        let bytes = to_parquet(&batch, &stamp).unwrap();
        assert_eq!(bytes, to_parquet(&batch, &stamp).unwrap(), "deterministic");
        let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes)).unwrap();
        let kv = reader.metadata().file_metadata().key_value_metadata().unwrap().clone();
        assert!(kv.iter().any(|k| k.key == "seed" && k.value.as_deref() == Some("7")));
        let read: Vec<RecordBatch> = reader.build().unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(read[0], batch);
        let parties = ["rus".to_string(), "ukr".to_string(), "usa".to_string()];
        let months = months_batch(&reps, &design, &sides, &parties).unwrap();
        assert_eq!(months.num_rows(), 4);
        assert_eq!(months.schema().field(7).name(), "batna_rus");
        assert_eq!(months.schema().field(11).name(), "margin_usa");
        assert!(months_batch(&reps, &design, &sides, &parties[..2]).is_err(), "margins must match the parties");
    }

    #[test]
    fn test_csv_and_parquet_tables_have_the_same_columns() {
        let design = design();
        let reps = [replicate(0), replicate(1)];
        let scenario = empty_scenario();
        let sides = ["rus".to_string(), "ukr".to_string()];
        let parties = ["rus".to_string(), "ukr".to_string(), "usa".to_string()];
        let parameters = ["conflict.x".to_string()];
        let columns = parley_experiment::records::Columns { parameters: &parameters, sides: &sides, parties: &parties };
        let (csv_reps, csv_months) =
            parley_experiment::records::write_tables(Some("# stamp"), columns, &reps, &design, &[&scenario]).unwrap();
        let header = |bytes: &[u8]| -> Vec<String> {
            let text = String::from_utf8(bytes.to_vec()).unwrap();
            text.lines().nth(1).unwrap().split(',').map(String::from).collect()
        };
        let names =
            |batch: &RecordBatch| -> Vec<String> { batch.schema().fields().iter().map(|f| f.name().clone()).collect() };
        let parquet_reps = replicates_batch(&reps, &design, &[&scenario], &parameters, &sides).unwrap();
        let parquet_months = months_batch(&reps, &design, &sides, &parties).unwrap();
        assert_eq!(header(&csv_reps), names(&parquet_reps));
        assert_eq!(header(&csv_months), names(&parquet_months));
    }
}
