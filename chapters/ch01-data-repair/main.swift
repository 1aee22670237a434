// Chapter 01 — the data: KoAlpaca v1.0, checked record by record, and the repair of its grammar records.
//
// The paper fine-tunes Polyglot-Ko on KoAlpaca v1.0 (49,620 records: Stanford Alpaca's instructions and inputs
// translated with DeepL, the outputs generated anew by ChatGPT from the Korean). Before training it repairs 82 grammar
// records that this had broken: the English task "correct this sentence" came with a wrong sentence, the translator
// wrote it correctly in Korean, and the generated answer ended up equal to the question.
// This chapter does the same, with the rule as code: read, check, find by keyword, classify, repair, write.
import ArgumentParser
import Book
import Plumbing
import Repro

// Files of this chapter's own (what it hands chapter 02 is `Artifacts.repairedRecords`).
enum Output {
    static let rejects = "rejects.jsonl"
    static let candidates = "candidates.jsonl"
    static let repairs = "repairs.md"
    static let summary = "summary.md"
    static let lengthFigure = "length-distribution"
}

struct DataRepairChapter: ChapterCommand {
    static let chapter = Chapter.dataRepair

    @OptionGroup var common: CommonOptions

    @Flag(name: .customLong("no-repair"), help: "Ablation: write the accepted records as the file has them (the grammar records left as the translator broke them) to repaired.jsonl.")
    var noRepair = false

    @Option(name: .customLong("table-rows"), parsing: .unconditional, help: "At most this many keyword hits are listed in the notebook (all go to candidates.jsonl).")
    var tableRows = 60

    func validate() throws {
        guard tableRows >= 0 else { throw ValidationError("--table-rows must be 0 or more") }
    }

    func run() throws {
        // Read and check before writing anything: a file that is not a JSON array of records stops here, with the
        // file and record named, and no artifact (not even the notebook) is touched.
        let (path, choice) = try KoAlpacaFile.choose(dataDirectory: common.resolvedDataDirectory)
        let result = DataRepairResult(try Validation.load(path: path))
        let run = try ChapterRun(self)
        try run.input(path)
        if try run.reuseIfFinished() { return }

        introduceKoAlpaca(run, result.data, file: choice)
        try checkEveryRecord(run, result.data)
        let keywords = findByKeyword(run, result)
        try classify(run, result)
        try repair(run, result)
        try showLengths(run, result)
        try handOn(run, result, file: choice, keywords: keywords, isPartialCopy: KoAlpacaFile.isPartial(path))
        try run.finish()
    }
}

extension DataRepairChapter {
    func introduceKoAlpaca(_ run: ChapterRun, _ data: ValidatedData, file: String) {
        let book = run.notebook
        book.section("KoAlpaca v1.0")
        let withInput = data.records.filter { !Validation.isBlank($0.record.input) }.count
        book.text("""
        KoAlpaca v1.0 is Stanford Alpaca in Korean: the instructions and inputs were translated with DeepL, and the \
        outputs generated anew by ChatGPT (gpt-3.5-turbo) from the Korean (the data set card of Beomi/KoAlpaca says so). \
        It is one JSON array of `{instruction, input, output}` records, \(Format.count(Paper.koalpacaRecords)) of them. \
        Records with an `input` use the paper's "with input" template, the others the shorter one (chapter 02). \
        This chapter does the same work at every `--scale`: it takes seconds even on the full file.
        """)
        book.text("File: \(file).")
        book.text("""
        The file holds **\(Format.count(data.totalRecords)) records**; \(Format.count(withInput)) of the accepted ones \
        (\(Format.percent(Double(withInput) / Double(max(data.records.count, 1))))) have an input.
        """)
    }

    func checkEveryRecord(_ run: ChapterRun, _ data: ValidatedData) throws {
        let book = run.notebook
        book.section("Checking every record")
        book.text("""
        Each record must be an object with exactly the string fields `instruction`, `input`, `output`; the instruction \
        and the output must not be blank; no control characters but newline, tab and carriage return. A record that \
        fails goes to `\(Output.rejects)` with its index and reason and is left out of the repaired set — counted, never \
        dropped silently. Records that share (instruction, input) are counted but kept: the paper trained on the file \
        as published.
        """)
        book.text("""
        Rejected: **\(Format.count(data.rejects.count))**. Duplicate (instruction, input) groups: \
        \(Format.count(data.duplicates.groups.count)) (\(Format.count(data.duplicates.extraCopies)) extra copies, \
        \(Format.count(data.duplicates.groupsWithDifferentOutputs)) groups with differing outputs). Records with a \
        carriage return: \(Format.count(data.recordsWithCarriageReturn)).
        """)
        for reject in data.rejects.prefix(10) { book.code("record \(reject.index): \(reject.reason)") }
        for group in data.duplicates.groups.prefix(5) {
            book.text("Duplicate group: records " + group.map(String.init).joined(separator: ", ") + ".")
        }
        try run.write(Output.rejects, text: Records.jsonLines(data.rejects.map(Reports.rejectJSON)))
    }

    func findByKeyword(_ run: ChapterRun, _ result: DataRepairResult) -> Table {
        let book = run.notebook
        book.section("Finding the grammar records by keyword")
        book.text("""
        As in the paper, a record is a candidate when it contains 오류 (error), 교정 (correction) or 문법 (grammar). \
        The words also occur in news texts, code explanations and logic puzzles, so each hit is then classified.
        """)
        let keywords = Reports.keywordTable(result)
        book.table(keywords)
        return keywords
    }

