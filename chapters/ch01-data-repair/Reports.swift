// What the chapter writes, built from a `DataRepairResult`: the JSON Lines rows, the tables, repairs.md and the
// length statistics. main.swift tells the story and calls these.
import Repro
import Tensor
import Plumbing
import Book

enum Reports {
    // MARK: JSON Lines rows

    static func candidateJSON(_ row: CandidateRow) -> JSON {
        var fields = JSONObject()
        for keyword in row.hit.keywords {
            fields[keyword.rawValue] = .array(row.hit.matches.filter { $0.keyword == keyword }.map { .string($0.field.rawValue) })
        }
        let c = row.classification
        return .object(JSONObject([
            ("index", .number(Double(row.hit.index))),
            ("keywords", .array(row.hit.keywords.map { .string($0.rawValue) })),
            ("fields", .object(fields)),
            ("class", .string(c.grammarClass.rawValue)),
            ("action", .string(c.grammarClass.action)),
            ("reason", .string(c.reason)),
            ("sentence_in", c.source.map { .string($0.name) } ?? .null),
        ]))
    }

    static func rejectJSON(_ reject: Reject) -> JSON {
        .object(JSONObject([("index", .number(Double(reject.index))), ("reason", .string(reject.reason))]))
    }

    // MARK: Tables

    static func keywordTable(_ result: DataRepairResult) -> Table {
        var table = Table(title: "Records containing each keyword, by field (a record counts once per field)",
                          columns: ["keyword", "instruction", "input", "output", "any field"])
        for keyword in GrammarKeyword.allCases {
            table.add(["\(keyword.rawValue) (\(keyword))"] + RecordField.allCases.map { "\(result.hits(keyword, in: $0))" }
                      + ["\(result.hits(keyword))"])
        }
        let anyKeyword = RecordField.allCases.map { field in
            result.candidates.filter { row in row.hit.matches.contains { $0.field == field } }.count
        }
        table.add(["any of the three"] + anyKeyword.map { "\($0)" } + ["\(result.candidates.count)"])
        return table
    }

    static let classMeaning: [GrammarClass: String] = [
        .alreadyCorrect: "correction task whose sentence is already correct",
        .detection: "asks whether there is an error, or to find it",
        .unrelated: "the word in another sense, or only in the text",
        .rewritten: "correction task whose answer really rewrites",
    ]

    static func classTable(_ result: DataRepairResult) -> Table {
        var table = Table(title: "The keyword hits by class", columns: ["class", "meaning", "records", "action"])
        for c in GrammarClass.allCases {
            table.add([c.rawValue, classMeaning[c] ?? "", "\(result.count(c))", c.action])
        }
        return table
    }

    static func candidateTable(_ result: DataRepairResult, limit: Int) -> Table {
        var table = Table(title: "Every keyword hit, classified" + (result.candidates.count > limit ? " (first \(limit); all in candidates.jsonl)" : ""),
                          columns: ["record", "keywords (fields)", "class", "reason"])
        for row in result.candidates.prefix(limit) {
            table.add(["\(row.hit.index)", row.hit.label, row.classification.grammarClass.rawValue, row.classification.reason])
        }
        return table
    }

    static func ruleTable(_ result: DataRepairResult) -> Table {
        var table = Table(title: "Repairs by rule", columns: ["rule", "records"])
        for rule in RepairRule.allCases { table.add([rule.rawValue, "\(result.repairs(by: rule))"]) }
        table.add(["no applicable rule (left unchanged)", "\(result.repairs.count - result.repairedCount)"])
        return table
    }

    /// The whole run in one table, beside the paper's numbers where it gives them.
    static func summaryTable(_ result: DataRepairResult) -> Table {
        let d = result.data
        var table = Table(title: "KoAlpaca v1.0: this run beside the paper", columns: ["quantity", "this run", "paper"])
        table.add(["records in the file", Format.count(d.totalRecords), Format.count(Paper.koalpacaRecords)])
        table.add(["rejected (bad records, excluded)", Format.count(d.rejects.count), "—"])
        table.add(["records kept", Format.count(d.records.count), "—"])
        table.add(["duplicate (instruction, input) groups", Format.count(d.duplicates.groups.count), "—"])
        table.add(["extra copies in those groups (kept)", Format.count(d.duplicates.extraCopies), "—"])
        table.add(["groups whose outputs differ", Format.count(d.duplicates.groupsWithDifferentOutputs), "—"])
        table.add(["records with a CR character (kept)", Format.count(d.recordsWithCarriageReturn), "—"])
        table.add(["records with 오류, 교정 or 문법 in any field", Format.count(result.candidates.count), "—"])
        for c in GrammarClass.allCases { table.add(["class \(c.rawValue)", Format.count(result.count(c)), "—"]) }
        table.add(["records repaired", Format.count(result.repairedCount), Format.count(Paper.repairedRecords)])
        table.add(["class (a) with no applicable rule", Format.count(result.repairs.count - result.repairedCount), "—"])
        return table
    }

