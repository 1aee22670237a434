// chapter-files: chapters/ch01-data-repair/KoAlpaca.swift chapters/ch01-data-repair/DataRepair.swift chapters/ch01-data-repair/GrammarRecords.swift chapters/ch01-data-repair/Hangul.swift chapters/ch01-data-repair/Repair.swift
//
// Chapter 01 on a ko_alpaca_data.json of arbitrary bytes: the file is read and checked (Validation.load), then every
// accepted record goes through the keyword search, the classification and the repairs (DataRepairResult), exactly
// as the chapter does. Properties: a thrown error names the file; otherwise every record is accepted or rejected
// (never lost), a repair changes only the sentence and never the answer, and the repaired set keeps the file order.
import Repro
import Tensor

func fuzzOne(_ bytes: [UInt8]) {
    let path = scratchFile("ko_alpaca_data.json", bytes)
    let data: ValidatedData
    do {
        data = try Validation.load(path: path)
    } catch {
        expectNamesFile(error, path)
        return
    }
    if data.records.count + data.rejects.count != data.totalRecords { violated("records lost: \(data.totalRecords) read") }
    let result = DataRepairResult(data)
    if result.repaired.map(\.index) != data.records.map(\.index) { violated("the repaired set changed the record order") }
    for outcome in result.repairs {
        if outcome.after.output != outcome.before.output { violated("record \(outcome.index): a repair changed the answer") }
        if outcome.edit == nil && outcome.after != outcome.before { violated("record \(outcome.index): changed without an edit") }
    }
}
