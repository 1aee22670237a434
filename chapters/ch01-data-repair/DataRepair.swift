// The chapter's data flow in one value: validated records → keyword hits → classes → repairs → the repaired set.
// main.swift narrates it; the tests run it on small hand-written files.
import Repro
import Plumbing

struct CandidateRow {
    var hit: KeywordHit
    var classification: Classification
}

struct DataRepairResult {
    var data: ValidatedData
    var candidates: [CandidateRow]
    var repairs: [RepairOutcome]            // one per class-(a) record, including those no rule could repair
    var repaired: [IndexedRecord]           // every accepted record, in file order, with repairs applied

    init(_ data: ValidatedData) {
        self.data = data
        candidates = data.records.compactMap { item in
            GrammarRecords.hit(item).map { CandidateRow(hit: $0, classification: GrammarRecords.classify(item.record)) }
        }
        var byIndex: [Int: IndexedRecord] = [:]
        for item in data.records { byIndex[item.index] = item }
        repairs = candidates.filter { $0.classification.grammarClass == .alreadyCorrect }.compactMap { row in
            byIndex[row.hit.index].map { Repair.repair($0, classification: row.classification) }
        }
        var fixed: [Int: InstructionRecord] = [:]
        for outcome in repairs where outcome.edit != nil { fixed[outcome.index] = outcome.after }
        repaired = data.records.map { IndexedRecord(index: $0.index, record: fixed[$0.index] ?? $0.record) }
    }

    var repairedCount: Int { repairs.filter { $0.edit != nil }.count }

    func count(_ grammarClass: GrammarClass) -> Int {
        candidates.filter { $0.classification.grammarClass == grammarClass }.count
    }

    /// Records containing `keyword` in `field` (a record counts once per field however often the word occurs).
    func hits(_ keyword: GrammarKeyword, in field: RecordField) -> Int {
        candidates.filter { row in row.hit.matches.contains { $0.keyword == keyword && $0.field == field } }.count
    }

    /// Records containing `keyword` in any field.
    func hits(_ keyword: GrammarKeyword) -> Int {
        candidates.filter { row in row.hit.matches.contains { $0.keyword == keyword } }.count
    }

    func repairs(by rule: RepairRule) -> Int { repairs.filter { $0.edit?.rule == rule }.count }
}