    /// When only part of the file is present, say what the comparison with the paper can and cannot mean: the share
    /// of records our rule repairs, scaled to the whole file, with a 95% Wilson interval on that share (the file's
    /// prefix is not a random sample, so even the interval is a guide, not a guarantee).
    static func subsetNote(_ result: DataRepairResult, isPartialCopy: Bool) -> String? {
        let n = result.data.totalRecords
        guard isPartialCopy || n < Paper.koalpacaRecords else { return nil }
        let share = Double(n) / Double(Paper.koalpacaRecords)
        let (low, high) = NSMC.wilsonInterval(successes: result.repairedCount, trials: n)
        func scaled(_ rate: Double) -> String { Format.count(Int((rate * Double(Paper.koalpacaRecords)).rounded())) }
        return """
        Only \(Format.count(n)) of the \(Format.count(Paper.koalpacaRecords)) records (\(Format.percent(share))) are present, so the \
        paper's \(Paper.repairedRecords) repairs are out of the whole file and ours out of this subset. At our rate \
        (\(result.repairedCount) of \(Format.count(n))), the whole file would hold about \
        \(scaled(Double(result.repairedCount) / Double(n))) repairs (95% interval \(scaled(low))–\(scaled(high))) — an \
        extrapolation from this prefix, not a measurement. `swift run -c release fetch-data` fetches the full file where the network allows.
        """
    }

    // MARK: Lengths

    struct LengthGroup {
        var name: String
        var lengths: [Int]
    }

    /// Characters (Hangul syllables count one each) of instruction, input and output, split by whether there is an input.
    static func lengthGroups(_ records: [IndexedRecord]) -> [LengthGroup] {
        let withInput = records.filter { !Validation.isBlank($0.record.input) }.map(\.record)
        let withoutInput = records.filter { Validation.isBlank($0.record.input) }.map(\.record)
        return [
            LengthGroup(name: "instruction, with input", lengths: withInput.map { $0.instruction.count }),
            LengthGroup(name: "instruction, no input", lengths: withoutInput.map { $0.instruction.count }),
            LengthGroup(name: "input", lengths: withInput.map { $0.input.count }),
            LengthGroup(name: "output, with input", lengths: withInput.map { $0.output.count }),
            LengthGroup(name: "output, no input", lengths: withoutInput.map { $0.output.count }),
        ]
    }

    /// Nearest-rank percentile of sorted values (p in 0...1).
    static func percentile(_ sorted: [Int], _ p: Double) -> Int {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func lengthTable(_ groups: [LengthGroup]) -> Table {
        var table = Table(title: "Lengths in characters", columns: ["field", "records", "mean", "median", "90th pct", "max"])
        for g in groups {
            let sorted = g.lengths.sorted()
            let mean = sorted.isEmpty ? 0 : Double(sorted.reduce(0, +)) / Double(sorted.count)
            table.add([g.name, Format.count(sorted.count), Format.fixed(mean, 1), Format.count(percentile(sorted, 0.5)),
                       Format.count(percentile(sorted, 0.9)), Format.count(sorted.last ?? 0)])
        }
        return table
    }

    // MARK: repairs.md

    static func quoteBlock(_ text: String) -> String {
        text.isEmpty ? "> *(empty)*" : text.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }.joined(separator: "\n")
    }

    static func repairsMarkdown(_ result: DataRepairResult) -> String {
        var out = """
        # Repairs of KoAlpaca's grammar records

        Each record below asked to correct a sentence that machine translation had already corrected, so its answer \
        repeated the question. The repair puts one real, typical Korean mistake back into the sentence (never into the \
        answer), so that the answer is again the correction of what is asked. Records are named by their 0-based index \
        in `\(result.data.file)`.


        """
        for outcome in result.repairs {
            let rule = outcome.edit?.rule.rawValue ?? "no applicable rule — left unchanged"
            out += "## Record \(outcome.index) — \(rule)\n\n"
            out += "**Instruction:**\n\n\(quoteBlock(outcome.before.instruction))\n\n"
            out += "**Sentence (\(outcome.source.name)) before:**\n\n\(quoteBlock(GrammarRecords.sentenceText(outcome.before, outcome.source)))\n\n"
            if let edit = outcome.edit {
                out += "**After:**\n\n\(quoteBlock(edit.sentence))\n\n"
                out += "**What changed:** \(edit.detail)\n\n"
            }
            out += "**Output (unchanged):**\n\n\(quoteBlock(outcome.before.output))\n\n"
        }
        let kept = result.candidates.filter { $0.classification.grammarClass == .rewritten }
        if !kept.isEmpty {
            var byIndex: [Int: InstructionRecord] = [:]
            for item in result.data.records { byIndex[item.index] = item.record }
            out += "# Kept for a human to judge (class d)\n\n"
            out += "Correction tasks whose answer really rewrites the sentence. The rule cannot tell whether the sentence was wrong; look and decide.\n\n"
            for row in kept {
                guard let record = byIndex[row.hit.index], let source = row.classification.source else { continue }
                out += "## Record \(row.hit.index)\n\n"
                out += "**Instruction:**\n\n\(quoteBlock(record.instruction))\n\n"
                out += "**Sentence (\(source.name)):**\n\n\(quoteBlock(GrammarRecords.sentenceText(record, source)))\n\n"
                out += "**Output:**\n\n\(quoteBlock(record.output))\n\n"
                out += "*\(row.classification.reason)*\n\n"
            }
        }
        return out
    }
}