    func classify(_ run: ChapterRun, _ result: DataRepairResult) throws {
        let book = run.notebook
        book.section("What translation did to them: four classes")
        // The clearest case first: a record whose answer is its sentence, character for character.
        let plainest = result.repairs.first { TextCompare.normalizedDistance(GrammarRecords.sentenceText($0.before, $0.source), $0.before.output) == 0 }
        if let example = plainest ?? result.repairs.first {
            book.text("A typical broken record (\(example.index)): the task asks to correct the sentence, and the answer repeats it.")
            book.code("instruction: \(example.before.instruction)\ninput:       \(example.before.input)\noutput:      \(example.before.output)")
        }
        book.text("""
        The rule (`chapters/ch01-data-repair/GrammarRecords.swift`): the keyword must be in the instruction and used \
        about language (not 논리적 오류, 오류 메시지, 문법 범주, code, 치아 교정); a task that asks to *correct* (수정, \
        고치-, 교정, 다시 쓰-, 배열, ...) is class (a) when its answer equals the sentence once spacing and punctuation \
        are dropped, is within one character in ten of it (normalised edit distance ≤ \(GrammarRecords.nearlyEqual)), \
        says there is nothing to fix, or — for a rearrangement task — already has the answer's word order; otherwise (d). \
        A task that asks to *judge* or *find* (있는지, 올바른가, 찾아, 식별) is (b): "no error" is a fine answer there.
        """)
        book.table(Reports.classTable(result))
        book.table(Reports.candidateTable(result, limit: tableRows))
        try run.write(Output.candidates, text: Records.jsonLines(result.candidates.map(Reports.candidateJSON)))
    }

    func repair(_ run: ChapterRun, _ result: DataRepairResult) throws {
        let book = run.notebook
        book.section("Repairing: put a real mistake back")
        book.text("""
        A class-(a) record is repaired by putting one real, typical Korean mistake back into its sentence, never into \
        the answer. The first rule that applies wins: the kind the instruction names (word order, punctuation, spacing, \
        spelling), then (1) particle agreement by Hangul syllable arithmetic — (code − 0xAC00) % 28 ≠ 0 means a final \
        consonant, so 책**을** becomes 책**를**, with the ㄹ exception for 으로/로 (서울로 → 서울으로); (2) spacing before \
        a dependent noun or an auxiliary (할 수 → 할수, 하고 있다 → 하고있다); (3) a common misspelling (됐 → 됬, 며칠 → \
        몇일, 이었 → 이였, 습니다 → 읍니다). A rule applies only where the answer shows the correct form. When the \
        input is empty, the sentence quoted in the instruction is repaired there.
        """)
        book.table(Reports.ruleTable(result))
        for outcome in result.repairs.prefix(8) {
            let before = GrammarRecords.sentenceText(outcome.before, outcome.source)
            if let edit = outcome.edit {
                book.code("record \(outcome.index) [\(edit.rule.rawValue)] \(edit.detail)\n  before: \(before)\n  after:  \(edit.sentence)\n  output: \(outcome.before.output)")
            } else {
                book.code("record \(outcome.index) [no applicable rule]\n  sentence: \(before)")
            }
        }
        try run.write(Output.repairs, text: Reports.repairsMarkdown(result))
        book.text("Every repair, before and after, is in `\(Output.repairs)`, with the class-(d) records for a human to judge.")
    }

    func showLengths(_ run: ChapterRun, _ result: DataRepairResult) throws {
        run.notebook.section("How long the records are")
        let groups = Reports.lengthGroups(result.repaired)
        run.notebook.table(Reports.lengthTable(groups))
        // Cut the long tail so the bulk is readable: at the 99th percentile of all lengths, rounded up to 50.
        let cut = (Reports.percentile(groups.flatMap(\.lengths).sorted(), 0.99) / 50 + 1) * 50
        try run.figure(Figure(name: Output.lengthFigure, title: "KoAlpaca v1.0 길이 분포: characters of instruction, input and output",
                              xLabel: "characters (글자 수)", yLabel: "records per bin of 10 characters",
                              kind: .histogram(binWidth: 10),
                              series: groups.map { Figure.Series($0.name, values: $0.lengths.map(Double.init)) },
                              extra: ["set xrange [0:\(cut)]"]),
                       caption: "Histogram in bins of 10 characters, cut at \(cut) (the table gives the maxima). Chapter 02 sizes its context from these lengths.")
    }

    func handOn(_ run: ChapterRun, _ result: DataRepairResult, file: String, keywords: Table, isPartialCopy: Bool) throws {
        let book = run.notebook
        book.section("The repaired data set, and the paper")
        // The ablation (--no-repair) finds and reports the same records, but hands chapter 02 the file's own text.
        let handedOn = noRepair ? result.data.records : result.repaired
        try run.write(Artifacts.repairedRecords, JSONLines(handedOn.map(\.record)))
        book.text("""
        `\(Artifacts.repairedRecords.path)` holds the \(Format.count(handedOn.count)) accepted records in file order, \
        \(noRepair ? "none of them repaired (`--no-repair`: the \(result.repairedCount) repairs above are reported but not applied)" : "\(result.repairedCount) of them repaired"), \
        one `{instruction, input, output}` per line: chapter 02's input.
        """)
        let summary = Reports.summaryTable(result)
        book.table(summary)
        let note = Reports.subsetNote(result, isPartialCopy: isPartialCopy)
        if let note { book.text(note) }
        try run.write(Output.summary, text: "# Chapter 01 summary\n\nFile: \(file).\n\n" + summary.markdown + "\n"
                      + keywords.markdown + "\n" + Reports.classTable(result).markdown + "\n" + Reports.ruleTable(result).markdown
                      + (note.map { "\n" + $0 + "\n" } ?? ""))
    }
}

DataRepairChapter.main()
